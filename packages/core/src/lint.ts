import { compileJourney } from "./compile.js";
import { AUTOMATIC_CHAT_REASON, automaticChats } from "./delivery-paths.js";
import { approxMs } from "./duration.js";
import { calendarWarnings } from "./lint-calendar.js";
import { nextOccurrence } from "./occurrences.js";
import type { JourneyDefinition } from "./schema.js";
import { append, draftOf } from "./state.js";
import { type Instant, toMillis } from "./time.js";
import type { MarketingCap } from "./touch-plan.js";
import type { JourneyOptions } from "./validate.js";

/** A content library entry, as far as lint needs it. */
export interface ContentItem {
  ref: string;
  expiresAt?: Instant | null;
}

export type LintCode =
  | "daily-sends"
  | "few-touches"
  | "empty-stage"
  | "dead-end"
  | "missing-content"
  | "expired-content"
  | "tag-never-set"
  | "past-date"
  | "no-holiday-dates"
  | "automatic-wecom-chat"
  | "after-mass-send"
  | "over-marketing-cap";

export interface LintIssue {
  level: "warning";
  code: LintCode;
  path: string;
  message: string;
}

const DAY = 86_400_000;
const MAX_DAILY_RUN = 3;
const NURTURE_TOUCHES = 6;
const HORIZON_DAYS = 400;
/** Touching at least once a quarter to the end of the horizon counts as still nurturing. */
const STILL_TOUCHING_DAYS = HORIZON_DAYS - 92;
/** Stage kinds where customers are meant to rest: no "dead end" there. */
const RESTING_KINDS = new Set(["lost", "closed", "churned", "archived", "done", "unsubscribed"]);

/**
 * Warnings an experienced operator would give about a (valid) journey: daily sends for more than
 * three days in a row, fewer than six touches in the first 30 days of a nurture stage, stages
 * without an SOP, content refs missing from the library, content past its expiry (at `options.at`),
 * tag transitions on tags nothing sets, dead ends: stages where a silent customer gets a last
 * touch and then nothing while still enrolled (no repeating step, no `silentFor` way out); at `options.at`, dated steps
 * already past and holidays with no date to come; automatic 1:1 WeCom chats other than the welcome (no official
 * API sends them), `after:`-timed 群发助手 steps (they land in the next send slot anyway: say when); more
 * marketing touches on one day than the workspace's `marketingCap.perDay` (the rest would be deferred, day after day).
 * @example lintJourney(definition, [{ ref: "greeting" }], { at: new Date(), marketingCap: { perDay: 2 } })
 */
