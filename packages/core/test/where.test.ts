import { describe, expect, it } from "vitest";
import { type Effect, type JourneyDefinition, defineJourney, journeyJsonSchema, lintJourney, validateJourney } from "@sopline/core";
import { SH, sh } from "./helpers.js";

// Rules that read event data: "read a case for at least 60 s → tag high-intent → stage interested".

const base = (extra: Partial<JourneyDefinition>): JourneyDefinition => ({
  id: "j",
  version: 1,
  timezone: SH,
  entry: "new",
  stages: [
    { id: "new", sop: [{ id: "greet", after: "0m", channel: "private_chat", content: "greeting" }] },
    { id: "interested", sop: [{ id: "trial", after: "1h", channel: "private_chat", content: "trial-offer" }] },
  ],
  ...extra,
});

const highIntent = base({
  tagRules: [{ on: "content.read", where: { "data.seconds": { gte: 60 }, "data.content": "case-1" }, tag: "high-intent" }],
  transitions: [{ from: "new", to: "interested", tag: "high-intent" }],
});

const read = (id: string, at: string, data: unknown) => ({ type: "event" as const, id, name: "content.read", at, data });
const entered = (effects: Effect[]) => effects.filter((e) => e.type === "stage.entered").map((e) => (e.type === "stage.entered" ? `${e.to}:${e.reason}${e.tag ? `:${e.tag}` : ""}` : ""));
const tags = (effects: Effect[]) => effects.filter((e) => e.type === "tag.added").map((e) => (e.type === "tag.added" ? e.tag : ""));

