/**
 * A customer's reply seen in a mini-program (a message, a form answer, a consultation) as the event
 * sopline counts replies by: `message.replied` with `data.source: "mini_program"`. Report it with an
 * ingest reporter, which keeps it through offline spells and sends it once.
 */
import type { ReportedEvent } from "./ingest-reporter.js";

/** What a mini-program knows about the reply. */
export interface MiniProgramReply {
  /** The customer: their openid by default (`customerIdKind`). */
  customer: string;
  customerIdKind?: ReportedEvent["customerIdKind"];
  /** The text, when there is one: opt-out keywords (退订, TD …) in it turn on do-not-disturb. */
  text?: string;
  /** Anything else to keep with the event (page, form id …). */
  data?: Record<string, unknown>;
}

/**
 * @example
 * reporter.report(replyEvent({ customer: openid, text: "想了解价格" }));
 */
export function replyEvent(reply: MiniProgramReply): ReportedEvent {
  return {
    customer: reply.customer,
    customerIdKind: reply.customerIdKind ?? "OPENID",
    name: "message.replied",
    data: { ...reply.data, source: "mini_program", channel: "mini_program", ...(reply.text !== undefined ? { text: reply.text } : {}) },
  };
}
