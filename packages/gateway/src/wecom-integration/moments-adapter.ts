import type { Database } from "../db/index.js";
import { DeliveryError } from "../delivery/errors.js";
import type { ChannelAdapter, DeliveryOutcome, DeliveryRequest } from "../delivery/types.js";
import { assignToPost, stepPeriods } from "./moments/assign.js";
import { type MomentsPolicy, DEFAULT_MOMENTS_POLICY, MomentsSettingError, periodMs, resolveMomentsPolicy } from "./moments/policy.js";

export interface MomentsAdapterOptions {
  db: Database;
  /** The gateway's policy (already validated); a workspace's `settings.moments` and a step's `moments.period` override the period. */
  policy?: MomentsPolicy;
}

const permanent = (code: string, message: string) => new DeliveryError({ code, permanent: true, message });

/**
 * Moments as a staff calendar: a customer's Moments step does not post anything by itself. It puts
 * the customer on their staff member's post for that content — the one not yet published, or the
 * one published within the period (default 7 days) — or opens a new post due at the step's time.
 * The delivery stays 'pending' (provider_id = the post id) until the Moments worker has tagged the
 * customer into the post and published it; then it is 'sent' with the add_moment_task jobid. So five
 * customers due on five evenings of a week make one post, not five.
 */
export function createMomentsAdapter(options: MomentsAdapterOptions): ChannelAdapter {
  const { db } = options;
  const base = options.policy ?? DEFAULT_MOMENTS_POLICY;

  async function deliverBatch(ds: DeliveryRequest[], ctx: { now: Date }): Promise<Array<PromiseSettledResult<DeliveryOutcome>>> {
    const periods = await stepPeriods(db.sql, ds);
    const workspaces = new Map<string, MomentsPolicy | Error>();
    for (const ws of new Set(ds.map((d) => d.workspaceId))) {
      const [row] = await db.sql.query<{ moments: unknown }>(`SELECT settings->'moments' AS moments FROM workspaces WHERE id = $1`, [ws]);
      try {
        workspaces.set(ws, resolveMomentsPolicy(row?.moments ?? undefined, base, "settings.moments"));
      } catch (e) {
        workspaces.set(ws, e as Error);
      }
    }
    // Oldest first: the first customer of a slot opens the post, later ones join it.
    const order = ds.map((_, i) => i).sort((a, b) => ds[a]!.dueAt.getTime() - ds[b]!.dueAt.getTime() || ds[a]!.key.localeCompare(ds[b]!.key));
    const results = new Array<PromiseSettledResult<DeliveryOutcome>>(ds.length);
    for (const i of order) {
      const d = ds[i]!;
      try {
        if (!d.staffId || !d.staffExternalId) throw permanent("no_staff", "a Moments post needs the customer's staff member (WeCom userid)");
        if (!d.customer.wecomExternalUserId) throw permanent("no_external_userid", "a Moments post reaches WeCom customers only: this customer has no external_userid to tag");
        if (!d.content) throw permanent("content_invalid", "a Moments step needs a content ref");
        const policy = workspaces.get(d.workspaceId)!;
        // A bad workspace setting is retried (with backoff) rather than failing touches for good.
        if (policy instanceof Error) throw new DeliveryError({ code: "invalid_setting", permanent: false, message: policy.message });
        const stepPeriod = periods.get(d.key);
        const period = stepPeriod === undefined ? policy.periodMs : periodMs(stepPeriod, `${d.journeyKey} ${d.stage}.${d.stepId}.moments.period`);
        const post = await assignToPost(db.sql, { ...d, staffId: d.staffId, staffExternalId: d.staffExternalId, content: d.content }, period, ctx.now);
        results[i] = { status: "fulfilled", value: { status: "pending", providerId: post.postId } };
      } catch (reason) {
        results[i] = { status: "rejected", reason: reason instanceof MomentsSettingError ? permanent("invalid_setting", reason.message) : reason };
      }
    }
    return results;
  }

  return {
    channel: "moments",
    deliverBatch,
    async deliver(d, ctx) {
      const [r] = await deliverBatch([d], ctx);
      if (r!.status === "rejected") throw r!.reason;
      return r!.value;
    },
  };
}
