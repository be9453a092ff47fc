/**
 * Renders deliveries with tracked links: every link of the content body becomes
 * `<publicUrl>/t/<token>` for this delivery. One INSERT per rendered batch records the deliveries
 * (tracked_deliveries); bodies without links are passed through untouched and record nothing.
 */
import type { SqlRunner } from "../db/index.js";
import type { DeliveryRequest } from "../delivery/types.js";
import { isHttpUrl, rewriteLinks } from "./content-links.js";
import type { LinkRef, LinkSigner } from "./token.js";
import { type TrackInput, trackDeliveries } from "./tracked-deliveries.js";

export const TRACK_PATH = "/t/";

export interface LinkTracker {
  /** The requests with their content's links rewritten to tracked links (same order). */
  render(requests: readonly DeliveryRequest[]): Promise<DeliveryRequest[]>;
  /** The public URL of one tracked link. */
  urlFor(ref: LinkRef): string;
}

/** Checks the gateway's public base URL (what customers' browsers reach), naming the setting. */
export function normalizePublicUrl(publicUrl: string, where = "tracking.publicUrl"): string {
  if (!isHttpUrl(publicUrl)) throw new Error(`${where}: expected the gateway's public http(s) base URL, e.g. https://sop.example.com, got ${JSON.stringify(publicUrl)}`);
  return publicUrl.replace(/\/+$/, "");
}

export function createLinkTracker(options: { sql: SqlRunner; signer: LinkSigner; publicUrl: string }): LinkTracker {
  const base = normalizePublicUrl(options.publicUrl);
  const urlFor = (ref: LinkRef) => `${base}${TRACK_PATH}${options.signer.sign(ref)}`;
  return {
    urlFor,
    async render(requests) {
      const found: Array<{ index: number; input: TrackInput }> = [];
      requests.forEach((r, index) => {
        if (r.contentBody === undefined) return;
        const { links } = rewriteLinks(r.contentBody, (_i, url) => url);
        if (links.length === 0) return;
        found.push({
          index,
          input: { deliveryKey: r.key, workspaceId: r.workspaceId, customerId: r.customer.id, journeyKey: r.journeyKey, stage: r.stage, stepId: r.stepId, content: r.content, links },
        });
      });
      if (found.length === 0) return [...requests];
      const rows = await trackDeliveries(options.sql, found.map((f) => f.input));
      const out = [...requests];
      for (const { index } of found) {
        const r = requests[index]!;
        const row = rows.get(r.key);
        if (!row) continue;
        // Indexes past the stored links (the content grew since the first render) stay untracked.
        const { body } = rewriteLinks(r.contentBody, (i, url) => (i < row.links.length ? urlFor({ trackedId: row.id, link: i }) : url));
        out[index] = { ...r, contentBody: body };
      }
      return out;
    },
  };
}
