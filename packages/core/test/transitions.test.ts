import { describe, expect, it } from "vitest";
import { type JourneyDefinition, type JourneyInput, defineJourney } from "@sopline/core";
import { SH, dueTimes, sh } from "./helpers.js";

const definition: JourneyDefinition = {
  id: "b2b-nurture", version: 1, timezone: SH, entry: "new",
  stages: [
    { id: "new", sop: [
      { id: "greet", after: "0m", channel: "private_chat", content: "greeting" },
      { id: "regreet", after: "2h", unless: "message.replied", channel: "private_chat", content: "greeting-2" },
      { id: "case", day: 1, at: "09:00", channel: "private_chat", content: "case-1", mode: "task" },
      { id: "article", day: 3, at: "20:00", channel: "private_chat", content: "article-1" },
    ] },
    { id: "interested", onEnter: { addTags: ["mql"] }, sop: [{ id: "trial", after: "1h", channel: "private_chat", content: "trial-offer" }] },
    { id: "hot", sop: [{ id: "call", after: "0m", channel: "call", content: "sales-call", mode: "task", assignee: "sales-lead" }] },
    { id: "quiet", sop: [{ id: "wake", day: 1, at: "20:00", channel: "moments", content: "digest" }] },
    { id: "member", manual: true, sop: [{ id: "welcome", after: "0m", channel: "private_chat", content: "member-welcome" }] },
  ],
  transitions: [
    { from: "new", to: "interested", on: "demo.attended" },
    { from: "interested", to: "hot", tag: "engaged" },
    { from: "*", to: "quiet", silentFor: "30d" },
    { from: "quiet", to: "interested", on: "message.replied" },
  ],
  tagRules: [{ tag: "engaged", on: "link.clicked", count: 3, within: "7d" }],
};
const journey = defineJourney(definition);
const ev = (name: string, at: string, id = `${name}@${at}`): JourneyInput => ({ type: "event", id, name, at });

describe("stage transitions", () => {
  it("an event moves the customer: the new stage's SOP starts anew, the old stage's pending steps stop", () => {
    const sim = journey.simulate({ id: "c" }, [ev("demo.attended", sh("2026-11-24 15:00"))], { start: sh("2026-11-23 10:00"), until: sh("2026-12-10 00:00") });
    expect(dueTimes(sim.effects)).toEqual(["greet@2026-11-23 10:00", "regreet@2026-11-23 12:00", "case@2026-11-24 09:00", "trial@2026-11-24 16:00"]);
    const exited = sim.effects.find((e) => e.type === "stage.exited");
    expect(exited).toMatchObject({ stage: "new", visit: 1, cancelled: ["article"] });
    const entered = sim.effects.filter((e) => e.type === "stage.entered");
    expect(entered.map((e) => [e.from, e.to, e.reason, e.visit])).toEqual([
      [null, "new", "enroll", 1],
      ["new", "interested", "event", 2],
    ]);
    expect(entered[1]).toMatchObject({ event: { id: `demo.attended@${sh("2026-11-24 15:00")}`, name: "demo.attended" } });
    expect(sim.effects.filter((e) => e.type === "tag.added")).toMatchObject([{ tag: "mql", reason: "stage" }]);
  });

  it("auto-tags from behaviour counted within a period, and a tag moves the customer", () => {
    const clicks = [sh("2026-11-24 10:00"), sh("2026-11-29 10:00"), sh("2026-12-04 10:00"), sh("2026-12-05 10:00")].map((at, i) => ev("link.clicked", at, `k${i}`));
    const sim = journey.simulate({ id: "c" }, [ev("demo.attended", sh("2026-11-23 12:00")), ...clicks], { start: sh("2026-11-23 10:00"), until: sh("2026-12-10 00:00") });
    // Clicks 1–3 span 10 days (not within 7); clicks 2–4 are within 7 days → tagged at the 4th.
    const tagged = sim.effects.find((e) => e.type === "tag.added" && e.tag === "engaged");
    expect(tagged).toMatchObject({ at: new Date(sh("2026-12-05 10:00")).toISOString(), reason: "rule" });
    const hot = sim.effects.find((e) => e.type === "stage.entered" && e.to === "hot");
    expect(hot).toMatchObject({ reason: "tag", tag: "engaged", from: "interested" });
    expect(sim.effects.find((e) => e.type === "step.due" && e.stepId === "call")).toMatchObject({ mode: "task", assignee: "sales-lead", channel: "call" });
  });

  it("long silence moves anyone to quiet; a reply brings them back to interested", () => {
    const sim = journey.simulate({ id: "c" }, [ev("message.replied", sh("2027-01-10 21:00"))], { start: sh("2026-11-23 10:00"), until: sh("2027-01-15 00:00") });
    const moves = sim.effects.filter((e) => e.type === "stage.entered").map((e) => `${e.to}:${e.reason}@${e.at}`);
    expect(moves).toEqual([
      `new:enroll@${new Date(sh("2026-11-23 10:00")).toISOString()}`,
      `quiet:silence@${new Date(sh("2026-12-23 10:00")).toISOString()}`,
      `interested:event@${new Date(sh("2027-01-10 21:00")).toISOString()}`,
    ]);
    expect(dueTimes(sim.effects)).toContain("wake@2026-12-24 20:00");
  });

  it("silence counts from the last customer event", () => {
    const sim = journey.simulate({ id: "c" }, [ev("link.clicked", sh("2026-12-01 10:00"))], { start: sh("2026-11-23 10:00"), until: sh("2027-01-15 00:00") });
    const quiet = sim.effects.find((e) => e.type === "stage.entered" && e.to === "quiet");
    expect(quiet).toMatchObject({ at: new Date(sh("2026-12-31 10:00")).toISOString() });
  });

  it("manual moves from the board go anywhere, restart a stage as a new visit with fresh keys", () => {
    let state = journey.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    state = journey.advance(state, { type: "tick", at: sh("2026-11-23 10:00") }).state;
    const moved = journey.advance(state, { type: "move", to: "member", at: sh("2026-11-23 11:00"), by: "staff-1" });
    expect(moved.effects.find((e) => e.type === "stage.entered")).toMatchObject({ to: "member", reason: "manual", by: "staff-1", visit: 2 });
    const again = journey.advance(moved.state, { type: "move", to: "member", at: sh("2026-11-23 12:00") });
    const keys = [...moved.effects, ...again.effects].filter((e) => e.type === "step.due").map((e) => (e as { key: string }).key);
    expect(keys).toEqual(["b2b-nurture:c:member:2:welcome", "b2b-nurture:c:member:3:welcome"]);
    expect(() => journey.advance(state, { type: "move", to: "nowhere", at: sh("2026-11-23 11:00") })).toThrow(/input.to: unknown stage "nowhere"/);
  });

  it("an event arriving late still counts but does not rewrite what was already sent", () => {
    let state = journey.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    state = journey.advance(state, { type: "tick", at: sh("2026-11-23 13:00") }).state; // regreet was sent at 12:00
    const late = journey.advance(state, { type: "event", id: "r", name: "message.replied", at: sh("2026-11-23 11:00") });
    expect(late.effects.filter((e) => e.type === "step.due" || e.type === "step.skipped")).toEqual([]);
    expect(late.state.active).toBe(Date.parse(sh("2026-11-23 11:00")));
  });

  it("assigning a staff member puts them on later task steps", () => {
    let state = journey.enroll({ id: "c", assignee: "alice" }, sh("2026-11-23 10:00"));
    const handed = journey.advance(state, { type: "assign", assignee: "bob", at: sh("2026-11-23 18:00"), by: "admin" });
    expect(handed.effects.find((e) => e.type === "assignee.changed")).toMatchObject({ from: "alice", to: "bob", by: "admin" });
    state = journey.advance(handed.state, { type: "tick", at: sh("2026-11-24 09:00") }).state;
    const all = journey.simulate({ id: "c", assignee: "bob" }, [], { start: sh("2026-11-23 10:00"), until: sh("2026-11-24 10:00") });
    expect(all.effects.find((e) => e.type === "step.due" && e.stepId === "case")).toMatchObject({ assignee: "bob" });
    expect(state.assignee).toBe("bob");
  });
});

