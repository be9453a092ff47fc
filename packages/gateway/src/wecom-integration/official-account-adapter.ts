import type { WeChatApi } from "../channels/wechat/api.js";
import { SERVICE_WINDOW_MS, checkServiceWindow } from "../channels/wechat/service-window.js";
import { DeliveryError } from "../delivery/errors.js";
import type { ChannelAdapter, DeliveryRequest } from "../delivery/types.js";
import { type PerWorkspace, forWorkspace } from "./clients.js";
import { contentError, customMessage, templateMessage } from "./content.js";
import { OA_SUBSCRIBED } from "./follow-events.js";

export interface OfficialAccountAdapterOptions {
  api: PerWorkspace<WeChatApi>;
  /**
   * The follower's last interaction with the official account. Default: customers.last_event_at
   * (any recorded behaviour event); pass a stricter source if you record OA interactions apart.
   */
  lastInteractionAt?: (delivery: DeliveryRequest) => Date | null;
  serviceWindowMs?: number;
}

/**
 * Official account: a customer-service message while the 48-hour window since the follower's last
 * interaction is open; outside it the content's template message if it has one (service notices
 * only, WeChat's rule), else the delivery fails with `service_window_closed` and says why.
 */
export function createOfficialAccountAdapter(options: OfficialAccountAdapterOptions): ChannelAdapter {
  const windowMs = options.serviceWindowMs ?? SERVICE_WINDOW_MS;
  return {
    channel: "official_account",
    async deliver(d, ctx) {
      const api = forWorkspace(options.api, d.workspaceId);
      if (!api) throw new DeliveryError({ code: "not_configured", permanent: true, message: `no official-account client for workspace ${d.workspaceId}` });
      const openid = d.customer.oaOpenId;
      if (!openid) throw new DeliveryError({ code: "no_openid", permanent: true, message: `customer ${d.customer.externalId} has no official-account openid` });
      // Set by the unsubscribe push (follow-events.ts): WeChat would refuse the message anyway.
      if (d.customer.attributes[OA_SUBSCRIBED] === false) throw new DeliveryError({ code: "unfollowed", permanent: true, message: `customer ${d.customer.externalId} unfollowed the official account` });
      if (d.contentBody === undefined) throw contentError(d.content, "not found in the content library");
      const last = (options.lastInteractionAt ? options.lastInteractionAt(d) : d.customer.lastEventAt)?.getTime() ?? null;
      const window = checkServiceWindow(last, ctx.now.getTime(), windowMs);
      const custom = customMessage(openid, d.contentBody);
      if (window.ok && custom) {
        await api.sendCustomMessage(custom, { lastInteractionAt: last });
        return { status: "sent" };
      }
      const template = templateMessage(openid, d.contentBody, d.key);
      if (template) {
        const { msgid } = await api.sendTemplateMessage(template);
        return { status: "sent", providerId: String(msgid) };
      }
      if (!custom) throw contentError(d.content, "needs `text`, `customMessage` or `template` for the official account");
      throw new DeliveryError({
        code: "service_window_closed",
        permanent: true,
        message: `${window.ok ? "" : window.message}; content ${JSON.stringify(d.content)} has no template message to fall back on`,
      });
    },
  };
}
