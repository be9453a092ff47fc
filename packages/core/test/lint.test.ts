import { describe, expect, it } from "vitest";
import { defineJourney, lintJourney, renderTimeline } from "@sopline/core";
import { SH, sh } from "./helpers.js";

// 群发助手 steps at a time of day: an official WeCom path, so only the pacing lints apply.
const step = (id: string, day: number, content = id) => ({ id, day, at: "10:00", channel: "private_chat" as const, delivery: "mass_send" as const, content });

describe("lintJourney", () => {
  it("warns about daily sends for more than 3 days, thin nurture stages, empty stages, missing and expired content", () => {
    const journey = defineJourney({
      id: "lint", version: 1, timezone: SH, entry: "new",
      stages: [
        { id: "new", kind: "nurture", sop: [step("d0", 0), step("d1", 1), step("d2", 2), step("d3", 3)] },
        { id: "quiet", sop: [] },
      ],
      transitions: [{ from: "*", to: "quiet", silentFor: "30d" }],
    });
    const library = [{ ref: "d0" }, { ref: "d1" }, { ref: "d2", expiresAt: "2026-01-01T00:00:00Z" }];
    const issues = lintJourney(journey.definition, library, { at: "2026-11-23T00:00:00Z" });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["daily-sends", "stages[0]"],
      ["few-touches", "stages[0]"],
      ["expired-content", "stages[0].sop[2].content"],
      ["missing-content", "stages[0].sop[3].content"],
      ["empty-stage", "stages[1]"],
    ]);
    expect(issues[0]!.message).toMatch(/4 days in a row/);
    expect(issues[1]!.message).toMatch(/4 touches in its first 30 days/);
  });

  it("a well-paced nurture stage that keeps nurturing monthly, with its content in the library, is clean", () => {
    const monthly = { id: "monthly", day: 45, at: "10:00", repeat: { every: "1mo", times: 12 }, channel: "official_account" as const, content: "digest" };
    const sop = [step("a", 0), step("b", 1), step("c", 3), step("d", 7), step("e", 14), step("f", 21), step("g", 28), monthly];
    const issues = lintJourney({ id: "ok", version: 1, timezone: SH, entry: "new", stages: [{ id: "new", sop }] }, sop.map((s) => ({ ref: s.content })), { at: new Date(0) });
    expect(issues).toEqual([]);
  });

  it("flags tag transitions on tags nothing sets", () => {
    const issues = lintJourney({
      id: "t", version: 1, timezone: SH, entry: "new",
      stages: [{ id: "new", sop: [step("a", 0), step("b", 1), step("c", 3), step("d", 7), step("e", 14), step("f", 21)] }, { id: "hot", sop: [step("x", 0)] }],
      transitions: [{ from: "new", to: "hot", tag: "vip" }],
    });
    expect(issues.filter((i) => i.code !== "dead-end")).toEqual([expect.objectContaining({ code: "tag-never-set", path: "transitions[0].tag" })]);
  });

  it("flags dead ends: a stage where a silent customer gets a last touch and then nothing while enrolled", () => {
    const nurture = [step("a", 0), step("b", 1), step("c", 3), step("d", 7), step("e", 14), step("f", 21)];
    const issues = lintJourney({
      id: "d", version: 1, timezone: SH, entry: "new",
      stages: [
        { id: "new", sop: nurture },
        { id: "quiet", kind: "quiet", sop: [step("wake", 1), { ...step("monthly", 30), repeat: { every: "1mo", times: 3 } }] },
        { id: "member", sop: [step("thanks", 0), { ...step("care", 30), repeat: { every: "1mo", times: 12 } }] },
        { id: "lost", kind: "lost", sop: [step("bye", 0)] },
      ],
      transitions: [{ from: "new", to: "quiet", silentFor: "30d" }],
    });
    // "new" has a silentFor way out, "member" keeps touching for a year, "lost" is meant to rest;
    // "quiet" stops after its third monthly touch (day 89 from a 5 January entry) with nowhere to go.
    expect(issues.filter((i) => i.code === "dead-end").map((i) => [i.path, i.message])).toEqual([
      ["stages[1]", expect.stringMatching(/^stage "quiet" goes quiet after day 89: a customer who stays silent gets no further touch/)],
    ]);
  });
});

