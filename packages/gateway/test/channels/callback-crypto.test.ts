import { createCipheriv, createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  BadSignatureError,
  CallbackError,
  MalformedCallbackError,
  ReplayedCallbackError,
  WrongCorpIdError,
} from "../../src/channels/wecom/callback-errors.js";
import { decodeAesKey, decrypt, encrypt, openCallback, sealCallback, sign, verifyUrl } from "../../src/channels/wecom/callback-crypto.js";
import { createReplayGuard } from "../../src/channels/wecom/replay-guard.js";

// The sample published with WeCom's WXBizMsgCrypt SDKs (quoted verbatim by several SDK test suites).
const OFFICIAL = {
  token: "QDG6eK",
  encodingAesKey: "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
  corpId: "wx5823bf96d3bd56c7",
};
const OFFICIAL_ENCRYPT =
  "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";
const OFFICIAL_BODY = `<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[${OFFICIAL_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>`;
const OFFICIAL_QUERY = { msg_signature: "477715d11cdb4164915debcba66cb864d751f3e6", timestamp: "1409659813", nonce: "1372623149" };

const fixedRandom = () => Uint8Array.from({ length: 16 }, (_, i) => i * 7 + 1);

/** Reference encryption written straight from the documented algorithm, independent of the module. */
function referenceEncrypt(msg: string, encodingAesKey: string, receiveId: string, random: Uint8Array, padOverride?: Buffer): string {
  const key = Buffer.from(encodingAesKey + "=", "base64");
  const m = Buffer.from(msg, "utf8");
  const len = Buffer.from([(m.length >>> 24) & 255, (m.length >>> 16) & 255, (m.length >>> 8) & 255, m.length & 255]);
  const body = Buffer.concat([Buffer.from(random), len, m, Buffer.from(receiveId)]);
  const n = 32 - (body.length % 32);
  const padding = padOverride ?? Buffer.alloc(n, n);
  const c = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(Buffer.concat([body, padding])), c.final()]).toString("base64");
}

