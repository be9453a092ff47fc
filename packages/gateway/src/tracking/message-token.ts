/**
 * Tokens of one-to-many messages (a 群发助手 task, a Moments post): `/t/m.<token>`, where the part
 * after `m.` has the layout of a delivery token (token.ts: varint(messageId) · varint(linkIndex) ·
 * MAC) under a key of its own. The `m.` prefix (`.` is not a base64url character, so no delivery
 * token starts with it) picks the kind without trying two keys; the separate key means a delivery
 * token with its prefix changed, or the reverse, never verifies.
 */
import { hkdfSync } from "node:crypto";
import { type LinkRef, type LinkSigner, createLinkSigner } from "./token.js";

export const MESSAGE_TOKEN_PREFIX = "m.";

/** What a valid message token names: a tracked message and one of its links. */
export interface MessageLinkRef {
  messageId: bigint;
  link: number;
}

export interface MessageSigner {
  sign(ref: MessageLinkRef): string;
  /** The ref, or null for anything tampered, truncated, made up or not a message token (→ 404). */
  verify(token: string): MessageLinkRef | null;
}

/** The message-token key: HKDF from the server's secret key with its own label. */
export function messageTrackingKey(secretKey: Uint8Array): Buffer {
  return Buffer.from(hkdfSync("sha256", secretKey, Buffer.alloc(0), "sopline:tracked-messages:v1", 32));
}

/** True when `token` has the message-token form (it may still be forged: verify it). */
export const isMessageToken = (token: string): boolean => token.startsWith(MESSAGE_TOKEN_PREFIX);

/**
 * @example
 * const signer = createMessageSigner(messageTrackingKey(secretKey));
 * const token = signer.sign({ messageId: 7n, link: 0 }); // "m.Bw…"
 * signer.verify(token); // { messageId: 7n, link: 0 }
 */
export function createMessageSigner(key: Uint8Array): MessageSigner {
  const inner: LinkSigner = createLinkSigner(key);
  return {
    sign: ({ messageId, link }) => `${MESSAGE_TOKEN_PREFIX}${inner.sign({ trackedId: messageId, link })}`,
    verify(token) {
      if (typeof token !== "string" || !isMessageToken(token)) return null;
      const ref: LinkRef | null = inner.verify(token.slice(MESSAGE_TOKEN_PREFIX.length));
      return ref ? { messageId: ref.trackedId, link: ref.link } : null;
    },
  };
}
