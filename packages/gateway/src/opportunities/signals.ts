// Which behaviour events are intent signals, of which kind and how strong. Pure: the journeys'
// `opportunities` config in, a decision out.
import type { JourneyDefinition, OpportunitiesDefinition } from "@sopline/core";

export type OpportunityKind = "chat" | "call";

/** Used by journeys without an `opportunities` field. */
export const DEFAULT_OPPORTUNITIES: Required<Pick<OpportunitiesDefinition, "call" | "chat">> = {
  call: ["demo.requested", "call.requested"],
  chat: ["message.replied", "message.received", "content.read", "link.clicked"],
};

/** Intent of a signal listed without one (higher first on the board); other names: DEFAULT_INTENT. */
export const SIGNAL_INTENT: Readonly<Record<string, number>> = {
  "demo.requested": 100,
  "call.requested": 100,
  "message.received": 80,
  "message.replied": 80,
  "link.clicked": 60,
  "content.read": 50,
  "content.opened": 30,
};
export const DEFAULT_INTENT = 50;

/** Events that put a live item on the staff member's feed ("张三 is reading 客户案例 now"). */
export const ALERT_EVENTS: ReadonlySet<string> = new Set(["content.opened", "content.read", "link.clicked", "message.replied"]);

export interface Signal {
  kind: OpportunityKind;
  intent: number;
}

type Config = Pick<JourneyDefinition, "opportunities">;

/**
 * The signal an event makes for a customer enrolled in `journeys` (their definitions): a call in any
 * journey wins over a chat, the strongest intent wins within a kind. A customer in no journey is
 * judged by the defaults.
 * @example classify("demo.requested", {}, []) // { kind: "call", intent: 100 }
 */
export function classify(name: string, data: unknown, journeys: readonly Config[]): Signal | null {
  const configs = journeys.length === 0 ? [{}] : journeys;
  let best: Signal | null = null;
  for (const j of configs) {
    const o = j.opportunities ?? DEFAULT_OPPORTUNITIES;
    for (const kind of ["call", "chat"] as const) {
      for (const s of o[kind] ?? []) {
        const event = typeof s === "string" ? s : s.event;
        if (event !== name) continue;
        const base = typeof s === "string" || s.intent === undefined ? (SIGNAL_INTENT[name] ?? DEFAULT_INTENT) : s.intent;
        const intent = base + readingBonus(name, data);
        if (!best || rank(kind, intent) > rank(best.kind, best.intent)) best = { kind, intent };
      }
    }
  }
  return best;
}

const rank = (kind: OpportunityKind, intent: number) => (kind === "call" ? 1_000_000 : 0) + intent;

/** A longer read is a stronger signal: +1 per 30 s of dwell, at most +10 (5 minutes). */
function readingBonus(name: string, data: unknown): number {
  if (name !== "content.read" || typeof data !== "object" || data === null) return 0;
  const seconds = (data as { seconds?: unknown }).seconds;
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? Math.min(10, Math.floor(seconds / 30)) : 0;
}

/** The content ref an event names (`data.content`), if any. */
export function contentOf(data: unknown): string | null {
  if (typeof data !== "object" || data === null) return null;
  const c = (data as { content?: unknown }).content;
  return typeof c === "string" && c.length > 0 && c.length <= 200 ? c : null;
}

const VERB: Record<string, string> = {
  "content.opened": "opened",
  "content.read": "is reading",
  "link.clicked": "clicked a link in",
  "message.replied": "replied",
};

/**
 * The feed line: "张三 is reading 客户案例 now".
 * @example alertText("message.replied", "张三", null) // "张三 replied now"
 */
export function alertText(name: string, customer: string, contentTitle: string | null): string {
  const verb = VERB[name] ?? name;
  return `${customer} ${verb}${contentTitle && name !== "message.replied" ? ` ${contentTitle}` : ""} now`;
}
