import { describe, expect, it } from "vitest";
import { JourneyDefinitionError, type JourneyDefinition, type JourneyInput, defineJourney, validateJourney } from "@sopline/core";
import { SH, sh } from "./helpers.js";

// `silentFor … of`: silence counted from the last of the named events only ("no app.login in 7 days").

const definition = (v = 1, of: string[] | null = ["app.login"]): JourneyDefinition => ({
  id: "app", version: v, timezone: SH, entry: "active",
  stages: [
    { id: "active", sop: [{ id: "tip", day: 1, at: "10:00", channel: "private_chat", content: "tip", mode: "task" }] },
    { id: "lapsing", sop: [{ id: "nudge", after: "0m", channel: "official_account", content: "come-back" }] },
  ],
  transitions: [
    { from: "active", to: "lapsing", silentFor: "7d", ...(of ? { of } : {}) },
    { from: "lapsing", to: "active", on: "app.login" },
  ],
});
const ev = (name: string, at: string, id = `${name}@${at}`): JourneyInput => ({ type: "event", id, name, at });
const iso = (local: string) => new Date(sh(local)).toISOString();
const moves = (effects: { type: string }[]) =>
  effects.filter((e): e is { type: "stage.entered"; to: string; reason: string; at: string } => e.type === "stage.entered").map((e) => `${e.to}:${e.reason}@${e.at}`);

describe("silentFor … of: silence of named events", () => {
  const journey = defineJourney(definition());

  it("other events do not break the silence: no login in 7 days moves the customer though they replied", () => {
    const sim = journey.simulate({ id: "c" }, [ev("message.replied", sh("2026-11-25 10:00")), ev("link.clicked", sh("2026-11-28 10:00"))], {
      start: sh("2026-11-23 10:00"), until: sh("2026-12-10 00:00"),
    });
    expect(moves(sim.effects)).toEqual([`active:enroll@${iso("2026-11-23 10:00")}`, `lapsing:silence@${iso("2026-11-30 10:00")}`]);
  });

  it("a watched event restarts the count: the move comes 7 days after the last login", () => {
    const sim = journey.simulate({ id: "c" }, [ev("app.login", sh("2026-11-24 09:00")), ev("app.login", sh("2026-11-27 21:00"))], {
      start: sh("2026-11-23 10:00"), until: sh("2026-12-10 00:00"),
    });
    expect(moves(sim.effects)).toEqual([`active:enroll@${iso("2026-11-23 10:00")}`, `lapsing:silence@${iso("2026-12-04 21:00")}`]);
  });

  it("a login brings the customer back and the count starts again from that stage entry", () => {
    const sim = journey.simulate({ id: "c" }, [ev("app.login", sh("2026-12-02 08:00"))], { start: sh("2026-11-23 10:00"), until: sh("2026-12-20 00:00") });
    expect(moves(sim.effects)).toEqual([
      `active:enroll@${iso("2026-11-23 10:00")}`,
      `lapsing:silence@${iso("2026-11-30 10:00")}`,
      `active:event@${iso("2026-12-02 08:00")}`,
      `lapsing:silence@${iso("2026-12-09 08:00")}`,
    ]);
  });

  it("any of several names counts; a late event counts at its own time, never moving the count back", () => {
    const several = defineJourney(definition(1, ["app.login", "app.open"]));
    const sim = several.simulate({ id: "c" }, [ev("app.open", sh("2026-11-26 10:00")), ev("app.login", sh("2026-11-25 10:00"))], {
      start: sh("2026-11-23 10:00"), until: sh("2026-12-10 00:00"),
    });
    expect(moves(sim.effects)[1]).toBe(`lapsing:silence@${iso("2026-12-03 10:00")}`);
  });

  it("without `of` any event still breaks the silence (unchanged)", () => {
    const any = defineJourney(definition(1, null));
    const sim = any.simulate({ id: "c" }, [ev("message.replied", sh("2026-11-28 10:00"))], { start: sh("2026-11-23 10:00"), until: sh("2026-12-10 00:00") });
    expect(moves(sim.effects)[1]).toBe(`lapsing:silence@${iso("2026-12-05 10:00")}`);
  });

  it("the state keeps one time per watched name, only for this visit, and stays small", () => {
    let state = journey.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    state = journey.advance(state, { type: "tick", at: sh("2026-11-23 10:00") }).state;
    for (let i = 0; i < 5; i++) state = journey.advance(state, ev("app.login", sh(`2026-11-2${4 + i} 10:00`))).state;
    state = journey.advance(state, ev("message.replied", sh("2026-11-29 10:00"))).state;
    expect(state.heard).toEqual({ "app.login": Date.parse(sh("2026-11-28 10:00")) });
    expect(journey.nextWakeAt(state)?.toISOString()).toBe(iso("2026-12-05 10:00"));
    // The move to lapsing starts a new visit: what was heard before it cannot matter any more.
    state = journey.advance(state, { type: "tick", at: sh("2026-12-05 10:00") }).state;
    expect(state.stage).toBe("lapsing");
    expect(state.heard).toBeUndefined();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });

  it("a stored state without `heard` (written before this field) keeps working: silence counts from the stage entry", () => {
    let state = journey.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    state = journey.advance(state, { type: "tick", at: sh("2026-11-23 10:00") }).state;
    const { heard: _, ...old } = state;
    const next = journey.advance(old, ev("link.clicked", sh("2026-11-24 10:00")));
    expect(journey.nextWakeAt(next.state)?.toISOString()).toBe(iso("2026-11-30 10:00"));
    const moved = journey.advance(next.state, { type: "tick", at: sh("2026-11-30 10:00") });
    expect(moved.state.stage).toBe("lapsing");
  });

  it("migrating from a version without `of`: silence counts from the customer's last event (never an early move)", () => {
    const v1 = defineJourney(definition(1, null));
    const v2 = defineJourney(definition(2));
    let state = v1.enroll({ id: "c" }, sh("2026-11-23 10:00"));
    state = v1.advance(state, { type: "tick", at: sh("2026-11-23 10:00") }).state;
    state = v1.advance(state, ev("app.login", sh("2026-11-27 10:00"))).state;
    const migrated = v2.migrate(state).state;
    expect(migrated.heard).toEqual({ "app.login": Date.parse(sh("2026-11-27 10:00")) });
    expect(v2.nextWakeAt(migrated)?.toISOString()).toBe(iso("2026-12-04 10:00"));
    // A customer with no event since entering the stage counts from the entry, as before.
    const fresh = v1.advance(v1.enroll({ id: "d" }, sh("2026-11-23 10:00")), { type: "tick", at: sh("2026-11-23 10:00") }).state;
    expect(v2.migrate(fresh).state.heard).toBeUndefined();
  });
});

