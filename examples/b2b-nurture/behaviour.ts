/**
 * A month of B2B lead behaviour, deterministic for a seed: when each lead arrives (all within the
 * first week), who replies, clicks, attends a demo and buys. Plus the oracle: which stage each
 * lead must be in afterwards according to the journey's transitions (examples/journeys/b2b-nurture.ts).
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The journey's `silentFor` between nurture / interested and quiet. */
const SILENCE = 30 * DAY;

/** One behaviour event, as the client's `ingestEvents` takes it. */
export interface LeadEvent {
  id: string;
  customer: string;
  name: "message.replied" | "link.clicked" | "demo.attended" | "order.paid";
  at: number;
}

/** A simulated lead. */
export interface Lead {
  externalId: string;
  /** When the lead is added (and enrolled): always on the hour, between 09:00 and 20:00. */
  arrivesAt: number;
  /** Index of the sales rep who owns them. */
  rep: number;
  events: LeadEvent[];
}

/** Options of {@link simulateLeads}. */
export interface BehaviourOptions {
  seed: number;
  /** 09:00 local on the first day. */
  start: number;
  /** End of the simulated month. */
  end: number;
  leads: number;
  reps: number;
}

/**
 * mulberry32: a tiny seeded PRNG, so every run (and the test) sees the same month.
 *
 * @example
 * const random = seededRandom(2026); random(); // 0.0…1.0, the same sequence every time
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Leads arrive evenly over 7 days; 35 % reply within 3 days, most click a few links, 15 % attend
 * a demo, a third of those buy within 10 days, and 1 % buy without a demo. The evening before
 * the month ends a product webinar counts as a demo for 6 % of the others (so the last day has
 * sales calls due).
 *
 * @example
 * const leads = simulateLeads({ seed: 2026, start, end, leads: 200, reps: 2 });
 */
export function simulateLeads(options: BehaviourOptions): Lead[] {
  const random = seededRandom(options.seed);
  const between = (from: number, to: number) => from + Math.floor(random() * Math.max(0, to - from));
  const leads: Lead[] = [];
  for (let i = 0; i < options.leads; i++) {
    const day = Math.floor((i * 7) / options.leads);
    const arrivesAt = options.start + day * DAY + Math.floor(random() * 12) * HOUR;
    const externalId = `lead-${String(i + 1).padStart(3, "0")}`;
    const events: LeadEvent[] = [];
    // Minutes off the hour: never at the same instant as a scheduler tick or a silence deadline.
    const at = (t: number) => t - (t % HOUR) + (7 + Math.floor(random() * 50)) * 60_000;
    const add = (name: LeadEvent["name"], t: number) => {
      if (t > arrivesAt + HOUR && t < options.end) events.push({ id: `${externalId}:${name}:${events.length + 1}`, customer: externalId, name, at: at(t) });
    };
    if (random() < 0.35) add("message.replied", between(arrivesAt + 2 * HOUR, arrivesAt + 3 * DAY));
    const clicks = Math.floor(random() * 4);
    for (let c = 0; c < clicks; c++) add("link.clicked", between(arrivesAt + 2 * HOUR, options.end));
    let demoAt: number | undefined;
    if (random() < 0.15) {
      demoAt = at(between(arrivesAt + DAY, options.end - 2 * HOUR));
      add("demo.attended", demoAt);
      if (random() < 0.35) add("order.paid", between(demoAt + 2 * DAY, demoAt + 10 * DAY));
    } else if (random() < 0.01) {
      add("order.paid", between(arrivesAt + DAY, options.end));
    } else if (random() < 0.06) {
      add("demo.attended", options.end - 19 * HOUR); // 20:00 the evening before
    }
    events.sort((a, b) => a.at - b.at);
    leads.push({ externalId, arrivesAt, rep: i % options.reps, events });
  }
  return leads;
}

/** Stage ids of the B2B journey. */
export type Stage = "new" | "interested" | "quiet" | "converted";

/**
 * The stage a lead is in at `end`, by the journey's transitions: demo → interested (from new or
 * quiet), order.paid → converted (from anywhere), 30 days without any event → quiet (from new or
 * interested), a reply in quiet → interested.
 *
 * @example
 * expectedStage(lead, end); // "interested"
 */
export function expectedStage(lead: Lead, end: number): Stage {
  let stage = "new" as Stage; // widened: the closures below change it
  let entered = lead.arrivesAt;
  let active = lead.arrivesAt;
  const silence = (until: number) => {
    const at = Math.max(active, entered) + SILENCE;
    if ((stage === "new" || stage === "interested") && at <= until) {
      stage = "quiet";
      entered = at;
    }
  };
  for (const event of lead.events) {
    silence(event.at);
    active = Math.max(active, event.at);
    const move = (to: Stage) => {
      stage = to;
      entered = event.at;
    };
    if (event.name === "order.paid") move("converted");
    else if (event.name === "demo.attended" && (stage === "new" || stage === "quiet")) move("interested");
    else if (event.name === "message.replied" && stage === "quiet") move("interested");
  }
  silence(end);
  return stage;
}

/** How many leads did what. */
export interface BehaviourSummary {
  leads: number;
  replied: number;
  clicked: number;
  attendedDemo: number;
  bought: number;
  events: number;
}

/**
 * Counts leads (not events) per behaviour.
 *
 * @example
 * summarize(leads).attendedDemo; // leads with at least one demo.attended
 */
export function summarize(leads: readonly Lead[]): BehaviourSummary {
  const did = (name: LeadEvent["name"]) => leads.filter((l) => l.events.some((e) => e.name === name)).length;
  return {
    leads: leads.length,
    replied: did("message.replied"),
    clicked: did("link.clicked"),
    attendedDemo: did("demo.attended"),
    bought: did("order.paid"),
    events: leads.reduce((n, l) => n + l.events.length, 0),
  };
}
