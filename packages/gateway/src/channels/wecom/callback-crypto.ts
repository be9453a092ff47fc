/**
 * WeCom callback crypto (paths 90238 / 90930 / 91144 and WECHAT.md):
 * AESKey = base64(EncodingAESKey + "="), 32 bytes; AES-256-CBC with IV = key[0..16];
 * PKCS#7 padding to 32-byte blocks (not AES's 16, so node's auto padding is off);
 * plaintext = random(16) + msg_len (uint32 BE) + msg + ReceiveId;
 * msg_signature = sha1_hex(sorted([token, timestamp, nonce, msg_encrypt]).join("")).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { BadSignatureError, MalformedCallbackError, WrongCorpIdError } from "./callback-errors.js";
import type { ReplayGuard } from "./replay-guard.js";
import { buildWeComXml, parseWeComXml, textField } from "./xml.js";

/** What the admin console shows for the callback URL of one corp/app. */
export interface CallbackConfig {
  token: string;
  /** 43 characters of base64 (without the trailing "="). */
  encodingAesKey: string;
  /** ReceiveId expected inside every message (the corp id for self-built apps). */
  corpId: string;
}

/** Query parameters WeCom appends to the callback URL. */
export interface CallbackQuery {
  msg_signature?: string | null;
  timestamp?: string | null;
  nonce?: string | null;
  echostr?: string | null;
}

/** A decrypted envelope. */
export interface DecryptedMessage {
  message: string;
  receiveId: string;
}

const BLOCK = 32;

/** Decodes an EncodingAESKey to the 32-byte AES key; throws on a malformed key (a config error). */
export function decodeAesKey(encodingAesKey: string): Buffer {
  // Buffer's base64 decoder silently skips junk, so check the alphabet and length first.
  if (!/^[A-Za-z0-9+/]{43}$/.test(encodingAesKey)) throw new Error("EncodingAESKey must be 43 base64 characters");
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  if (key.length !== 32) throw new Error("EncodingAESKey must decode to 32 bytes");
  return key;
}

/** sha1 hex of the lexicographically sorted concatenation of the four values. */
export function sign(token: string, timestamp: string, nonce: string, msgEncrypt: string): string {
  // Default sort compares UTF-16 code units, which matches byte order for the ASCII inputs used here.
  return createHash("sha1").update([token, timestamp, nonce, msgEncrypt].sort().join("")).digest("hex");
}

/** Options of {@link encrypt}. */
export interface EncryptOptions {
  encodingAesKey: string;
  receiveId: string;
  /** 16 random bytes; injectable for deterministic vectors. */
  random16?: () => Uint8Array;
}