describe("where on event data", () => {
  it("a 60 s read of case-1 tags high-intent and moves the customer; a shorter one or another content does not", () => {
    const journey = defineJourney(highIntent);
    let state = journey.enroll({ id: "c1" }, sh("2026-12-07 09:00"));
    for (const [i, data] of [{ seconds: 59, content: "case-1" }, { seconds: 300, content: "case-2" }, { seconds: "90", content: "case-1" }, { content: "case-1" }, null].entries()) {
      const r = journey.advance(state, read(`e${i}`, sh("2026-12-07 10:00"), data));
      expect(tags(r.effects), JSON.stringify(data)).toEqual([]);
      state = r.state;
    }
    const r = journey.advance(state, read("e9", sh("2026-12-07 10:05"), { seconds: 60, content: "case-1" }));
    expect(tags(r.effects)).toEqual(["high-intent"]);
    expect(entered(r.effects)).toEqual(["interested:tag:high-intent"]);
  });

  it("every operator: eq (bare and explicit), ne, gt, gte, lt, lte, in, exists, nested fields", () => {
    const cases: Array<[JourneyDefinition["tagRules"], unknown, boolean]> = [
      [[{ on: "x", tag: "t", where: { "data.a": "v" } }], { a: "v" }, true],
      [[{ on: "x", tag: "t", where: { "data.a": { eq: 1 } } }], { a: 1 }, true],
      [[{ on: "x", tag: "t", where: { "data.a": { eq: 1 } } }], { a: "1" }, false],
      [[{ on: "x", tag: "t", where: { "data.a": { ne: "spam" } } }], { a: "ham" }, true],
      [[{ on: "x", tag: "t", where: { "data.a": { ne: "spam" } } }], { a: "spam" }, false],
      [[{ on: "x", tag: "t", where: { "data.a": { gt: 5 } } }], { a: 5 }, false],
      [[{ on: "x", tag: "t", where: { "data.a": { gte: 5 } } }], { a: 5 }, true],
      [[{ on: "x", tag: "t", where: { "data.a": { lt: 5 } } }], { a: 4.5 }, true],
      [[{ on: "x", tag: "t", where: { "data.a": { lt: 5 } } }], {}, false],
      [[{ on: "x", tag: "t", where: { "data.a": { lte: 5, gte: 1 } } }], { a: 0 }, false],
      [[{ on: "x", tag: "t", where: { "data.a": { in: ["case-1", "case-2"] } } }], { a: "case-2" }, true],
      [[{ on: "x", tag: "t", where: { "data.a": { in: ["case-1", "case-2"] } } }], { a: "case-3" }, false],
      [[{ on: "x", tag: "t", where: { "data.a": { exists: true } } }], { a: null }, true],
      [[{ on: "x", tag: "t", where: { "data.a": { exists: false } } }], { b: 1 }, true],
      [[{ on: "x", tag: "t", where: { "data.a": { exists: false } } }], { a: 0 }, false],
      [[{ on: "x", tag: "t", where: { "data.page.id": "p1" } }], { page: { id: "p1" } }, true],
      [[{ on: "x", tag: "t", where: { "data.page.id": "p1" } }], { page: "p1" }, false],
      [[{ on: "x", tag: "t", where: { "data.toString": { exists: true } } }], {}, false],
    ];
    for (const [tagRules, data, hit] of cases) {
      const journey = defineJourney(base({ tagRules, stages: [{ id: "new", sop: [] }] }));
      const state = journey.enroll({ id: "c1" }, sh("2026-12-07 09:00"));
      const r = journey.advance(state, { type: "event", id: "e1", name: "x", at: sh("2026-12-07 10:00"), data });
      expect(tags(r.effects), `${JSON.stringify(tagRules![0]!.where)} on ${JSON.stringify(data)}`).toEqual(hit ? ["t"] : []);
    }
  });

  it("event transitions: the first whose where passes wins; a transition without where catches the rest", () => {
    const journey = defineJourney(
      base({
        stages: [{ id: "new", sop: [] }, { id: "hot", sop: [] }, { id: "warm", sop: [] }],
        transitions: [
          { from: "new", to: "hot", on: "demo.booked", where: { "data.size": { gte: 100 } } },
          { from: "new", to: "warm", on: "demo.booked" },
        ],
      }),
    );
    const s = journey.enroll({ id: "c1" }, sh("2026-12-07 09:00"));
    const at = sh("2026-12-07 10:00");
    expect(entered(journey.advance(s, { type: "event", id: "e1", name: "demo.booked", at, data: { size: 500 } }).effects)).toEqual(["new:enroll", "hot:event"]);
    expect(entered(journey.advance(s, { type: "event", id: "e1", name: "demo.booked", at, data: { size: 5 } }).effects)).toEqual(["new:enroll", "warm:event"]);
  });

  it("a counted rule counts only the events its where passes", () => {
    const journey = defineJourney(
      base({ stages: [{ id: "new", sop: [] }], tagRules: [{ on: "link.clicked", where: { "data.link": { in: [1, 2] } }, count: 2, within: "7d", tag: "engaged" }] }),
    );
    let state = journey.enroll({ id: "c1" }, sh("2026-12-07 09:00"));
    const clicks = [{ link: 1 }, { link: 5 }, { link: 6 }, { link: 2 }];
    const added: string[] = [];
    clicks.forEach((data, i) => {
      const r = journey.advance(state, { type: "event", id: `e${i}`, name: "link.clicked", at: sh(`2026-12-${String(7 + i).padStart(2, "0")} 10:00`), data });
      added.push(...tags(r.effects).map((t) => `${i}:${t}`));
      state = r.state;
    });
    expect(added).toEqual(["3:engaged"]);
  });

  it("waitFor and unless read event data too", () => {
    const journey = defineJourney(
      base({
        stages: [
          {
            id: "new",
            sop: [
              { id: "bait", after: "0m", channel: "private_chat", content: "case-1", waitFor: { event: "content.read", where: { "data.seconds": { gte: 30 } }, timeout: "3d" } },
              { id: "next", after: "0m", channel: "private_chat", content: "trial" },
              { id: "nudge", after: "2d", channel: "private_chat", content: "nudge", unless: [{ event: "message.replied", where: { "data.source": { ne: "staff_tap" } } }] },
            ],
          },
        ],
      }),
    );
    const start = sh("2026-12-07 09:00");
    const steps = (inputs: Array<{ name: string; at: string; data: unknown }>) =>
      journey
        .simulate({ id: "c1" }, inputs.map((e, i) => ({ type: "event" as const, id: `e${i}`, ...e })), { start, until: sh("2026-12-14 00:00") })
        .effects.filter((e) => e.type === "step.due" || e.type === "step.skipped" || e.type === "wait.ended")
        .map((e) => (e.type === "wait.ended" ? `wait:${e.by}` : e.type === "step.skipped" ? `${e.stepId}:skipped:${e.detail}` : e.stepId));
    // a 10 s read does not end the wait; a 40 s one does
    expect(steps([{ name: "content.read", at: sh("2026-12-07 10:00"), data: { seconds: 10 } }])).toEqual(["bait", "wait:timeout", "next", "nudge"]);
    expect(steps([{ name: "content.read", at: sh("2026-12-07 10:00"), data: { seconds: 40 } }])).toEqual(["bait", "wait:event", "next", "nudge"]);
    // a staff tap is not the customer's own reply for `unless`; an official-account message is
    expect(steps([{ name: "message.replied", at: sh("2026-12-07 10:00"), data: { source: "staff_tap" } }])).toContain("nudge");
    expect(steps([{ name: "message.replied", at: sh("2026-12-07 10:00"), data: { source: "official_account" } }])).toContain(
      "nudge:skipped:message.replied (nudge.unless[0] where) happened",
    );
  });
});

