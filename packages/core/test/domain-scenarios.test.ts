import { describe, expect, it } from "vitest";
import { type Effect, type JourneyState, defineJourney, lintJourney } from "@sopline/core";
import { b2bNurture, carDealer, course89, reactivation } from "../../../examples/journeys/index.js";
import { SH, dueTimes, local, sh } from "./helpers.js";

describe("DOMAIN.md scenarios", () => {
  it("the tag-vs-journey failure: 4 customers added on day 1 and 3 on day 2 each get the day-2 step exactly once, on their own day 2", () => {
    const journey = defineJourney({
      id: "welcome", version: 1, timezone: SH, entry: "new",
      stages: [{ id: "new", sop: [
        { id: "day1", day: 0, at: "20:00", channel: "private_chat", content: "welcome" },
        { id: "day2", day: 1, at: "20:00", channel: "private_chat", content: "day-2-message" },
      ] }],
    });
    const added = [
      ...["a", "b", "c", "d"].map((id, i) => ({ id, at: sh(`2026-11-23 ${10 + i}:00`) })),
      ...["e", "f", "g"].map((id, i) => ({ id, at: sh(`2026-11-24 ${13 + i}:15`) })),
    ];
    // One scheduler ticking everybody every 30 minutes for a week, as a mass-send-to-tag would not.
    const states = new Map<string, JourneyState>();
    const effects: Effect[] = [];
    for (let t = Date.parse(sh("2026-11-23 00:00")); t <= Date.parse(sh("2026-11-30 00:00")); t += 30 * 60_000) {
      for (const c of added) if (!states.has(c.id) && Date.parse(c.at) <= t) states.set(c.id, defineJourney(journey.definition).enroll({ id: c.id }, c.at));
      for (const [id, state] of states) {
        const next = journey.advance(state, { type: "tick", at: t });
        effects.push(...next.effects);
        states.set(id, next.state);
      }
    }
    const day2 = effects.filter((e) => e.type === "step.due" && e.stepId === "day2");
    expect(day2.map((e) => `${e.customer}@${local((e as { dueAt: string }).dueAt)}`).sort()).toEqual([
      "a@2026-11-24 20:00", "b@2026-11-24 20:00", "c@2026-11-24 20:00", "d@2026-11-24 20:00",
      "e@2026-11-25 20:00", "f@2026-11-25 20:00", "g@2026-11-25 20:00",
    ]);
    const keys = effects.filter((e) => e.type === "step.due").map((e) => (e as { key: string }).key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(14);
  });

  it("B2B six touches: nurture schedule, demo → interested with a trial push and a call task for sales", () => {
    const journey = defineJourney(b2bNurture);
    const quietLead = journey.simulate({ id: "lead", assignee: "sales-amy" }, [], { start: sh("2026-11-23 10:00"), until: sh("2027-01-10 00:00") });
    const early = dueTimes(quietLead.effects).filter((t) => t < "zz" && !t.startsWith("wake"));
    expect(early.slice(0, 5)).toEqual(["greet@2026-11-23 10:00", "whitepaper@2026-11-23 12:00", "case@2026-11-24 09:00", "article@2026-11-26 20:00", "trial@2026-11-30 10:00"]);
    expect(quietLead.effects.find((e) => e.type === "stage.entered" && e.to === "quiet")).toMatchObject({ reason: "silence" });

    const demo = journey.simulate(
      { id: "demo", assignee: "sales-amy" },
      [{ type: "event", id: "d1", name: "demo.attended", at: sh("2026-11-25 15:00") }],
      { start: sh("2026-11-23 10:00"), until: sh("2026-11-30 00:00") },
    );
    const call = demo.effects.find((e) => e.type === "step.due" && e.stepId === "sales-call");
    expect(call).toMatchObject({ mode: "task", channel: "call", assignee: "sales-amy", dueAt: new Date(sh("2026-11-26 10:00")).toISOString() });
    expect(dueTimes(demo.effects)).toContain("trial-push@2026-11-25 16:00");
  });

  it("the ¥8.9 course: 11 touches in the 2 days after following", () => {
    const journey = defineJourney(course89);
    const sim = journey.simulate({ id: "fan" }, [], { start: sh("2026-11-23 09:00"), until: sh("2026-11-26 00:00") });
    const touches = sim.effects.filter((e) => e.type === "step.due");
    expect(touches).toHaveLength(11);
    expect(Date.parse((touches.at(-1) as { dueAt: string }).dueAt) - Date.parse(sh("2026-11-23 09:00"))).toBeLessThanOrEqual(2 * 86_400_000);
    const buyer = journey.simulate({ id: "buyer" }, [{ type: "event", id: "p", name: "order.paid", at: sh("2026-11-23 10:00") }], { start: sh("2026-11-23 09:00"), until: sh("2026-11-26 00:00") });
    expect(dueTimes(buyer.effects)).toEqual(["offer@2026-11-23 09:00", "brand-qa@2026-11-23 09:30", "welcome@2026-11-23 10:00"]);
  });

  it("reactivation: silent 30 days → quiet, activation bait until a reply moves them back", () => {
    const journey = defineJourney(reactivation);
    const sim = journey.simulate(
      { id: "c" },
      [{ type: "event", id: "r", name: "message.replied", at: sh("2026-12-29 12:00") }],
      { start: sh("2026-11-20 10:00"), until: sh("2027-01-05 00:00") },
    );
    expect(dueTimes(sim.effects)).toEqual(["monthly-care#1@2026-12-04 10:00", "activate@2026-12-20 20:00", "activate~1@2026-12-23 20:00", "activate~2@2026-12-26 20:00"]);
    expect(sim.effects.filter((e) => e.type === "stage.entered").map((e) => e.to)).toEqual(["active", "quiet", "active"]);
  });

  it("car dealer: test-drive invitations inside the showroom's windows, call tasks for staff", () => {
    const journey = defineJourney(carDealer);
    const sim = journey.simulate({ id: "c", assignee: "staff-li" }, [], { start: sh("2026-11-23 21:00"), until: sh("2026-12-31 00:00") });
    // Monday 21:00 is after the evening window: the welcome waits until Tuesday 10:00.
    expect(dueTimes(sim.effects).slice(0, 4)).toEqual(["welcome@2026-11-24 10:00", "first-call@2026-11-24 10:30", "model-video@2026-11-25 18:00", "invite@2026-11-28 08:00"]);
  });

  it("the example journeys lint clean against a full library", () => {
    for (const def of [b2bNurture, course89, reactivation, carDealer]) {
      const refs = def.stages.flatMap((s) => (s.sop ?? []).flatMap((st) => [st.content, ...(st.waitFor?.alternatives ?? []).map((a) => a.content)]));
      const issues = lintJourney(def, refs.map((ref) => ({ ref })));
      expect(issues.filter((i) => i.code !== "daily-sends"), def.id).toEqual([]);
    }
  });
});
