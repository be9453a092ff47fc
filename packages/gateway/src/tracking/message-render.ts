/**
 * Tracked links for what the delivery worker does not render: the bodies of one-to-many messages
 * (a 群发助手 task, a Moments post: links name the message, `/t/m.<token>`) and single bodies sent
 * outside the worker (the welcome message, a chat task's toolbar messages: links name the delivery,
 * as the worker's render does). Bodies without links come back untouched and record nothing.
 */
import type { SqlRunner } from "../db/index.js";
import { rewriteLinks } from "./content-links.js";
import type { MessageSigner } from "./message-token.js";
import { TRACK_PATH, normalizePublicUrl } from "./render.js";
import type { LinkSigner } from "./token.js";
import { type TrackInput, trackDeliveries } from "./tracked-deliveries.js";
import { type MessageInput, trackMessage } from "./tracked-messages.js";

export interface MessageTracker {
  /** The body with each link a tracked link of this message (recorded once per kind and ref). */
  renderMessage(message: MessageInput, body: unknown): Promise<unknown>;
  /** The body with each link a tracked link of this one delivery. */
  renderDelivery(delivery: Omit<TrackInput, "links">, body: unknown): Promise<unknown>;
}

export function createMessageTracker(options: { sql: SqlRunner; signer: LinkSigner; messageSigner: MessageSigner; publicUrl: string }): MessageTracker {
  const base = normalizePublicUrl(options.publicUrl);
  const linksOf = (body: unknown) => (body === undefined || body === null ? [] : rewriteLinks(body, (_i, url) => url).links);
  return {
    async renderMessage(message, body) {
      const links = linksOf(body);
      if (links.length === 0) return body;
      const row = await trackMessage(options.sql, message, links);
      // Indexes past the stored links (the content grew since the first render) stay untracked.
      return rewriteLinks(body, (i, url) => (i < row.links.length ? `${base}${TRACK_PATH}${options.messageSigner.sign({ messageId: row.id, link: i })}` : url)).body;
    },
    async renderDelivery(delivery, body) {
      const links = linksOf(body);
      if (links.length === 0) return body;
      const row = (await trackDeliveries(options.sql, [{ ...delivery, links }])).get(delivery.deliveryKey);
      if (!row) return body;
      return rewriteLinks(body, (i, url) => (i < row.links.length ? `${base}${TRACK_PATH}${options.signer.sign({ trackedId: row.id, link: i })}` : url)).body;
    },
  };
}
