import { z } from "zod";
import { parseClockTime } from "./clock-time.js";
import { parseDuration } from "./duration.js";
import {
  MAX_DURATION_MS,
  MAX_JOURNEY_VERSION,
  MAX_REPEAT_OCCURRENCES,
  MAX_STAGES,
  MAX_STEP_DAY,
  MAX_STEPS_PER_STAGE,
  MAX_TRANSITIONS,
  MIN_MOMENTS_PERIOD_MS,
  MIN_REPEAT_EVERY_MS,
  MIN_SILENT_FOR_MS,
  MIN_WAIT_TIMEOUT_MS,
  describeMs,
  lengthMs,
} from "./limits.js";
import { whereJsonSchema, whereSchema } from "./where.js";
import { ZoneClock } from "./zone.js";

// The journey definition format. Plain data (JSON / YAML friendly); `journeyJsonSchema()` exports
// it for editors. Cross-references (stage ids, loops, reachability) are checked in validate.ts.

/** A duration of at most 10 years (and at least `minMs` where a shorter one would flood a customer). */
const boundedDuration = (minMs = 0) =>
  z
    .union([z.string(), z.number()])
    .superRefine((value, ctx) => {
      const parsed = parseDuration(value);
      if (typeof parsed === "string") return void ctx.addIssue({ code: "custom", message: parsed });
      const shown = typeof value === "number" ? `${value} ms` : JSON.stringify(value);
      const length = lengthMs(parsed);
      if (length > MAX_DURATION_MS) ctx.addIssue({ code: "custom", message: `${shown} is longer than the maximum of ${describeMs(MAX_DURATION_MS)}` });
      else if (length < minMs) ctx.addIssue({ code: "custom", message: `${shown} is below the minimum of ${describeMs(minMs)}` });
    })
    .describe('A duration: "30m", "2h", "3d", "1w", "6mo", "1y", compounds like "1d12h", ISO 8601 "PT2H" / "P3D", or milliseconds; at most 10 years');
const duration = boundedDuration();

const clockTime = z
  .string()
  .superRefine((value, ctx) => {
    const parsed = parseClockTime(value);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
  })
  .describe('A wall-clock time "HH:mm" in the customer\'s time zone');

const timeZone = z
  .string()
  .superRefine((value, ctx) => {
    if (!ZoneClock.isValid(value)) ctx.addIssue({ code: "custom", message: `"${value}" is not an IANA time zone (e.g. "Asia/Shanghai")` });
  })
  .describe('An IANA time zone, e.g. "Asia/Shanghai"');