function clockAt(epochSec: number) {
  let now = epochSec * 1000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("WeCom callback crypto — official sample", () => {
  it("computes the published msg_signature", () => {
    expect(sign(OFFICIAL.token, OFFICIAL_QUERY.timestamp, OFFICIAL_QUERY.nonce, OFFICIAL_ENCRYPT)).toBe(OFFICIAL_QUERY.msg_signature);
  });

  it("opens the published POST callback", () => {
    const clock = clockAt(1409659813);
    const opened = openCallback({ ...OFFICIAL, replayGuard: createReplayGuard(clock) }, OFFICIAL_QUERY, OFFICIAL_BODY);
    expect(opened.receiveId).toBe(OFFICIAL.corpId);
    expect(opened.agentId).toBe("218");
    expect(opened.xml).toContain("<Content><![CDATA[hello]]></Content>");
    expect(opened.xml).toContain("<MsgId>4561255354251345929</MsgId>");
  });

  it("verifies the published GET URL-verification request", () => {
    const echo = verifyUrl(OFFICIAL, {
      msg_signature: "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
      timestamp: "1409659589",
      nonce: "263014780",
      echostr: "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
    });
    expect(echo).toBe("1616140317555161061");
  });

  it("rejects URL verification with a wrong signature", () => {
    expect(() =>
      verifyUrl(OFFICIAL, { msg_signature: "0".repeat(40), timestamp: "1409659589", nonce: "263014780", echostr: "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==" }),
    ).toThrow(BadSignatureError);
  });
});

describe("WeCom callback crypto — round trip with a fixed key and random", () => {
  const cases = [
    "<xml><Content><![CDATA[hi]]></Content></xml>",
    "你好，欢迎加入！😀", // multi-byte: msg_len counts bytes
    "x".repeat(8), // 16 + 4 + 8 + 18 (corp id) = 46 → pad 18
    "y".repeat(42), // 16 + 4 + 42 + 18 = 80 → pad 16
    "z".repeat(26), // 16 + 4 + 26 + 18 = 64: aligned, so a full 32-byte pad block
  ];

  it.each(cases)("encrypt matches the documented algorithm and decrypts back: %s", (msg) => {
    const enc = encrypt(msg, { encodingAesKey: OFFICIAL.encodingAesKey, receiveId: OFFICIAL.corpId, random16: fixedRandom });
    expect(enc).toBe(referenceEncrypt(msg, OFFICIAL.encodingAesKey, OFFICIAL.corpId, fixedRandom()));
    expect(Buffer.from(enc, "base64").length % 32).toBe(0);
    expect(decrypt(enc, OFFICIAL.encodingAesKey)).toEqual({ message: msg, receiveId: OFFICIAL.corpId });
  });

  it("pads an aligned plaintext with a whole extra 32-byte block", () => {
    const enc = encrypt("z".repeat(26), { encodingAesKey: OFFICIAL.encodingAesKey, receiveId: OFFICIAL.corpId, random16: fixedRandom });
    expect(Buffer.from(enc, "base64").length).toBe(96);
  });

  it("different random prefixes give different ciphertexts for the same message", () => {
    const a = encrypt("same", { encodingAesKey: OFFICIAL.encodingAesKey, receiveId: OFFICIAL.corpId });
    const b = encrypt("same", { encodingAesKey: OFFICIAL.encodingAesKey, receiveId: OFFICIAL.corpId });
    expect(a).not.toBe(b);
  });

  it("signature is sha1 of the sorted concatenation", () => {
    const expected = createHash("sha1").update(["b", "a", "d", "c"].sort().join("")).digest("hex");
    expect(sign("b", "a", "d", "c")).toBe(expected);
  });

  it("rejects malformed EncodingAESKeys", () => {
    expect(() => decodeAesKey("short")).toThrow(/43/);
    expect(() => decodeAesKey("!".repeat(43))).toThrow(/43/);
    expect(decodeAesKey(OFFICIAL.encodingAesKey)).toHaveLength(32);
  });
});

describe("openCallback rejections", () => {
  const T = 1_700_000_000;
  const config = { token: "tok3n", encodingAesKey: OFFICIAL.encodingAesKey, corpId: "wwcorp0001" };
  const xml = "<xml><ToUserName><![CDATA[wwcorp0001]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1700000000</CreateTime></xml>";

  function setup() {
    const clock = clockAt(T);
    const guard = createReplayGuard({ now: clock.now, windowMs: 5 * 60_000 });
    return { clock, guard, cfg: { ...config, replayGuard: guard } };
  }

  it("accepts a well-formed request", () => {
    const { cfg } = setup();
    const req = sealCallback(config, xml, { timestamp: T, nonce: "n1" });
    expect(openCallback(cfg, req.query, req.body).xml).toBe(xml);
  });

  it("tampered ciphertext → BadSignature", () => {
    const { cfg } = setup();
    const req = sealCallback(config, xml, { timestamp: T, nonce: "n1" });
    const enc = /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(req.body)?.[1] ?? "";
    const flipped = (enc[0] === "A" ? "B" : "A") + enc.slice(1);
    const err = (() => {
      try {
        openCallback(cfg, req.query, req.body.replace(enc, flipped));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BadSignatureError);
    expect((err as CallbackError).kind).toBe("BadSignature");
  });

  it("tampered timestamp or nonce → BadSignature", () => {
    const { cfg } = setup();
    const req = sealCallback(config, xml, { timestamp: T, nonce: "n1" });
    expect(() => openCallback(cfg, { ...req.query, timestamp: String(T + 1) }, req.body)).toThrow(BadSignatureError);
    expect(() => openCallback(cfg, { ...req.query, nonce: "n2" }, req.body)).toThrow(BadSignatureError);
  });

  it("a message for another corp → WrongCorpId", () => {
    const { cfg } = setup();
    const req = sealCallback({ ...config, corpId: "wwOTHERcorp" }, xml, { timestamp: T, nonce: "n1" });
    expect(() => openCallback(cfg, req.query, req.body)).toThrow(WrongCorpIdError);
  });

  it("the same request twice → Replayed", () => {
    const { cfg } = setup();
    const req = sealCallback(config, xml, { timestamp: T, nonce: "n1" });
    openCallback(cfg, req.query, req.body);
    expect(() => openCallback(cfg, req.query, req.body)).toThrow(ReplayedCallbackError);
  });

  it("a replay after the seen-set entry expires is still refused by the skew check", () => {
    const { cfg, clock } = setup();
    const req = sealCallback(config, xml, { timestamp: T, nonce: "n1" });
    openCallback(cfg, req.query, req.body);
    clock.advance(10 * 60_000);
    expect(() => openCallback(cfg, req.query, req.body)).toThrow(/timestamp/);
  });

  it("a timestamp outside the window → Replayed, and the guard forgets expired entries", () => {
    const { cfg, guard, clock } = setup();
    const stale = sealCallback(config, xml, { timestamp: T - 301, nonce: "old" });
    expect(() => openCallback(cfg, stale.query, stale.body)).toThrow(ReplayedCallbackError);
    const future = sealCallback(config, xml, { timestamp: T + 301, nonce: "future" });
    expect(() => openCallback(cfg, future.query, future.body)).toThrow(ReplayedCallbackError);

    const first = sealCallback(config, xml, { timestamp: T, nonce: "a" });
    openCallback(cfg, first.query, first.body);
    expect(guard.size()).toBe(1);
    clock.advance(6 * 60_000);
    const later = sealCallback(config, xml, { timestamp: T + 360, nonce: "b" });
    openCallback(cfg, later.query, later.body);
    expect(guard.size()).toBe(1); // "a" pruned: it would fail the skew check anyway
  });

  it("the same event with a fresh nonce is not a replay (WeCom retries re-sign)", () => {
    const { cfg } = setup();
    const a = sealCallback(config, xml, { timestamp: T, nonce: "n1" });
    const b = sealCallback(config, xml, { timestamp: T, nonce: "n2" });
    openCallback(cfg, a.query, a.body);
    expect(openCallback(cfg, b.query, b.body).xml).toBe(xml);
  });

  it("bad PKCS#7 padding → Malformed, and the request is not remembered", () => {
    const { cfg, guard } = setup();
    const random = fixedRandom();
    // 16 + 4 + 2 + 10 = 32 bytes of body; a "padding" block of 32 bytes ending in 0 is invalid.
    const badZero = referenceEncrypt("hi", config.encodingAesKey, config.corpId, random, Buffer.alloc(32, 0));
    const inconsistent = Buffer.alloc(32, 32);
    inconsistent[3] = 7;
    const badMixed = referenceEncrypt("hi", config.encodingAesKey, config.corpId, random, inconsistent);
    for (const [i, enc] of [badZero, badMixed].entries()) {
      const nonce = `pad${i}`;
      const query = { msg_signature: sign(config.token, String(T), nonce, enc), timestamp: String(T), nonce };
      const body = `<xml><ToUserName><![CDATA[wwcorp0001]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`;
      expect(() => openCallback(cfg, query, body)).toThrow(MalformedCallbackError);
    }
    expect(guard.size()).toBe(0);
  });

  it("a length header pointing past the plaintext → Malformed", () => {
    const { cfg } = setup();
    const key = Buffer.from(config.encodingAesKey + "=", "base64");
    const plain = Buffer.alloc(64, 0);
    plain.writeUInt32BE(1000, 16);
    plain.fill(32, 32); // valid 32-byte padding
    const c = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
    c.setAutoPadding(false);
    const enc = Buffer.concat([c.update(plain), c.final()]).toString("base64");
    const query = { msg_signature: sign(config.token, String(T), "len", enc), timestamp: String(T), nonce: "len" };
    expect(() => openCallback(cfg, query, `<xml><Encrypt><![CDATA[${enc}]]></Encrypt></xml>`)).toThrow(/msg_len/);
  });

  it("missing parameters, missing <Encrypt>, non-XML body, non-base64 → Malformed", () => {
    const { cfg } = setup();
    const req = sealCallback(config, xml, { timestamp: T, nonce: "n1" });
    expect(() => openCallback(cfg, { timestamp: String(T), nonce: "n1" }, req.body)).toThrow(MalformedCallbackError);
    expect(() => openCallback(cfg, req.query, "<xml><ToUserName>x</ToUserName></xml>")).toThrow(MalformedCallbackError);
    expect(() => openCallback(cfg, req.query, "not xml at all <<")).toThrow(MalformedCallbackError);
    expect(() => decrypt("@@@", config.encodingAesKey)).toThrow(MalformedCallbackError);
    expect(() => decrypt(Buffer.alloc(20).toString("base64"), config.encodingAesKey)).toThrow(MalformedCallbackError);
  });
});
