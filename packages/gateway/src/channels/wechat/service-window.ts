/**
 * Official-account customer-service window: /cgi-bin/message/custom/send only reaches a follower
 * within 48 hours of their last interaction (message, menu click, follow, scan...). Outside it
 * WeChat answers 45015; checking first avoids the call and tells the scheduler *why*.
 */
import { ChannelError } from "../errors.js";

/** 48 hours, the documented window. */
export const SERVICE_WINDOW_MS = 48 * 60 * 60 * 1000;

/** The window is open until `closesAt` (epoch ms). */
export interface ServiceWindowOpen {
  ok: true;
  closesAt: number;
}

/** Why a custom message may not be sent now. */
export interface ServiceWindowClosed {
  ok: false;
  reason: "no_interaction" | "expired";
  /** When it closed (epoch ms), if there was an interaction. */
  closedAt?: number;
  message: string;
}

/** Result of {@link checkServiceWindow}. */
export type ServiceWindowResult = ServiceWindowOpen | ServiceWindowClosed;

/**
 * Pure check: given the follower's last interaction (epoch ms, null when unknown) and now.
 * The boundary is exclusive: exactly 48 h after the interaction the window is closed.
 */
export function checkServiceWindow(lastInteractionAt: number | null | undefined, now: number, windowMs: number = SERVICE_WINDOW_MS): ServiceWindowResult {
  if (lastInteractionAt === null || lastInteractionAt === undefined || !Number.isFinite(lastInteractionAt)) {
    return { ok: false, reason: "no_interaction", message: "no recorded interaction from this follower: customer-service messages are not allowed" };
  }
  const closesAt = lastInteractionAt + windowMs;
  if (now < closesAt) return { ok: true, closesAt };
  return {
    ok: false,
    reason: "expired",
    closedAt: closesAt,
    message: `customer-service window closed at ${new Date(closesAt).toISOString()} (${Math.round(windowMs / 3_600_000)} h after the last interaction)`,
  };
}

/** Throwing form for call sites: ChannelError code "service_window_closed", permanent until the follower interacts. */
export function assertServiceWindowOpen(lastInteractionAt: number | null | undefined, now: number, windowMs: number = SERVICE_WINDOW_MS): number {
  const r = checkServiceWindow(lastInteractionAt, now, windowMs);
  if (r.ok) return r.closesAt;
  throw new ChannelError({ code: "service_window_closed", permanent: true, provider: "wechat", message: r.message });
}
