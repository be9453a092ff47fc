/**
 * The B2B nurture journey on a real gateway (embedded PGlite, in memory) for a simulated month:
 * 200 leads enrolled over the first week, their behaviour fed through the typed client, the
 * scheduler run as the injected clock advances hour by hour, sales reps working their tasks
 * every evening. Nothing sleeps: time is the injected clock.
 */
import { createClient, createStaffSession, graphql, type Board, type SoplineClient, type Task } from "@sopline/client";
// The seed data of `sopline serve --load-examples`: the example journeys, content library and staff.
import { createGateway, loadExamples } from "@sopline/gateway";
import { expectedStage, simulateLeads, summarize, type BehaviourSummary, type Lead, type Stage } from "./behaviour.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ZONE = "Asia/Shanghai";
const ADMIN_KEY = "sk_example_b2b_nurture_workspace";

/** Options of {@link runMonth}. */
export interface MonthOptions {
  /** PRNG seed of the simulated behaviour (default 2026). */
  seed?: number;
  /** Leads enrolled over the first week (default 200). */
  leads?: number;
  /** 09:00 Asia/Shanghai on the first day (default Monday 2026-11-23). */
  start?: Date;
  /** Days simulated (default 30; the board is read at 15:00 on the last day). */
  days?: number;
  /** PGlite location (default in memory). */
  databaseUrl?: string;
}

/** Open tasks per sales rep as their own task lists show them (the board must agree). */
export interface RepTasks {
  staff: string;
  chatToday: number;
  callToday: number;
  overdueChat: number;
  overdueCall: number;
}

/** What {@link runMonth} returns. */
export interface MonthResult {
  board: Board;
  /** Customers per stage the journey's rules imply for the simulated behaviour. */
  expected: Record<Stage, number>;
  behaviour: BehaviourSummary;
  reps: RepTasks[];
  /** What the reps did with their tasks over the month. */
  work: { completed: number; skipped: number; snoozed: number };
  /** Scheduler totals over every hourly run. */
  scheduler: { runs: number; fired: number; tasks: number };
  /** The instant the board was read. */
  at: Date;
}

/**
 * Runs the month and returns the board with what it should show.
 *
 * @example
 * const { board, expected } = await runMonth({ seed: 7 });
 */
export async function runMonth(options: MonthOptions = {}): Promise<MonthResult> {
  const start = (options.start ?? new Date("2026-11-23T09:00:00+08:00")).getTime();
  const end = start + (options.days ?? 30) * DAY + 6 * HOUR;
  let now = start;
  const gateway = await createGateway({ databaseUrl: options.databaseUrl ?? "memory://", adminKey: ADMIN_KEY, clock: () => new Date(now) });
  try {
    await loadExamples(gateway.db, gateway.registry, gateway.workspaceId, new Date(now));
    // In-process HTTP: the client's requests go straight to the gateway's yoga app, no port needed.
    const fetch = async (url: string, init: RequestInit) => gateway.yoga.fetch(url, init);
    const client = createClient({ url: "http://sopline.local/graphql", token: ADMIN_KEY, fetch });
    const sales = (await client.request(StaffQuery)).staff.filter((s) => s.team === "sales");
    // Each rep's app signs in once (1-hour tokens, a session longer than the month) and its session
    // renews the token as the simulated hours pass, as a mini-program would.
    const anonymous = createClient({ url: "http://sopline.local/graphql", fetch });
    const reps = await Promise.all(
      sales.map(async (s) => {
        const session = createStaffSession({ initial: await client.issueStaffToken(s.id, undefined, 40 * 86_400), client: anonymous, now: () => now });
        return { staff: s, client: createClient({ url: "http://sopline.local/graphql", token: session.token, fetch }) };
      }),
    );

    const leads = simulateLeads({ seed: options.seed ?? 2026, start, end, leads: options.leads ?? 200, reps: reps.length });
    const byArrival = new Map<number, Lead[]>();
    for (const lead of leads) byArrival.set(lead.arrivesAt, [...(byArrival.get(lead.arrivesAt) ?? []), lead]);
    const events = leads.flatMap((l) => l.events).sort((a, b) => a.at - b.at);
    let nextEvent = 0;
    const scheduler = { runs: 0, fired: 0, tasks: 0 };
    const work = { completed: 0, skipped: 0, snoozed: 0 };
    const random = seededWork(options.seed ?? 2026);

    for (; now <= end; now += HOUR) {
      for (const lead of byArrival.get(now) ?? []) {
        await client.enroll({ customerExternalId: lead.externalId, journeyKey: "b2b-nurture", staffId: reps[lead.rep]!.staff.id, profile: { name: lead.externalId, attributes: { source: "webinar" } } });
      }
      // Events of the past hour, before the tick: the journey sees them in time order.
      const due = [];
      while (nextEvent < events.length && events[nextEvent]!.at <= now) due.push(events[nextEvent++]!);
      if (due.length > 0) await client.ingestEvents(due);
      const stats = await gateway.scheduler.runOnce(new Date(now));
      scheduler.runs++;
      scheduler.fired += stats.fired;
      scheduler.tasks += stats.tasks;
      if (hourIn(now) === 18) for (const rep of reps) await workTasks(rep.client, now, random, work);
    }
    now = end;

    const board = await client.board("b2b-nurture");
    const expected: Record<Stage, number> = { new: 0, interested: 0, quiet: 0, converted: 0 };
    for (const lead of leads) expected[expectedStage(lead, end)]++;
    const repTasks = await Promise.all(reps.map(async (rep) => countOpen(rep.staff.name, await openTasks(rep.client), end)));
    await Promise.all([client.dispose(), anonymous.dispose(), ...reps.map((r) => r.client.dispose())]);
    return { board, expected, behaviour: summarize(leads), reps: repTasks, work, scheduler, at: new Date(end) };
  } finally {
    await gateway.stop();
  }
}

