import type { Channel, JourneyState, StepDueEffect } from "@sopline/core";
import { deliveryKeyRange } from "../../engine/delivery-key-range.js";
import { builder } from "../builder.js";
import { PAST_STEPS_MAX } from "../context.js";
import { ContentType } from "./content.js";
import { DeliveryType } from "./delivery.js";
import { ChannelEnum } from "./enums.js";
import { JourneyType } from "./journey.js";

const DAY = 86_400_000;
/** How far ahead and how many steps `upcomingSteps` answers at most. */
export const UPCOMING_DAYS_MAX = 400;
export const UPCOMING_LIMIT_MAX = 200;

export interface UpcomingStepShape {
  key: string;
  stage: string;
  stepId: string;
  occurrence: string | null;
  dueAt: string;
  channel: Channel;
  content: string;
  mode: "auto" | "task";
}

export const UpcomingStepType = builder.objectRef<UpcomingStepShape>("UpcomingStep").implement({
  description: "A step the customer will receive if nothing changes (computed by the core's simulation; never stored).",
  fields: (t) => ({
    key: t.exposeString("key"),
    stage: t.exposeString("stage"),
    stepId: t.exposeString("stepId"),
    occurrence: t.exposeString("occurrence", { nullable: true }),
    dueAt: t.field({ type: "DateTime", resolve: (s) => s.dueAt }),
    channel: t.field({ type: ChannelEnum, resolve: (s) => s.channel }),
    content: t.exposeString("content"),
    contentEntry: t.field({ type: ContentType, nullable: true, resolve: (s, _args, ctx) => ctx.loaders.content.load(s.content) }),
    mode: t.exposeString("mode"),
  }),
});

const stateOf = (e: { state: unknown }) => e.state as JourneyState;

export const EnrollmentType = builder.prismaObject("Enrollment", {
  description: "A customer's run through one journey: current stage and visit, past steps and upcoming steps.",
  fields: (t) => ({
    id: t.exposeID("id"),
    journeyKey: t.exposeString("journeyKey"),
    journeyVersion: t.exposeInt("journeyVersion"),
    journey: t.field({
      type: JourneyType,
      nullable: true,
      resolve: async (e, _args, ctx) => (await ctx.loaders.journey.load(`${e.journeyKey}@${e.journeyVersion}`))?.row ?? null,
    }),
    stage: t.exposeString("stage"),
    stageName: t.string({
      nullable: true,
      resolve: async (e, _args, ctx) => {
        const j = await ctx.loaders.journey.load(`${e.journeyKey}@${e.journeyVersion}`);
        return j?.compiled.definition.stages.find((s) => s.id === e.stage)?.name ?? null;
      },
    }),
    visit: t.int({ description: "how many stage entries this enrollment has had", resolve: (e) => stateOf(e).visit ?? 0 }),
    enteredAt: t.field({ type: "DateTime", description: "when the current stage was entered", resolve: (e) => new Date(stateOf(e).enteredAt) }),
    tags: t.stringList({ description: "tags the journey has set", resolve: (e) => stateOf(e).tags ?? [] }),
    nextWakeAt: t.expose("nextWakeAt", { type: "DateTime", nullable: true }),
    endedAt: t.expose("endedAt", { type: "DateTime", nullable: true }),
    staff: t.relation("staff", { nullable: true }),
    pastSteps: t.field({
      type: [DeliveryType],
      description: "steps already due (sent, turned into tasks or skipped), most recent first",
      args: { last: t.arg.int({ defaultValue: 100, description: "at most this many (max 500)" }) },
      resolve: async (e, args, ctx) => (await ctx.loaders.pastSteps.load(deliveryKeyRange(e.id, stateOf(e)))).slice(0, Math.min(Math.max(args.last ?? 100, 1), PAST_STEPS_MAX)),
    }),
    upcomingSteps: t.field({
      type: [UpcomingStepType],
      description: "the steps ahead if the customer does nothing, from the core's simulation",
      args: {
        days: t.arg.int({ defaultValue: 90, description: "how far ahead (max 400 days)" }),
        limit: t.arg.int({ defaultValue: 50, description: "at most this many (max 200)" }),
      },
      resolve: async (e, args, ctx) => {
        if (e.endedAt) return [];
        const journey = await ctx.loaders.journey.load(`${e.journeyKey}@${e.journeyVersion}`);
        if (!journey) return [];
        const days = Math.min(Math.max(args.days ?? 90, 0), UPCOMING_DAYS_MAX);
        const limit = Math.min(Math.max(args.limit ?? 50, 0), UPCOMING_LIMIT_MAX);
        if (limit === 0) return [];
        // Bounded: at most `limit` steps and the core's SIMULATION_BUDGET, in time linear in the SOP
        // (milliseconds for a 4,000-step stage), so it runs inline and the page's loads stay batched.
        const sim = journey.compiled.simulate(stateOf(e), [], { until: ctx.now.getTime() + days * DAY, maxSteps: limit });
        return sim.effects
          .filter((x): x is StepDueEffect => x.type === "step.due")
          .map((x) => ({ key: x.key, stage: x.stage, stepId: x.stepId, occurrence: x.occurrence ?? null, dueAt: x.dueAt, channel: x.channel, content: x.content, mode: x.mode }));
      },
    }),
  }),
});