describe("silentFor … of: validation", () => {
  const withOf = (of: unknown, extra: Record<string, unknown> = {}) => ({
    ...definition(),
    transitions: [{ from: "active", to: "lapsing", silentFor: "7d", of, ...extra }, { from: "lapsing", to: "active", on: "app.login" }],
  });
  const byPath = (def: unknown) => Object.fromEntries(validateJourney(def).map((i) => [i.path, i.message]));

  it("refuses an empty list, a bare string and empty names, with the path", () => {
    expect(byPath(withOf([]))).toEqual({ "transitions[0].of": 'expected at least one event name, e.g. ["app.login"]' });
    expect(byPath(withOf("x"))).toEqual({ "transitions[0].of": 'expected a list of event names, e.g. ["app.login"], got "x"' });
    expect(byPath(withOf(["app.login", ""]))).toEqual({ "transitions[0].of[1]": "an event name cannot be empty" });
  });

  it("refuses `of` without silentFor", () => {
    const def = { ...definition(), transitions: [{ from: "active", to: "lapsing", on: "x", of: ["app.login"] }, { from: "lapsing", to: "active", on: "app.login" }] };
    expect(byPath(def)["transitions[0].of"]).toMatch(/"of" names the events a silentFor transition watches/);
    expect(() => defineJourney(def as JourneyDefinition)).toThrow(JourneyDefinitionError);
  });
});
