/**
 * Tracked-link tokens: `/t/<token>` where token = base64url(varint(trackedId) · varint(linkIndex) ·
 * first 12 bytes of HMAC-SHA256(key, those bytes)). About 22 characters; the MAC makes a token
 * impossible to guess or to derive from a neighbour's (ids are sequential, the MAC is not). The key
 * is derived from the gateway's secret key (SOPLINE_SECRET_KEY, the same on every gateway of a
 * database), so any gateway verifies without a database read.
 */
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual } from "node:crypto";

const MAC_BYTES = 12;
/** Longest token accepted: two 9-byte varints and the MAC, in base64url. */
const MAX_TOKEN_CHARS = Math.ceil(((9 + 9 + MAC_BYTES) * 4) / 3);
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** Verified tokens remembered (a page view's heartbeats and pagehide repeat its token). */
const VERIFIED_CACHE = 50_000;

/** What a valid token names: a tracked delivery and one of its links. */
export interface LinkRef {
  trackedId: bigint;
  link: number;
}

export interface LinkSigner {
  sign(ref: LinkRef): string;
  /** The ref (frozen, possibly shared between calls), or null for anything tampered, truncated or made up (callers answer 404 without saying which). */
  verify(token: string): LinkRef | null;
  /** A short MAC binding `parts` (e.g. the token and a reader's openid) to this gateway. */
  mac(...parts: string[]): string;
}

/** The tracking key: HKDF from the server's secret key, so it is never the sealing key itself. */
export function trackingKey(secretKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync("sha256", secretKey, Buffer.alloc(0), "sopline:tracked-links:v1", 32));
}

function writeVarint(out: number[], value: bigint): void {
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

function readVarint(buf: Buffer, start: number): { value: bigint; next: number } | null {
  let value = 0n;
  let shift = 0n;
  for (let i = start; i < buf.length && i < start + 9; i++) {
    const byte = buf[i]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) {
      // A non-minimal encoding (a trailing zero byte) would give one ref several tokens.
      if (byte === 0 && i > start) return null;
      return { value, next: i + 1 };
    }
    shift += 7n;
  }
  return null;
}

/**
 * @example
 * const signer = createLinkSigner(trackingKey(secretKey));
 * const token = signer.sign({ trackedId: 42n, link: 0 });
 * signer.verify(token); // { trackedId: 42n, link: 0 }
 */
export function createLinkSigner(key: Uint8Array, options: { cacheSize?: number } = {}): LinkSigner {
  // A KeyObject: the key is imported once, not copied into every HMAC.
  const k = createSecretKey(Buffer.from(key));
  const macOf = (payload: Buffer) => createHmac("sha256", k).update(payload).digest().subarray(0, MAC_BYTES);
  // Only tokens whose MAC verified go in, so a hit is as good as verifying again; a flood of
  // made-up tokens never enters it. Oldest out first when full.
  const cacheSize = options.cacheSize ?? VERIFIED_CACHE;
  const verified = new Map<string, LinkRef>();
  return {
    sign({ trackedId, link }) {
      if (trackedId < 0n || !Number.isInteger(link) || link < 0) throw new Error(`tracked link: bad ref ${trackedId}/${link}`);
      const bytes: number[] = [];
      writeVarint(bytes, trackedId);
      writeVarint(bytes, BigInt(link));
      const payload = Buffer.from(bytes);
      return Buffer.concat([payload, macOf(payload)]).toString("base64url");
    },
    verify(token) {
      if (typeof token !== "string" || token.length > MAX_TOKEN_CHARS) return null;
      const known = verified.get(token);
      if (known) return known;
      if (!BASE64URL.test(token)) return null;
      const buf = Buffer.from(token, "base64url");
      // Node's decoder ignores stray trailing bits: only the canonical spelling is the token.
      if (buf.length <= MAC_BYTES || buf.toString("base64url") !== token) return null;
      const id = readVarint(buf, 0);
      if (!id) return null;
      const link = readVarint(buf, id.next);
      if (!link || link.next !== buf.length - MAC_BYTES || link.value > 0xffffn) return null;
      const payload = buf.subarray(0, link.next);
      if (!timingSafeEqual(macOf(payload), buf.subarray(link.next))) return null;
      const ref: LinkRef = Object.freeze({ trackedId: id.value, link: Number(link.value) });
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
      verified.set(token, ref);
      return ref;
    },
    mac(...parts) {
      return createHmac("sha256", k).update(parts.join("\u0000")).digest().subarray(0, MAC_BYTES).toString("base64url");
    },
  };
}
