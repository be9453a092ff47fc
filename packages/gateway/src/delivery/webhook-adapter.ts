import { createHmac } from "node:crypto";
import { DeliveryError } from "./errors.js";
import type { ChannelAdapter, DeliveryRequest } from "./types.js";

export interface WebhookAdapterOptions {
  /** The journey channel it serves (default "webhook"); e.g. "sms" for an SMS gateway. */
  channel?: string;
  url: string;
  /** HMAC-SHA256 key; the receiver recomputes the signature to trust the request. */
  secret: string;
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Milliseconds since epoch for the signed timestamp (default Date.now). */
  now?: () => number;
}

/** Header names the receiver reads. */
export const WEBHOOK_SIGNATURE_HEADER = "x-sopline-signature";
export const WEBHOOK_TIMESTAMP_HEADER = "x-sopline-timestamp";

/** hex HMAC-SHA256 of `${timestamp}.${body}`: binding the timestamp stops replays of old bodies. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** The JSON body the webhook adapter posts. */
export function webhookPayload(d: DeliveryRequest): Record<string, unknown> {
  return {
    key: d.key,
    workspaceId: d.workspaceId,
    journeyKey: d.journeyKey,
    stage: d.stage,
    stepId: d.stepId,
    channel: d.channel,
    content: d.content,
    contentBody: d.contentBody ?? null,
    dueAt: d.dueAt.toISOString(),
    attempt: d.attempt,
    staffExternalId: d.staffExternalId ?? null,
    customer: {
      id: d.customer.id,
      externalId: d.customer.externalId,
      name: d.customer.name,
      wecomExternalUserId: d.customer.wecomExternalUserId,
      oaOpenId: d.customer.oaOpenId,
      unionId: d.customer.unionId,
    },
  };
}

/**
 * The example adapter (see README.md): POSTs the delivery as JSON, signed with HMAC-SHA256, with
 * the idempotency key in `Idempotency-Key` (the receiver drops repeats). 2xx → sent (`{ "id" }` in
 * the reply becomes provider_id); 408/429/5xx/network → retried; other statuses → failed.
 */
export function createWebhookAdapter(options: WebhookAdapterOptions): ChannelAdapter {
  const fetchFn = options.fetch ?? ((i: string, init?: RequestInit) => globalThis.fetch(i, init));
  const now = options.now ?? Date.now;
  return {
    channel: options.channel ?? "webhook",
    async deliver(d) {
      const body = JSON.stringify(webhookPayload(d));
      const timestamp = String(Math.floor(now() / 1000));
      let res: Response;
      try {
        res = await fetchFn(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "idempotency-key": d.key,
            [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
            [WEBHOOK_SIGNATURE_HEADER]: `sha256=${signWebhook(options.secret, timestamp, body)}`,
          },
          body,
        });
      } catch (cause) {
        throw new DeliveryError({ code: "network", permanent: false, message: `webhook ${options.url}: ${(cause as Error).message}`, cause });
      }
      const text = await res.text().catch(() => "");
      if (!res.ok) {
        const transient = res.status >= 500 || res.status === 408 || res.status === 429;
        throw new DeliveryError({ code: `http_${res.status}`, permanent: !transient, message: `webhook ${options.url} answered ${res.status}: ${text.slice(0, 200)}` });
      }
      let id: unknown;
      try {
        id = (JSON.parse(text) as { id?: unknown }).id;
      } catch {
        id = undefined; // a 2xx without JSON is still a success
      }
      return { status: "sent", ...(typeof id === "string" || typeof id === "number" ? { providerId: String(id) } : {}) };
    },
  };
}
