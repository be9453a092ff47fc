import type { WeComApi } from "../channels/wecom/api.js";
import { DEFAULT_WECOM_LIMITS } from "../channels/wecom/validate.js";
import { DeliveryError } from "../delivery/errors.js";
import type { ChannelAdapter, DeliveryOutcome, DeliveryRequest } from "../delivery/types.js";
import { type PerWorkspace, forWorkspace } from "./clients.js";
import { momentMessage } from "./content.js";

export interface MomentsAdapterOptions {
  api: PerWorkspace<WeComApi>;
  /** sender_list.user_list cap per task (100,000). */
  maxSenders?: number;
}

const notConfigured = (ws: string) => new DeliveryError({ code: "not_configured", permanent: true, message: `no WeCom client for workspace ${ws}` });

/**
 * Moments (add_moment_task): the deliveries claimed together are grouped per workspace and content,
 * and each group becomes ONE Moments task for every staff member concerned (a post is seen by all of
 * a member's customers, so one per content, never one per customer). Staff confirm it on the phone;
 * the delivery is recorded 'sent' with the jobid.
 */
export function createMomentsAdapter(options: MomentsAdapterOptions): ChannelAdapter {
  const maxSenders = options.maxSenders ?? DEFAULT_WECOM_LIMITS.maxMomentUsers;

  async function deliverBatch(ds: DeliveryRequest[]): Promise<Array<PromiseSettledResult<DeliveryOutcome>>> {
    const results = new Array<PromiseSettledResult<DeliveryOutcome>>(ds.length);
    const groups = new Map<string, number[]>();
    ds.forEach((d, i) => {
      if (!d.staffExternalId) {
        results[i] = { status: "rejected", reason: new DeliveryError({ code: "no_staff", permanent: true, message: "a Moments post needs the customer's staff member (WeCom userid)" }) };
        return;
      }
      const k = `${d.workspaceId}\u0000${d.content ?? ""}`;
      groups.set(k, [...(groups.get(k) ?? []), i]);
    });
    for (const indexes of groups.values()) {
      const first = ds[indexes[0]!]!;
      const settle = (r: PromiseSettledResult<DeliveryOutcome>) => indexes.forEach((i) => (results[i] = r));
      try {
        const api = forWorkspace(options.api, first.workspaceId);
        if (!api) throw notConfigured(first.workspaceId);
        const message = momentMessage(first.content, first.contentBody);
        const senders = [...new Set(indexes.map((i) => ds[i]!.staffExternalId!))].sort();
        const jobs: string[] = [];
        for (let from = 0; from < senders.length; from += maxSenders) {
          const { jobid } = await api.addMomentTask({ ...message, visible_range: { sender_list: { user_list: senders.slice(from, from + maxSenders) } } });
          jobs.push(jobid);
        }
        settle({ status: "fulfilled", value: { status: "sent", providerId: jobs.join(",") } });
      } catch (reason) {
        settle({ status: "rejected", reason });
      }
    }
    return results;
  }

  return {
    channel: "moments",
    deliverBatch,
    async deliver(d) {
      const [r] = await deliverBatch([d]);
      if (r!.status === "rejected") throw r!.reason;
      return r!.value;
    },
  };
}