describe("lintJourney: WeCom delivery paths", () => {
  const paced = [step("c", 3), step("d", 7), step("e", 14), step("f", 21), step("g", 28)];
  const refs = (sop: Array<{ content: string }>) => sop.map((s) => ({ ref: s.content }));

  it("warns about automatic 1:1 WeCom chats other than the welcome, naming the step's path (alternatives too)", () => {
    const sop = [
      { id: "hello", after: "0m", channel: "private_chat" as const, content: "hello" }, // the welcome: send_welcome_msg
      { id: "nudge", after: "2h", channel: "private_chat" as const, content: "nudge" },
      { id: "by-hand", day: 1, at: "10:00", channel: "private_chat" as const, content: "by-hand", mode: "task" as const },
      ...paced,
      {
        id: "bait", day: 30, at: "10:00", channel: "private_chat" as const, delivery: "mass_send" as const, content: "bait",
        waitFor: { event: "message.replied", timeout: "3d", alternatives: [{ content: "bait-2", delivery: "chat" as const }, { content: "bait-3" }] },
      },
    ];
    const issues = lintJourney({ id: "w", version: 1, timezone: SH, entry: "new", stages: [{ id: "new", sop }] }, [...refs(sop), { ref: "bait-2" }, { ref: "bait-3" }]).filter((i) => i.code !== "dead-end"); // dead ends: their own test
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["automatic-wecom-chat", "stages[0].sop[1]"],
      ["automatic-wecom-chat", "stages[0].sop[8].waitFor.alternatives[0]"],
    ]);
    expect(issues[0]!.message).toMatch(/step "nudge" of stage "new" is an automatic 1:1 private chat: no official WeCom API/);
  });

  it("warns about after:-timed 群发助手 steps (they land in the next send slot)", () => {
    const sop = [step("a", 0), { id: "later", after: "2h", channel: "private_chat" as const, delivery: "mass_send" as const, content: "later" }, step("b", 1), ...paced];
    const issues = lintJourney({ id: "m", version: 1, timezone: SH, entry: "new", stages: [{ id: "new", sop }] }, refs(sop)).filter((i) => i.code !== "dead-end"); // dead ends: their own test
    expect(issues).toEqual([expect.objectContaining({ code: "after-mass-send", path: "stages[0].sop[1].after" })]);
    expect(issues[0]!.message).toMatch(/next send slot/);
  });
});

describe("renderTimeline", () => {
  it("renders a simulation as a readable table in the customer's zone", () => {
    const journey = defineJourney({
      id: "r", version: 1, timezone: SH, entry: "new",
      stages: [{ id: "new", sop: [step("hello", 0), { id: "call", day: 1, at: "09:00", channel: "call", content: "intro-call", mode: "task" }] }],
    });
    const sim = journey.simulate({ id: "c", assignee: "alice" }, [], { start: sh("2026-11-23 08:00"), until: sh("2026-11-30 00:00") });
    const text = renderTimeline(sim.effects, { timezone: SH });
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^when \(Asia\/Shanghai\)\s+stage\s+what\s+channel\s+content \/ detail\s+mode$/);
    expect(lines[2]).toMatch(/^2026-11-23 Mon 10:00\s+new\s+hello\s+private_chat\s+hello\s+auto$/);
    expect(lines[3]).toMatch(/^2026-11-24 Tue 09:00\s+new\s+call\s+call\s+intro-call\s+task → alice$/);
  });

  it("numbers the days from the start in the zone's calendar when given the start", () => {
    const journey = defineJourney({
      id: "r", version: 1, timezone: SH, entry: "new",
      stages: [{ id: "new", sop: [step("hello", 0), { id: "call", day: 2, at: "09:00", channel: "call", content: "intro-call", mode: "task" }] }],
    });
    // day 0 is the start's calendar day in the journey's zone, whatever the hour
    const sim = journey.simulate({ id: "c" }, [], { start: sh("2026-11-23 23:30"), until: sh("2026-11-30 00:00") });
    const lines = renderTimeline(sim.effects, { timezone: SH, start: sh("2026-11-23 23:30") }).split("\n");
    expect(lines[0]).toMatch(/^day\s+when \(Asia\/Shanghai\)\s+stage/);
    expect(lines.find((l) => /\bcall\b/.test(l))).toMatch(/^2\s+2026-11-25 Wed 09:00\s+new\s+call/);
    expect(lines[1]).toMatch(/^0\s+2026-11-23 Mon 23:30\s+new\s+→ entered/);
  });
});