describe("calendar steps", () => {
  const holidays = { "spring-festival": ["2027-02-06", "2028-01-26"], "mid-autumn": ["2027-09-15"] };
  const cal = defineJourney(
    {
      id: "care", version: 1, timezone: SH, entry: "member",
      stages: [{ id: "member", sop: [
        { id: "bday", birthday: true, at: "08:00", channel: "private_chat", content: "birthday-card" },
        { id: "cny", holiday: "spring-festival", at: "10:00", channel: "group_chat", content: "cny-greeting" },
      ] }],
    },
    { holidays },
  );

  it("greets on the customer's birthday every year and on each holiday date from the calendar passed in", () => {
    const sim = cal.simulate({ id: "c", birthday: "1990-03-14" }, [], { start: sh("2026-12-01 12:00"), until: sh("2028-06-01 00:00") });
    expect(dueTimes(sim.effects)).toEqual(["cny#2027-02-06@2027-02-06 10:00", "bday#2027@2027-03-14 08:00", "cny#2028-01-26@2028-01-26 10:00", "bday#2028@2028-03-14 08:00"]);
  });

  it("a 29 February birthday falls on 28 February in common years; no birthday, no birthday step", () => {
    const sim = cal.simulate({ id: "leap", birthday: "02-29" }, [], { start: sh("2026-12-01 12:00"), until: sh("2027-12-01 00:00") });
    expect(dueTimes(sim.effects)).toContain("bday#2027@2027-02-28 08:00");
    const none = cal.simulate({ id: "n" }, [], { start: sh("2026-12-01 12:00"), until: sh("2027-12-01 00:00") });
    expect(dueTimes(none.effects)).toEqual(["cny#2027-02-06@2027-02-06 10:00"]);
  });

  it("rejects a holiday missing from the calendar and a malformed birthday", () => {
    expect(() => defineJourney(cal.definition)).toThrow(/holiday "spring-festival" is not in the calendar/);
    expect(() => cal.enroll({ id: "c", birthday: "14/03" }, sh("2026-12-01 12:00"))).toThrow(/customer.birthday/);
  });
});
