import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createLinkSigner, trackingKey } from "../../src/tracking/token.js";

const signer = createLinkSigner(trackingKey(randomBytes(32)));

describe("tracked-link tokens", () => {
  it("round-trips a delivery id and link index in a short url-safe token", () => {
    for (const ref of [{ trackedId: 0n, link: 0 }, { trackedId: 1n, link: 3 }, { trackedId: 9_007_199_254_740_993n, link: 99 }]) {
      const token = signer.sign(ref);
      expect(token).toMatch(/^[A-Za-z0-9_-]{18,32}$/);
      expect(signer.verify(token)).toEqual(ref);
    }
  });

  it("refuses every altered character, truncation, extension and made-up token", () => {
    const token = signer.sign({ trackedId: 12345n, link: 1 });
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (c === token[i]) continue;
        expect(signer.verify(token.slice(0, i) + c + token.slice(i + 1))).toBeNull();
      }
    }
    expect(signer.verify(token.slice(0, -1))).toBeNull();
    expect(signer.verify(`${token}A`)).toBeNull();
    for (const junk of ["", "x", "../../etc/passwd", "%00", "A".repeat(500), "AAAAAAAAAAAAAAAAAAAAAA"]) expect(signer.verify(junk)).toBeNull();
  });

  it("is not enumerable: neighbouring ids share no MAC, another key's tokens do not verify", () => {
    const a = signer.sign({ trackedId: 100n, link: 0 });
    const b = signer.sign({ trackedId: 101n, link: 0 });
    expect(a.slice(-16)).not.toBe(b.slice(-16));
    const other = createLinkSigner(trackingKey(randomBytes(32)));
    expect(other.verify(a)).toBeNull();
  });

  it("remembers verified tokens only: a tampered token is refused after its original verified, also past the cache's size", () => {
    const small = createLinkSigner(trackingKey(randomBytes(32)), { cacheSize: 2 });
    const tokens = [1n, 2n, 3n].map((trackedId) => small.sign({ trackedId, link: 0 }));
    for (let round = 0; round < 2; round++) tokens.forEach((t, i) => expect(small.verify(t)).toEqual({ trackedId: BigInt(i + 1), link: 0 }));
    const t = tokens[0]!;
    const tampered = t.slice(0, -1) + (t.endsWith("A") ? "B" : "A");
    expect(small.verify(tampered)).toBeNull();
    expect(small.verify(tampered)).toBeNull();
    expect(signer.verify(t)).toBeNull(); // another key: a cache is per signer
  });

  it("binds a reader to a token with mac()", () => {
    expect(signer.mac("tok", "openid-1")).toBe(signer.mac("tok", "openid-1"));
    expect(signer.mac("tok", "openid-1")).not.toBe(signer.mac("tok", "openid-2"));
  });
});