// No client method for the staff list: the escape hatch takes any document, typed by the schema.
const StaffQuery = graphql(`query Staff { staff { id name team } }`);

/**
 * A rep's evening: each task due today gets done (55 %), skipped (10 %), snoozed until 10:00
 * tomorrow (20 %) or left open (15 %). Older ones are not looked at again: the board's overdue.
 */
async function workTasks(client: SoplineClient, now: number, random: () => number, work: MonthResult["work"]): Promise<void> {
  const today = dateIn(now);
  for (const task of await openTasks(client)) {
    if (dateIn(Date.parse(dueOf(task))) !== today) continue;
    const roll = random();
    if (roll < 0.55) {
      await client.completeTask(task.id);
      work.completed++;
    } else if (roll < 0.65) {
      await client.skipTask(task.id, "客户暂不需要 not now");
      work.skipped++;
    } else if (roll < 0.85) {
      await client.snoozeTask(task.id, now + 16 * HOUR);
      work.snoozed++;
    }
  }
}

/** Open and snoozed tasks of the caller, every page. */
async function openTasks(client: SoplineClient): Promise<Task[]> {
  const all: Task[] = [];
  for (const status of ["OPEN", "SNOOZED"] as const) {
    let after: string | undefined;
    for (;;) {
      const page = await client.tasks({ status, first: 200, ...(after ? { after } : {}) });
      all.push(...page.tasks);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) break;
      after = page.pageInfo.endCursor;
    }
  }
  return all;
}

/** A snoozed task is due when it wakes up (as on the board). */
const dueOf = (task: Task) => (task.status === "SNOOZED" && task.snoozedUntil ? task.snoozedUntil : task.dueAt);

function countOpen(staff: string, tasks: readonly Task[], at: number): RepTasks {
  const today = dateIn(at);
  const counts: RepTasks = { staff, chatToday: 0, callToday: 0, overdueChat: 0, overdueCall: 0 };
  for (const task of tasks) {
    const day = dateIn(Date.parse(dueOf(task)));
    if (day > today) continue;
    if (task.kind === "chat") counts[day === today ? "chatToday" : "overdueChat"]++;
    if (task.kind === "call") counts[day === today ? "callToday" : "overdueCall"]++;
  }
  return counts;
}

const dateIn = (t: number) => new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(t);
const hourIn = (t: number) => Number(new Intl.DateTimeFormat("en-GB", { timeZone: ZONE, hour: "2-digit", hourCycle: "h23" }).format(t));

/** The reps' choices get their own stream, so changing them does not change the leads. */
function seededWork(seed: number): () => number {
  let x = (seed * 2_654_435_761) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4_294_967_296;
  };
}
