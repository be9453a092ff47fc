/**
 * Optional reply signals from WeCom's paid or narrow sources, as adapters (WECHAT.md "Knowing that a
 * customer replied"): 会话存档 (the chat archive: needs a licence, consent and WeCom's native SDK,
 * so sopline only takes what your archive reader decodes) and 获客助手 (customer_start_chat,
 * message_from_customer for customers who came through an acquisition link). An adapter turns its
 * payload into `message.replied` / `contact.added` events; sopline stamps `data.source` with the
 * adapter's source and ingests them like any event (once per id, opt-out keywords, journeys).
 */
import type { Database } from "../db/index.js";
import type { JourneyRegistry } from "../engine/journey-registry.js";
import type { Notices } from "../engine/persist-advances.js";
import type { CustomerIdKind, EventInput, IngestResult } from "../events/event-input.js";
import { ingestEvents } from "../events/ingest.js";
import { CONTACT_ADDED, MESSAGE_REPLIED, REPLY_SOURCES } from "./names.js";

/** The events an adapter may raise. */
export const SIGNAL_NAMES = [MESSAGE_REPLIED, CONTACT_ADDED] as const;
export type SignalName = (typeof SIGNAL_NAMES)[number];

/** One signal an adapter found in its payload. */
export interface SignalEvent {
  /** Stable per signal (e.g. the archive's msgid): a redelivered payload counts once. */
  id: string;
  customer: string;
  /** Default "wecom" (the external_userid both sources carry). */
  customerIdKind?: CustomerIdKind;
  name: SignalName;
  at: Date | string | number;
  /** Kept with the event; `source` is set to the adapter's. */
  data?: Record<string, unknown>;
}

/** Turns a source's payloads into signals. Pure or I/O of its own (decrypting an archive batch): sopline only calls it. */
export interface SignalAdapter {
  /** Its URL segment: POST /webhooks/signals/<name> (letters, digits, '-' and '_'). */
  name: string;
  /** `data.source` of its events. */
  source: string;
  toEvents(payload: unknown, context: { now: Date }): SignalEvent[] | Promise<SignalEvent[]>;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A 会话存档 adapter: `toEvents` reads what your archive reader decoded (customer messages → message.replied). */
export function chatArchiveAdapter(toEvents: SignalAdapter["toEvents"], name = "chat-archive"): SignalAdapter {
  return { name, source: REPLY_SOURCES.chatArchive, toEvents };
}

/** A 获客助手 adapter: customer_start_chat → contact.added, message_from_customer → message.replied (your mapping). */
export function acquisitionAssistantAdapter(toEvents: SignalAdapter["toEvents"], name = "acquisition-assistant"): SignalAdapter {
  return { name, source: REPLY_SOURCES.acquisitionAssistant, toEvents };
}

/** The adapters by name; a bad or repeated name is refused when the gateway is built. */
export function signalAdapterRegistry(adapters: readonly SignalAdapter[]): ReadonlyMap<string, SignalAdapter> {
  const byName = new Map<string, SignalAdapter>();
  adapters.forEach((a, i) => {
    if (!NAME.test(a.name)) throw new TypeError(`signalAdapters[${i}].name: letters, digits, '-' and '_' (1–64), got ${JSON.stringify(a.name)}`);
    if (typeof a.source !== "string" || a.source === "") throw new TypeError(`signalAdapters[${i}].source: a non-empty source name, e.g. "chat_archive"`);
    if (byName.has(a.name)) throw new TypeError(`signalAdapters[${i}].name: "${a.name}" is registered twice`);
    byName.set(a.name, a);
  });
  return byName;
}

/** Thrown when an adapter raises something other than a signal: nothing of the payload is stored. */
export class SignalAdapterError extends Error {
  override readonly name = "SignalAdapterError";
}

/** Runs the adapter on a payload and ingests its events (all-or-nothing on the adapter's output shape). */
export async function ingestSignals(
  db: Database,
  registry: JourneyRegistry,
  workspaceId: string,
  adapter: SignalAdapter,
  payload: unknown,
  now: Date,
  notices: Notices,
): Promise<IngestResult> {
  const signals = await adapter.toEvents(payload, { now });
  if (!Array.isArray(signals)) throw new SignalAdapterError(`adapter "${adapter.name}": toEvents returned ${typeof signals}, expected an array of events`);
  const events: EventInput[] = signals.map((s, i) => {
    if (!(SIGNAL_NAMES as readonly string[]).includes(s?.name)) {
      throw new SignalAdapterError(`adapter "${adapter.name}": events[${i}].name: expected ${SIGNAL_NAMES.join(" or ")}, got ${JSON.stringify(s?.name)}`);
    }
    return { id: `${adapter.source}:${s.id}`, customer: s.customer, customerIdKind: s.customerIdKind ?? "wecom", name: s.name, at: s.at, data: { ...s.data, source: adapter.source } };
  });
  if (events.length === 0) return { accepted: 0, duplicates: 0, rejected: [] };
  return ingestEvents(db, registry, workspaceId, events, now, notices);
}
