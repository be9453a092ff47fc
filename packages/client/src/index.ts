/**
 * @sopline/client — the typed client of the sopline gateway, for Node back ends (official-account
 * servers), browsers and WeChat mini-programs (see also `@sopline/client/wx`).
 *
 * @example
 * import WebSocket from "ws";
 * import { createClient } from "@sopline/client";
 * const client = createClient({ url: "http://localhost:4000/graphql", token: process.env.SOPLINE_API_KEY, webSocketImpl: WebSocket });
 * console.log((await client.board()).journeys);
 */
export { createClient, type ClientOptions } from "./client/create-client.js";
export { createWxClient, type WxClientOptions } from "./client/create-wx-client.js";
export {
  createSoplineClient,
  type ClientWire,
  type CustomerOptions,
  type LiveWire,
  type Sink,
  type SoplineClient,
  type TaskPage,
} from "./client/sopline-client.js";
export { wsUrlOf, type LiveOptions } from "./client/live-options.js";
export { createStaffSession, type StaffSession, type StaffSessionOptions, type StaffTokenPair } from "./client/staff-session.js";
export { toOperation, type AnyDocument, type VariablesArgs } from "./client/operation.js";
export { ingestInBatches, MAX_EVENTS_PER_BATCH, toDateTime, type IngestEvent } from "./client/ingest.js";
export { maxSeq, type TaskFeedOptions } from "./client/task-feed.js";
export { withTimeline, type CustomerView, type TimelineEntry } from "./client/timeline.js";
export { graphql, readFragment, type FragmentOf, type ResultOf, type TadaDocumentNode, type VariablesOf } from "./graphql.js";
export * from "./operations/index.js";
export { createIngestReporter, type IngestReporterOptions, type ReportedEvent } from "./ingest-reporter.js";
export { replyEvent, type MiniProgramReply } from "./reply-event.js";
export { createWxIngestReporter, type WxIngestReporterOptions } from "./wx-ingest-reporter.js";
export {
  createEventReporter,
  type EventReporter,
  type EventReporterOptions,
  type FlushResult,
  type QueuedEvent,
} from "./offline-queue.js";
export { memoryStorage, wxStorage, type SyncStorage } from "./storage.js";
export * from "./transport/index.js";
