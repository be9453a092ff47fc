import type { WeChatApi } from "../channels/wechat/api.js";
import { validateSubscribeMessage } from "../channels/wechat/api.js";
import type { Database } from "../db/index.js";
import { DeliveryError, classifyFailure } from "../delivery/errors.js";
import type { ChannelAdapter, DeliveryRequest } from "../delivery/types.js";
import { type PerWorkspace, forWorkspace } from "./clients.js";
import { subscribeMessage } from "./content.js";
import { consumeSubscribeQuota, markSubscribeRefused, type QuotaKey, refundSubscribeQuota } from "./subscribe-quota-store.js";

export interface MiniProgramAdapterOptions {
  db: Database;
  /** The mini-program's appid and client (per workspace, or one for all). */
  app: PerWorkspace<{ appId: string; api: WeChatApi }>;
  /** The customer's mini-program openid (not the official account's). Default: attributes.mpOpenId. */
  openIdOf?: (delivery: DeliveryRequest) => string | undefined;
}

/**
 * Mini-program subscribe messages: the message is validated first (field rules such as thing ≤ 20
 * and phrase ≤ 5 characters fail here, naming the field, before any quota is used), then one
 * authorisation is taken from the persisted book, then sent. 43101 empties the book for that
 * template; other failures give the authorisation back.
 */
export function createMiniProgramAdapter(options: MiniProgramAdapterOptions): ChannelAdapter {
  const openIdOf = options.openIdOf ?? ((d) => (typeof d.customer.attributes["mpOpenId"] === "string" ? d.customer.attributes["mpOpenId"] : undefined));
  return {
    channel: "mini_program",
    async deliver(d) {
      const app = forWorkspace(options.app, d.workspaceId);
      if (!app) throw new DeliveryError({ code: "not_configured", permanent: true, message: `no mini-program client for workspace ${d.workspaceId}` });
      const openid = openIdOf(d);
      if (!openid) throw new DeliveryError({ code: "no_openid", permanent: true, message: `customer ${d.customer.externalId} has no mini-program openid` });
      const message = subscribeMessage(d.content, openid, d.contentBody);
      validateSubscribeMessage(message);
      const key: QuotaKey = { workspaceId: d.workspaceId, appId: app.appId, openid, templateId: message.template_id };
      if (!(await consumeSubscribeQuota(options.db.sql, key))) {
        throw new DeliveryError({
          code: "subscribe_quota_exhausted",
          permanent: true,
          message: `no subscribe authorisation left for template ${message.template_id}: the user must accept it again in the mini-program`,
        });
      }
      try {
        const { msgid } = await app.api.sendSubscribeMessage(message);
        return { status: "sent", ...(msgid !== undefined ? { providerId: String(msgid) } : {}) };
      } catch (e) {
        if (classifyFailure(e).code === "43101") await markSubscribeRefused(options.db.sql, key);
        else await refundSubscribeQuota(options.db.sql, key);
        throw e;
      }
    },
  };
}
