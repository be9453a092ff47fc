/**
 * The channel adapter seam: the delivery worker hands each due touch to the adapter registered for
 * its channel and records what the adapter reports. Adapters never touch the deliveries table.
 */

/** Who a delivery goes to: every identity sopline knows for the customer. */
export interface DeliveryCustomer {
  id: string;
  /** the caller's id for the customer */
  externalId: string;
  name: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  /** WeCom external_userid */
  wecomExternalUserId: string | null;
  /** official-account openid */
  oaOpenId: string | null;
  unionId: string | null;
  /** last behaviour event (opens the official account's 48-hour customer-service window) */
  lastEventAt: Date | null;
}

/** One due touch as an adapter sees it. */
export interface DeliveryRequest {
  /** The core's idempotency key: the same key may reach an adapter more than once (at-least-once). */
  key: string;
  workspaceId: string;
  enrollmentId: string;
  journeyKey: string;
  stage: string;
  stepId: string;
  customer: DeliveryCustomer;
  /** The owning staff member (enrollment's, else the customer's). */
  staffId?: string;
  /** Their external id, e.g. the WeCom userid. */
  staffExternalId?: string;
  channel: string;
  mode: string;
  /** content ref */
  content: string | null;
  /** The content library entry's body, when the ref exists. */
  contentBody?: unknown;
  dueAt: Date;
  /** 1 on the first try. */
  attempt: number;
}

/** What an adapter reports for one delivery. */
export interface DeliveryOutcome {
  /** sent: done. pending: the provider accepted it and the final result comes later (e.g. a staff confirmation). */
  status: "sent" | "pending";
  /** The provider's id (msgid, jobid, ...), stored as deliveries.provider_id. */
  providerId?: string;
}

/** Passed to every adapter call. */
export interface AdapterContext {
  /** The worker's "now" (injected clock). */
  now: Date;
}

/**
 * A channel adapter. Throw to fail a delivery: an error with `permanent: true` (ChannelError,
 * DeliveryError) fails it for good with its `code` as provider_error; anything else is retried
 * with backoff.
 */
export interface ChannelAdapter {
  /** The journey channel it serves: private_chat, moments, official_account, mini_program, sms, webhook, ... */
  channel: string;
  deliver(delivery: DeliveryRequest, ctx: AdapterContext): Promise<DeliveryOutcome>;
  /**
   * Optional: all deliveries claimed for this channel in one call (to merge them into fewer provider
   * calls, e.g. one Moments task per content). Results in the same order as `deliveries`.
   */
  deliverBatch?(deliveries: DeliveryRequest[], ctx: AdapterContext): Promise<Array<PromiseSettledResult<DeliveryOutcome>>>;
}
