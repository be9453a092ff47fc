/**
 * Channel delivery: the adapter seam, the delivery worker and the status query. See README.md for
 * writing an adapter.
 */
export type { AdapterContext, ChannelAdapter, DeliveryCustomer, DeliveryOutcome, DeliveryRequest } from "./types.js";
export { DeliveryError, classifyFailure, type ClassifiedFailure } from "./errors.js";
export { createAdapterRegistry, type AdapterRegistry } from "./registry.js";
export {
  createDeliveryWorker,
  retryDelayMs,
  type DeliveryCrashPoint,
  type DeliveryRetryPolicy,
  type DeliveryRunStats,
  type DeliveryWorker,
  type DeliveryWorkerOptions,
} from "./worker.js";
export { deliveryStatus, deliveryCounts, type DeliveryStatusFilter, type DeliveryStatusRow } from "./status.js";
export {
  createWebhookAdapter,
  signWebhook,
  webhookPayload,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  type WebhookAdapterOptions,
} from "./webhook-adapter.js";