/** Encrypts `message` into the base64 `msg_encrypt` / `Encrypt` value. */
export function encrypt(message: string, opts: EncryptOptions): string {
  const key = decodeAesKey(opts.encodingAesKey);
  const random = Buffer.from(opts.random16 ? opts.random16() : randomBytes(16));
  if (random.length !== 16) throw new Error("random16 must return exactly 16 bytes");
  const msg = Buffer.from(message, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const body = Buffer.concat([random, len, msg, Buffer.from(opts.receiveId, "utf8")]);
  const pad = BLOCK - (body.length % BLOCK); // 1..32, a full block when already aligned
  const plain = Buffer.concat([body, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(plain), cipher.final()]).toString("base64");
}

/** Decrypts a `msg_encrypt` value; throws MalformedCallbackError on any structural problem. */
export function decrypt(msgEncrypt: string, encodingAesKey: string): DecryptedMessage {
  const key = decodeAesKey(encodingAesKey);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(msgEncrypt)) throw new MalformedCallbackError("msg_encrypt is not base64");
  const data = Buffer.from(msgEncrypt, "base64");
  if (data.length === 0 || data.length % 16 !== 0) throw new MalformedCallbackError("ciphertext length is not a multiple of the AES block");
  let plain: Buffer;
  try {
    const decipher = createDecipheriv("aes-256-cbc", key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (e) {
    throw new MalformedCallbackError(`AES decryption failed: ${(e as Error).message}`);
  }
  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > BLOCK || pad > plain.length) throw new MalformedCallbackError(`bad PKCS#7 padding byte ${pad}`);
  for (let i = plain.length - pad; i < plain.length; i++) {
    if (plain[i] !== pad) throw new MalformedCallbackError("inconsistent PKCS#7 padding");
  }
  const body = plain.subarray(0, plain.length - pad);
  if (body.length < 20) throw new MalformedCallbackError("plaintext shorter than random + length header");
  const msgLen = body.readUInt32BE(16);
  if (20 + msgLen > body.length) throw new MalformedCallbackError(`msg_len ${msgLen} exceeds plaintext`);
  return {
    message: body.subarray(20, 20 + msgLen).toString("utf8"),
    receiveId: body.subarray(20 + msgLen).toString("utf8"),
  };
}

function checkSignature(token: string, query: CallbackQuery, msgEncrypt: string): { timestamp: string; nonce: string; signature: string } {
  const { msg_signature: signature, timestamp, nonce } = query;
  if (!signature || !timestamp || !nonce) throw new MalformedCallbackError("msg_signature, timestamp and nonce are required");
  const expected = Buffer.from(sign(token, timestamp, nonce, msgEncrypt), "utf8");
  const got = Buffer.from(signature.toLowerCase(), "utf8");
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new BadSignatureError();
  return { timestamp, nonce, signature };
}

function decryptFor(config: CallbackConfig, msgEncrypt: string): DecryptedMessage {
  const out = decrypt(msgEncrypt, config.encodingAesKey);
  if (out.receiveId !== config.corpId) throw new WrongCorpIdError(out.receiveId, config.corpId);
  return out;
}

/**
 * GET URL verification: checks the signature over `echostr`, decrypts it and returns the
 * plaintext, which the handler must echo back verbatim (within 1 s per the docs).
 */
export function verifyUrl(config: CallbackConfig, query: CallbackQuery): string {
  const echostr = query.echostr;
  if (!echostr) throw new MalformedCallbackError("echostr is required");
  checkSignature(config.token, query, echostr);
  return decryptFor(config, echostr).message;
}

/** Config of {@link openCallback}: the callback settings plus the process-wide replay guard. */
export interface OpenCallbackConfig extends CallbackConfig {
  replayGuard: ReplayGuard;
}

/** A verified, decrypted POST callback. */
export interface OpenedCallback {
  /** The decrypted inner XML; parse it with callback-events.ts. */
  xml: string;
  receiveId: string;
  /** Outer, unsigned fields (informational only). */
  toUserName?: string;
  agentId?: string;
  timestamp: number;
  nonce: string;
  msgSignature: string;
}

/**
 * Verifies and decrypts a POST callback: parse body → signature → replay window/seen-set →
 * decrypt → ReceiveId == corpId. Only fully accepted messages enter the seen-set, so a forged
 * request cannot poison it. Throws a CallbackError subclass on rejection.
 */
export function openCallback(config: OpenCallbackConfig, query: CallbackQuery, body: string): OpenedCallback {
  const outer = parseWeComXml(body);
  const msgEncrypt = textField(outer, "Encrypt");
  if (!msgEncrypt) throw new MalformedCallbackError("missing <Encrypt>");
  const { timestamp, nonce, signature } = checkSignature(config.token, query, msgEncrypt);
  if (!/^\d{1,12}$/.test(timestamp)) throw new MalformedCallbackError("timestamp is not a number of seconds");
  const ts = Number(timestamp);
  config.replayGuard.check(signature, nonce, ts);
  const { message, receiveId } = decryptFor(config, msgEncrypt);
  config.replayGuard.record(signature, nonce, ts);
  const toUserName = textField(outer, "ToUserName");
  const agentId = textField(outer, "AgentID");
  return {
    xml: message,
    receiveId,
    ...(toUserName === undefined ? {} : { toUserName }),
    ...(agentId === undefined ? {} : { agentId }),
    timestamp: ts,
    nonce,
    msgSignature: signature,
  };
}

/** Options of {@link sealCallback}. */
export interface SealOptions {
  /** Seconds since epoch, as WeCom sends it. */
  timestamp: number;
  nonce: string;
  agentId?: string;
  random16?: () => Uint8Array;
}

/** An encrypted callback request as WeCom would POST it. */
export interface SealedCallback {
  query: { msg_signature: string; timestamp: string; nonce: string };
  body: string;
}

/**
 * The inverse of {@link openCallback}: encrypts `xml` for `config.corpId` and signs it. Used by the
 * fake WeCom server and by tests.
 */
export function sealCallback(config: CallbackConfig, xml: string, opts: SealOptions): SealedCallback {
  const enc = encrypt(xml, {
    encodingAesKey: config.encodingAesKey,
    receiveId: config.corpId,
    ...(opts.random16 ? { random16: opts.random16 } : {}),
  });
  const timestamp = String(opts.timestamp);
  return {
    query: { msg_signature: sign(config.token, timestamp, opts.nonce, enc), timestamp, nonce: opts.nonce },
    body: buildWeComXml({ ToUserName: config.corpId, AgentID: opts.agentId, Encrypt: enc }),
  };
}