describe("where is validated with paths", () => {
  const paths = (def: unknown) => validateJourney(def).map((i) => `${i.path}: ${i.message}`);

  it("names the rule, the field and the operator", () => {
    const issues = paths(
      base({
        tagRules: [
          { on: "content.read", tag: "t", where: { "data.seconds": { gte: "60" as unknown as number } } },
          { on: "content.read", tag: "t", where: { seconds: 60 } },
          { on: "content.read", tag: "t", where: { "data.x": { between: [1, 2] } as never } },
          { on: "content.read", tag: "t", where: { "data.x": { in: [] } } },
          { on: "content.read", tag: "t", where: { "data.x": { exists: "yes" as unknown as boolean } } },
          { on: "content.read", tag: "t", where: { "data.x": [1] as never } },
          { on: "content.read", tag: "t", where: {} },
        ],
        transitions: [
          { from: "new", to: "interested", on: "content.read", where: { "data.seconds": { lt: null as unknown as number } } },
          { from: "new", to: "interested", tag: "t", where: { "data.x": 1 } },
        ],
      }),
    );
    expect([...issues].sort((a, b) => (a < b ? -1 : 1))).toEqual([
      'tagRules[0].where["data.seconds"].gte: must be a number, got "60"',
      'tagRules[1].where.seconds: fields are read from the event\'s data: expected "data.<name>" (e.g. "data.seconds"), got "seconds"',
      'tagRules[2].where["data.x"].between: unknown operator; expected one of eq, ne, gt, gte, lt, lte, in, exists',
      'tagRules[3].where["data.x"].in: must be a non-empty list of values (strings, numbers, booleans, null), got []',
      'tagRules[4].where["data.x"].exists: must be true or false, got "yes"',
      'tagRules[5].where["data.x"]: expected a value to equal or operators (eq, ne, gt, gte, lt, lte, in, exists), got [1]',
      'tagRules[6].where: expected at least one field, e.g. { "data.seconds": { gte: 60 } }',
      'transitions[0].where["data.seconds"].lt: must be a number, got null',
      'transitions[1].where: "where" tests the data of the events named in "on": add on (e.g. on: "content.read")',
    ].sort((a, b) => (a < b ? -1 : 1)));
  });

  it("in waitFor and in an unless condition", () => {
    const issues = paths(
      base({
        stages: [
          {
            id: "new",
            sop: [
              { id: "a", after: "0m", channel: "sms", content: "c", waitFor: { event: "x", where: { "data.n": { gt: "1" as unknown as number } }, timeout: "1d" } },
              { id: "b", after: "0m", channel: "sms", content: "c", unless: ["y", { event: "x", where: { "data.n": { lte: true as unknown as number } } }] },
            ],
          },
          { id: "interested", manual: true },
        ],
      }),
    );
    expect(issues).toEqual(['stages[0].sop[0].waitFor.where["data.n"].gt: must be a number, got "1"', 'stages[0].sop[1].unless[1].where["data.n"].lte: must be a number, got true']);
  });

  it("the JSON Schema describes where; lint is unaffected", () => {
    const schema = journeyJsonSchema() as { properties: { tagRules: { items: { properties: { where: Record<string, unknown> } } } } };
    const where = schema.properties.tagRules.items.properties.where;
    expect(where).toMatchObject({ type: "object", propertyNames: { pattern: "^data(\\.[^.]+)+$" } });
    expect(JSON.stringify(where)).toContain('"gte":{"type":"number"}');
    const plain = base({ tagRules: [{ on: "content.read", tag: "high-intent" }], transitions: [{ from: "new", to: "interested", tag: "high-intent" }] });
    expect(lintJourney(highIntent)).toEqual(lintJourney(plain));
  });
});
