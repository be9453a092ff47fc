import type { WeComApi } from "../channels/wecom/api.js";
import type { Clock } from "../clock.js";
import type { SqlRunner } from "../db/index.js";
import { classifyFailure } from "../delivery/errors.js";
import { recordOutcomes } from "../delivery/record.js";
import type { ClaimedWelcome } from "./contact-events.js";
import { weComMessage } from "./content.js";
import type { RenderDeliveryBody } from "./render-message.js";

/** What became of a welcome. `released`: handed back as 'due' to the ordinary private_chat adapter path. */
export type WelcomeOutcome = { status: "sent" } | { status: "failed"; code: string } | { status: "released"; reason: string };

export interface SendWelcomeArgs {
  sql: SqlRunner;
  api: WeComApi;
  clock: Clock;
  claim: ClaimedWelcome;
  welcomeCode: string;
  /** When WeCom raised the add event (the 20 s count from here). */
  eventAt: Date;
  /** send_welcome_msg's window (20 s). */
  windowMs: number;
  /** Tracked links of this delivery in the body (src/tracking); absent: links go out as written. */
  renderBody?: RenderDeliveryBody | undefined;
}

/**
 * Sends the claimed welcome delivery with send_welcome_msg and records it exactly once: 'sent', or
 * 'failed' with the code on a permanent error (41051: another app answered first / code used), or
 * back to 'due' when the window has passed or a transient error leaves no time for another try.
 */
export async function sendWelcome(args: SendWelcomeArgs): Promise<WelcomeOutcome> {
  const { claim } = args;
  const fence = { key: claim.key, attempts: claim.attempts };
  const release = async (reason: string, code?: string): Promise<WelcomeOutcome> => {
    await recordOutcomes(args.sql, [{ ...fence, status: "due", nextAttemptAt: args.clock(), reason, providerError: code ?? null }]);
    return { status: "released", reason };
  };
  let body = claim.body;
  if (args.renderBody && body != null) {
    const { key: deliveryKey, workspaceId, customerId, journeyKey, stage, stepId, content } = claim;
    // The welcome cannot wait (20 s, one code): if its links cannot be recorded, they go out as written.
    body = await args.renderBody({ deliveryKey, workspaceId, customerId, journeyKey, stage, stepId, content }, body).catch(() => claim.body);
  }
  let message;
  try {
    message = weComMessage(claim.content, body);
  } catch (e) {
    const f = classifyFailure(e);
    await recordOutcomes(args.sql, [{ ...fence, status: "failed", providerError: f.code, reason: f.message }]);
    return { status: "failed", code: f.code };
  }
  const deadline = args.eventAt.getTime() + args.windowMs;
  for (let attempt = 1; ; attempt++) {
    if (args.clock().getTime() > deadline) return release("welcome window (20 s) passed");
    try {
      await args.api.sendWelcomeMsg({ welcome_code: args.welcomeCode, ...message });
      await recordOutcomes(args.sql, [{ ...fence, status: "sent", sentAt: args.clock(), providerId: "send_welcome_msg" }]);
      return { status: "sent" };
    } catch (e) {
      const f = classifyFailure(e);
      if (f.permanent) {
        await recordOutcomes(args.sql, [{ ...fence, status: "failed", providerError: f.code, reason: f.message }]);
        return { status: "failed", code: f.code };
      }
      // One quick retry inside the window; then the ordinary path (the code is single-use anyway).
      if (attempt >= 2) return release(`send_welcome_msg: ${f.message}`, f.code);
    }
  }
}
