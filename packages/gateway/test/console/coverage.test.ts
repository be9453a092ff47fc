// The console's coverage grid: months after stage entry per journey, stage and channel, with the
// worst status of the content there (missing beats expired beats covered).
import type { JourneyDefinition } from "@sopline/core";
import { describe, expect, it } from "vitest";
import { coverage } from "../../console/src/coverage.js";

const journey = {
  id: "j",
  version: 1,
  timezone: "Asia/Shanghai",
  entry: "new",
  stages: [
    {
      id: "new",
      sop: [
        { id: "hello", after: "0m", channel: "private_chat", content: "greeting" },
        { id: "weekly", day: 7, at: "10:00", repeat: { every: "1w", times: 8 }, channel: "private_chat", content: "old-news" },
        { id: "call", day: 40, at: "10:00", channel: "call", content: "no-such-script", mode: "task" },
        { id: "bday", birthday: true, at: "10:00", channel: "private_chat", content: "greeting" },
      ],
    },
  ],
} as unknown as JourneyDefinition;

const entry = (ref: string, expired = false) => ({ ref, title: ref, type: "x", topic: null, awareness: null, cta: null, channel: null, version: 1, expiresAt: null, expired });

describe("coverage", () => {
  const { rows, usage } = coverage([{ key: "j", definition: journey }], [entry("greeting"), entry("old-news", true)]);
  const row = (channel: string) => rows.find((r) => r.channel === channel)!;

  it("places each occurrence in its month after stage entry and keeps the worst status", () => {
    // month 1: greeting (ok) and weekly on days 7, 14, 21, 28 (expired)
    expect(row("private_chat").months[0]).toEqual({ touches: 5, status: "expired", refs: ["greeting", "old-news"] });
    // days 35, 42, 49, 56: month 2
    expect(row("private_chat").months[1]).toMatchObject({ touches: 4, status: "expired" });
    expect(row("private_chat").months[2]).toBeNull();
    expect(row("call").months[1]).toMatchObject({ touches: 1, status: "missing" });
    expect(row("call").months[0]).toBeNull();
  });

  it("records where each ref is used, calendar steps included", () => {
    expect(usage.get("greeting")).toEqual([
      { journey: "j", stage: "new", step: "hello" },
      { journey: "j", stage: "new", step: "bday" },
    ]);
    expect(usage.get("no-such-script")).toEqual([{ journey: "j", stage: "new", step: "call" }]);
  });
});
