import { describe, expect, it } from "vitest";
import { DoneLists } from "../src/done-lists.js";
import { NONE } from "../src/state.js";
import { oneStage, sh } from "./helpers.js";

describe("shared done lists", () => {
  it("hands out one frozen list per order of steps, starting from the empty list", () => {
    const lists = new DoneLists();
    const a = lists.append(lists.append(NONE, "greet"), "d1");
    const b = lists.append(lists.append(NONE, "greet"), "d1");
    expect(a).toEqual(["greet", "d1"]);
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
  });

  it("gives a list's steps as bits of a stage's step indexes, shared or not", () => {
    const lists = new DoneLists();
    const stage = oneStage([
      { id: "a", after: "0m", channel: "private_chat", content: "a" },
      { id: "b", after: "1h", channel: "private_chat", content: "b" },
      { id: "c", after: "2h", channel: "private_chat", content: "c" },
    ]).compiled.stages.get("s")!;
    const shared = lists.append(lists.append(NONE, "c"), "a");
    expect(lists.bits(shared, stage)).toBe(0b101);
    expect(lists.bits(shared, stage)).toBe(0b101);
    expect(lists.bits(["b", "gone"], stage)).toBe(0b010);
  });

  it("copies lists it did not make, leaving them unchanged", () => {
    const lists = new DoneLists();
    const parsed = JSON.parse('["greet"]') as string[];
    const out = lists.append(parsed, "d1");
    expect(out).toEqual(["greet", "d1"]);
    expect(parsed).toEqual(["greet"]);
  });

  it("lets states of different customers share a list without changing their JSON", () => {
    const journey = oneStage([
      { id: "greet", after: "0m", channel: "private_chat", content: "a" },
      { id: "later", after: "1h", channel: "private_chat", content: "b" },
    ]);
    const tick = (id: string) => {
      let state = journey.enroll({ id }, sh("2026-11-23 10:00"));
      state = journey.advance(state, { type: "tick", at: sh("2026-11-23 10:00") }).state;
      return journey.advance(state, { type: "tick", at: sh("2026-11-23 11:00") }).state;
    };
    const [c1, c2] = [tick("c1"), tick("c2")];
    expect(c1.done).toBe(c2.done);
    expect(JSON.parse(JSON.stringify(c1))).toEqual({ ...c1, done: ["greet", "later"] });
  });
});
