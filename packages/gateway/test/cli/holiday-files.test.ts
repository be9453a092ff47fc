import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/server/cli.js";
import { captureIo, tempFiles } from "./helpers.js";

// Journey files with holiday and dated steps: checked and previewed against the default Chinese calendar.

const GREETINGS = `id: greetings
version: 1
timezone: Asia/Shanghai
entry: member
stages:
  - id: member
    sop:
      - { id: mid, holiday: mid-autumn, at: "10:00", channel: group_chat, content: card }
      - { id: sale, date: "2026-11-11", at: "00:00", channel: group_chat, content: d11 }
`;

const files = tempFiles({ "greetings.yaml": GREETINGS, "typo.yaml": GREETINGS.replace("holiday: mid-autumn", "holiday: mid-autum") });
afterAll(() => files.remove());
const run = async (...argv: string[]) => {
  const c = captureIo();
  const code = await main(argv, c.io);
  return { code, ...c };
};

describe("holiday and dated steps in journey files", () => {
  it("validate accepts default holidays and refuses an unknown one with its path", async () => {
    expect((await run("validate", files.file("greetings.yaml"))).code).toBe(0);
    const r = await run("validate", files.file("typo.yaml"));
    expect(r.code).toBe(1);
    expect(r.err.join("\n")).toMatch(/stages\[0\]\.sop\[0\]\.holiday: holiday "mid-autum" is not in the workspace's holiday calendar .*known: .*mid-autumn/);
  });

  it("preview shows the dated step and Mid-Autumn (lunar 8/15) on their dates", async () => {
    const r = await run("preview", files.file("greetings.yaml"), "--start", "2026-09-01T09:00:00+08:00", "--days", "90");
    expect(r.code).toBe(0);
    const text = r.out.join("\n");
    expect(text).toContain("2026-09-25");
    expect(text).toContain("2026-11-11");
    expect(text).toContain("2 steps in 90 days");
  });
});