const isoDate = z
  .string()
  .superRefine((value, ctx) => {
    if (!ZoneClock.isDate(value)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not a date "YYYY-MM-DD"` });
  })
  .describe('A calendar date "YYYY-MM-DD"');

const id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "ids use letters, digits, '_', '-' and '.' (no ':', '#', '~' or spaces)");
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]);

export const CHANNELS = ["private_chat", "group_chat", "moments", "official_account", "mini_program", "sms", "call", "webhook", "offline_event"] as const;
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

export const channelSchema = z.enum(CHANNELS).describe("Where the touch happens");
// "workdays" / "offdays" follow the official calendar passed as options.workdays (调休 included);
// without one they mean Monday–Friday / the weekend.
const weekday = z.union([z.enum(WEEKDAYS), z.enum(["weekdays", "weekend", "workdays", "offdays"])]);

export const timeRangeSchema = z.strictObject({
  from: clockTime,
  to: clockTime.describe('End of the range (exclusive); earlier than "from" means it runs past midnight'),
  days: z.array(weekday).min(1).optional().describe("Weekdays the range applies to (default every day)"),
}).refine((r) => r.from !== r.to, { message: "an empty range: from equals to", path: ["to"] });

const windows = oneOrMany(timeRangeSchema);
export const windowSchema = z
  .union([
    windows,
    z.strictObject({
      byAttribute: z.string().min(1).describe("Customer attribute that picks the audience, e.g. role"),
      cases: z.record(z.string(), windows),
      default: windows.optional(),
    }),
  ])
  .describe("Send window(s): a step due outside them moves to the next opening; per-audience windows by a customer attribute");

const timing = {
  window: windowSchema.optional(),
  quietHours: oneOrMany(timeRangeSchema).optional().describe("Times no touch is sent, e.g. 22:00–08:00"),
  expireAfter: duration.optional().describe("Skip a step (reason `expired`) when it would be sent later than this after its due time"),
};

export const frequencyCapSchema = z.strictObject({
  max: z.number().int().min(1),
  per: duration.describe("Rolling period, e.g. 1d"),
  modes: z.array(z.enum(["auto", "task"])).min(1).optional().describe('Which touches count (default ["auto"])'),
});

export const DELIVERY_PATHS = ["chat", "mass_send"] as const;
/** How a private_chat touch reaches a WeCom customer (WECHAT.md "Reaching an external contact 1:1"). */
export const deliveryPathSchema = z
  .enum(DELIVERY_PATHS)
  .describe('private_chat only. "chat" (default): a 1:1 chat (mode task: the staff member sends it from the chat toolbar; mode auto: only the welcome, or with a registered private_chat adapter). "mass_send": a 群发助手 task the staff member confirms, gathered into daily send slots');

export const alternativeSchema = z.strictObject({
  content: z.string().min(1),
  channel: channelSchema.optional(),
  mode: z.enum(["auto", "task"]).optional(),
  delivery: deliveryPathSchema.optional().describe("Default: the step's delivery when on private_chat"),
});

export const stepSchema = z
  .strictObject({
    id,
    title: z.string().optional(),
    channel: channelSchema,
    content: z.string().min(1).describe("Content ref in the content library"),
    mode: z.enum(["auto", "task"]).optional().describe("auto: the system sends it; task: a staff member does it (default auto)"),
    kind: z.enum(["marketing", "service"]).optional().describe("marketing (default) counts against the workspace's marketing cap across journeys; service (a notice, an answer) never does"),
    priority: z
      .number()
      .int({ error: (issue) => `priority ${String(issue.input)} is not a whole number` })
      .min(0, { error: (issue) => `priority ${String(issue.input)} is below 0` })
      .max(100, { error: (issue) => `priority ${String(issue.input)} is above 100` })
      .optional()
      .describe("0–100, default 50: when the workspace's marketing cap leaves room for fewer touches than are due, higher goes first and the rest are deferred"),
    delivery: deliveryPathSchema.optional(),
    assignee: z.string().min(1).optional().describe("Staff id or role for task steps (default: the customer's staff member)"),
    after: duration.optional().describe("Due this long after stage entry (or after the previous wait ended)"),
    day: z.number().int().min(0).max(MAX_STEP_DAY, { error: (issue) => `day ${String(issue.input)} is past the last day allowed, ${MAX_STEP_DAY} (10 years)` }).optional().describe("Calendar day after entry: 0 = the entry day, in the customer's time zone"),
    at: clockTime.optional().describe("Time of day for `day`, `birthday`, `holiday` and `date` steps"),
    birthday: z.literal(true).optional().describe("Due on the customer's birthday each year while in the stage"),
    holiday: z.string().min(1).optional().describe("Due on each date of this holiday in the calendar passed to defineJourney"),
    date: isoDate.optional().describe("Due once on this date at `at` in the journey's time zone, the same instant for every customer (a dated campaign: a webinar night, 618, 双11); not sent to customers who enter the stage after it"),
    repeat: z
      .strictObject({
        every: boundedDuration(MIN_REPEAT_EVERY_MS),
        times: z.number().int().min(1).max(MAX_REPEAT_OCCURRENCES, { error: (issue) => `${String(issue.input)} occurrences is above the maximum of ${MAX_REPEAT_OCCURRENCES}` }).optional().describe("Number of occurrences in all"),
        for: duration.optional().describe("Repeat while within this long after the first occurrence"),
      })
      .optional(),
    unless: oneOrMany(z.union([z.string().min(1), z.strictObject({ event: z.string().min(1), where: whereSchema })]))
      .optional()
      .describe('Skip the step if any of these events happened since stage entry; { event, where } counts only events whose data passes `where`'),
    waitFor: z
      .strictObject({
        event: oneOrMany(z.string().min(1)),
        where: whereSchema.optional(),
        timeout: boundedDuration(MIN_WAIT_TIMEOUT_MS),
        alternatives: z.array(alternativeSchema).optional().describe("Other bait sent one by one while the customer does not respond"),
        onTimeout: z.enum(["continue", "stay"]).optional().describe("After the last alternative: continue with later steps (default) or stay waiting"),
      })
      .optional()
      .describe("Hold later steps of the stage until the customer does one of these events"),
    moments: z
      .strictObject({
        period: boundedDuration(MIN_MOMENTS_PERIOD_MS).describe("A staff member posts this content at most once per period (default: the workspace's, else 7 days)"),
      })
      .optional()
      .describe("Moments steps: one post per staff member per content per period, seen by the customers whose step fell due"),
    ...timing,
  })
  .describe("One touch of a stage's SOP");

export const stageSchema = z.strictObject({
  id,
  name: z.string().optional(),
  kind: z.string().optional().describe('e.g. "nurture" (lint expects ≥ 6 touches in its first 30 days), "quiet", "converted"'),
  manual: z.boolean().optional().describe("Reached only by manual moves from the board (no transition leads here)"),
  sop: z.array(stepSchema).max(MAX_STEPS_PER_STAGE, { error: (issue) => `${(issue.input as unknown[]).length} steps is above the maximum of ${MAX_STEPS_PER_STAGE} per stage` }).optional(),
  onEnter: z
    .strictObject({ addTags: z.array(z.string().min(1)).optional(), removeTags: z.array(z.string().min(1)).optional() })
    .optional(),
  frequencyCap: frequencyCapSchema.optional(),
  ...timing,
});

const stageRef = z.string().min(1);
export const transitionSchema = z.strictObject({
  from: z.union([stageRef, z.array(stageRef).min(1)]).describe('Stage id(s) or "*" for any stage'),
  to: stageRef,
  on: oneOrMany(z.string().min(1)).optional().describe("Event name(s) that move the customer"),
  where: whereSchema.optional(),
  tag: z.string().min(1).optional().describe("Move as soon as the customer has this tag"),
  silentFor: boundedDuration(MIN_SILENT_FOR_MS).optional().describe("Move after this long without any customer event (or without the events named in `of`)"),
  of: z
    .array(z.string().min(1, { error: "an event name cannot be empty" }), { error: (issue) => `expected a list of event names, e.g. ["app.login"], got ${JSON.stringify(issue.input)}` })
    .min(1, { error: 'expected at least one event name, e.g. ["app.login"]' })
    .optional()
    .describe('With silentFor: only these events break the silence ("no app.login in 7 days"); default any customer event'),
});

export const tagRuleSchema = z.strictObject({
  tag: z.string().min(1),
  on: oneOrMany(z.string().min(1)),
  where: whereSchema.optional(),
  count: z.number().int().min(1).optional().describe("How many such events (default 1)"),
  within: duration.optional().describe("…within this rolling period"),
  action: z.enum(["add", "remove"]).optional(),
});

const opportunitySignal = z.union([
  z.string().min(1, { error: "an event name cannot be empty" }),
  z.strictObject({
    event: z.string().min(1, { error: "an event name cannot be empty" }),
    intent: z.number().int().min(1).max(1000).optional().describe("Rank on the board (higher first); default by event name, else 50"),
  }),
]);
const eventOfSignal = (s: z.input<typeof opportunitySignal>) => (typeof s === "string" ? s : s.event);

/** Which customer behaviour makes a 今日通话机会 (call) or a 今日聊天机会 (chat) for their staff member. */
export const opportunitiesSchema = z
  .strictObject({
    call: z.array(opportunitySignal).optional().describe('Events that mean "call them now", e.g. ["demo.requested"]'),
    chat: z.array(opportunitySignal).optional().describe('Events that mean "answer them in chat", e.g. ["message.replied", "content.read"]'),
  })
  .superRefine((o, ctx) => {
    const call = new Set((o.call ?? []).map(eventOfSignal));
    (o.chat ?? []).forEach((s, i) => {
      if (call.has(eventOfSignal(s))) ctx.addIssue({ code: "custom", path: ["chat", i], message: `"${eventOfSignal(s)}" is already a call signal: an event makes one kind of opportunity` });
    });
  })
  .describe("Intent signals that put a customer on their staff member's opportunity lists (defaults: see the gateway README)");

/** What counts as a conversion for metrics: the customer does `event` within `within` of entering the journey. */
export const goalSchema = z
  .strictObject({
    event: z.string().min(1, { error: 'the goal needs an event name, e.g. "trial.started"' }).describe("The event that counts as a conversion"),
    within: duration.optional().describe("…within this long of entering the journey (default: any time)"),
  })
  .describe("The journey's conversion goal (metrics: converted, attributed to the last touch before it)");

export const journeyDefinitionSchema = z
  .strictObject({
    id,
    version: z
      .number()
      .int()
      .min(1)
      .max(MAX_JOURNEY_VERSION, { error: (issue) => `${String(issue.input)} is above the largest version, ${MAX_JOURNEY_VERSION} (versions are stored as 32-bit integers)` }),
    name: z.string().optional(),
    timezone: timeZone.describe("Default time zone for customers without one"),
    entry: stageRef.describe("The stage a new enrollment starts in"),
    stages: z.array(stageSchema).min(1).max(MAX_STAGES, { error: (issue) => `${(issue.input as unknown[]).length} stages is above the maximum of ${MAX_STAGES}` }),
    transitions: z.array(transitionSchema).max(MAX_TRANSITIONS, { error: (issue) => `${(issue.input as unknown[]).length} transitions is above the maximum of ${MAX_TRANSITIONS}` }).optional(),
    tagRules: z.array(tagRuleSchema).optional(),
    opportunities: opportunitiesSchema.optional(),
    goal: goalSchema.optional(),
    frequencyCap: frequencyCapSchema.optional(),
    ...timing,
  })
  .describe("A sopline journey: stages, their SOPs and the transitions between them");

export type JourneyDefinition = z.input<typeof journeyDefinitionSchema>;
export type StageDefinition = z.input<typeof stageSchema>;
export type StepDefinition = z.input<typeof stepSchema>;
export type TransitionDefinition = z.input<typeof transitionSchema>;
export type TagRuleDefinition = z.input<typeof tagRuleSchema>;
export type OpportunitiesDefinition = z.input<typeof opportunitiesSchema>;
export type GoalDefinition = z.input<typeof goalSchema>;
export type TimeRange = z.input<typeof timeRangeSchema>;
export type WindowDefinition = z.input<typeof windowSchema>;
export type FrequencyCap = z.input<typeof frequencyCapSchema>;
export type Channel = (typeof CHANNELS)[number];
export type DeliveryPath = (typeof DELIVERY_PATHS)[number];

/**
 * The definition format as JSON Schema (draft 2020-12), for editors and YAML language servers.
 * @example writeFileSync("journey.schema.json", JSON.stringify(journeyJsonSchema(), null, 2))
 */
export function journeyJsonSchema(): Record<string, unknown> {
  const where = whereJsonSchema();
  return z.toJSONSchema(journeyDefinitionSchema, {
    io: "input",
    unrepresentable: "any",
    // `where` is checked by hand (precise paths); its shape for editors comes from where.ts.
    override: (ctx) => {
      if (ctx.zodSchema === whereSchema) Object.assign(ctx.jsonSchema, where);
    },
  }) as Record<string, unknown>;
}