export function lintJourney(
  definition: JourneyDefinition,
  library?: ContentItem[],
  options: { at?: Instant; marketingCap?: MarketingCap } = {},
  journeyOptions: JourneyOptions = {},
): LintIssue[] {
  const issues: LintIssue[] = [];
  const warn = (code: LintCode, path: string, message: string) => issues.push({ level: "warning", code, path, message });
  const compiled = compileJourney(definition, journeyOptions);
  const refs = new Map<string, ContentItem>((library ?? []).map((item) => [item.ref, item]));
  const at = options.at === undefined ? undefined : toMillis(options.at, "lint at");

  definition.stages.forEach((stage, i) => {
    const path = `stages[${i}]`;
    if (!stage.sop || stage.sop.length === 0) {
      warn("empty-stage", path, `stage "${stage.id}" has no SOP: customers in it receive nothing`);
      return;
    }
    const days = touchDays(compiled, stage.id);
    const run = longestRun(days);
    if (run.length > MAX_DAILY_RUN) {
      warn("daily-sends", path, `stage "${stage.id}" touches customers ${run.length} days in a row (days ${run.start}–${run.start + run.length - 1}); keep daily sends to ${MAX_DAILY_RUN} days at most`);
    }
    const perDay = options.marketingCap?.perDay;
    if (perDay !== undefined) {
      const busiest = touchDays(compiled, stage.id, true).reduce((a, d) => (d.touches > a.touches ? d : a), { day: 0, touches: 0 });
      if (busiest.touches > perDay) {
        warn("over-marketing-cap", path, `stage "${stage.id}" has ${busiest.touches} marketing touches on day ${busiest.day}, more than the workspace's cap of ${perDay} a day: the rest are deferred to later days`);
      }
    }
    const silentWayOut = (definition.transitions ?? []).some((t) => t.silentFor !== undefined && [t.from].flat().some((f) => f === stage.id || f === "*"));
    const last = days.at(-1)?.day;
    if (!silentWayOut && !RESTING_KINDS.has(stage.kind ?? "") && last !== undefined && last < STILL_TOUCHING_DAYS) {
      warn("dead-end", path, `stage "${stage.id}" goes quiet after day ${last}: a customer who stays silent gets no further touch while still enrolled; add a repeating nurture step (e.g. monthly) or a silentFor transition to another stage`);
    }
    const nurture = stage.kind === "nurture" || (stage.kind === undefined && stage.id === definition.entry);
    const early = days.filter((d) => d.day < 30).reduce((n, d) => n + d.touches, 0);
    if (nurture && early < NURTURE_TOUCHES) {
      warn("few-touches", path, `nurture stage "${stage.id}" has ${early} touches in its first 30 days; customers touched ${NURTURE_TOUCHES}+ times convert markedly better`);
    }
    if (library) {
      stage.sop.forEach((step, j) => {
        const contents = [step.content, ...(step.waitFor?.alternatives ?? []).map((a) => a.content)];
        contents.forEach((ref, k) => {
          const where = k === 0 ? `${path}.sop[${j}].content` : `${path}.sop[${j}].waitFor.alternatives[${k - 1}].content`;
          const item = refs.get(ref);
          if (!item) warn("missing-content", where, `content "${ref}" is not in the content library`);
          else if (at !== undefined && item.expiresAt != null && toMillis(item.expiresAt, `content "${ref}" expiresAt`) <= at) {
            warn("expired-content", where, `content "${ref}" expired on ${new Date(toMillis(item.expiresAt, "expiresAt")).toISOString()}; replace or renew it`);
          }
        });
      });
    }
  });

  for (const chat of automaticChats(definition)) {
    warn("automatic-wecom-chat", chat.path, `step "${chat.stepId}" of stage "${chat.stage}" is an automatic 1:1 private chat: ${AUTOMATIC_CHAT_REASON}`);
  }
  definition.stages.forEach((stage, i) => {
    (stage.sop ?? []).forEach((step, j) => {
      if (step.channel === "private_chat" && step.delivery === "mass_send" && step.after !== undefined) {
        warn("after-mass-send", `stages[${i}].sop[${j}].after`, `群发助手 step "${step.id}" is timed with after: ${JSON.stringify(step.after)}; each customer's time differs, so it is gathered into the next send slot: give it day / at (or a window) so the slot is the one you mean`);
      }
    });
  });

  const produced = new Set<string>([
    ...(definition.tagRules ?? []).filter((r) => r.action !== "remove").map((r) => r.tag),
    ...definition.stages.flatMap((s) => s.onEnter?.addTags ?? []),
  ]);
  if (at !== undefined) calendarWarnings(definition, compiled, at, warn);
  (definition.transitions ?? []).forEach((t, i) => {
    if (t.tag !== undefined && !produced.has(t.tag)) {
      warn("tag-never-set", `transitions[${i}].tag`, `no tag rule or stage sets tag "${t.tag}"; this transition only fires if the tag arrives from outside`);
    }
  });
  return issues;
}

/** Touches per day after entry for one stage visit, assuming waits time out and nobody responds. */
function touchDays(compiled: ReturnType<typeof compileJourney>, stageId: string, marketingOnly = false): Array<{ day: number; touches: number }> {
  const stage = compiled.stages.get(stageId)!;
  const clock = compiled.zone;
  // A Monday 10:00 entry, far from DST changes in most zones.
  const entry = clock.instant(Math.floor(Date.UTC(2026, 0, 5) / DAY), 10 * 3_600_000);
  const d = draftOf({ journey: compiled.id, version: compiled.version, customer: "lint", stage: stageId, visit: 1, enteredAt: entry, clock: entry, active: entry, wake: null });
  const counts = new Map<number, number>();
  const anchors: number[] = [entry];
  for (const step of stage.steps) {
    const anchor = anchors[step.segment] ?? anchors[anchors.length - 1]!;
    for (let occ = nextOccurrence(step, d, clock, anchor), n = 0; occ && n < 1000; occ = nextOccurrence(step, d, clock, anchor), n++) {
      // The cap counts local calendar days; the other checks days since entry.
      const day = marketingOnly ? clock.wall(occ.base).day - clock.wall(entry).day : Math.floor((occ.base - entry) / DAY);
      if (day > HORIZON_DAYS) break;
      if (!marketingOnly || step.kind === "marketing") counts.set(day, (counts.get(day) ?? 0) + 1);
      if (!step.multi) {
        d.done = append(d.done, step.id);
        break;
      }
      d.last = { ...d.last, [step.id]: occ.base };
    }
    if (step.wait) {
      const waited = approxMs(step.wait.timeout) * (step.wait.alternatives.length + 1);
      anchors[step.segment + 1] = anchor + waited;
    }
  }
  return [...counts.entries()].map(([day, touches]) => ({ day, touches })).sort((a, b) => a.day - b.day);
}

function longestRun(days: Array<{ day: number }>): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = 0;
  let length = 0;
  let prev = Number.NaN;
  for (const { day } of days) {
    if (day === prev + 1) length++;
    else {
      start = day;
      length = 1;
    }
    if (length > best.length) best = { start, length };
    prev = day;
  }
  return best;
}
