import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { main } from "../../src/server/cli.js";
import { salesJourney } from "../graphql/helpers.js";
import { captureIo, tempFiles } from "./helpers.js";

const B2B_YAML = `# a journey as an operator keeps it in git
id: b2b
version: 1
timezone: Asia/Shanghai
entry: new
stages:
  - id: new
    kind: nurture
    sop:
      - { id: greet, after: 0m, channel: private_chat, content: greeting }
      - id: case
        after: 2x
        channel: private_chat
        content: case-1
`;

const files = tempFiles({
  "sales.yaml": stringify(salesJourney),
  "sales.json": JSON.stringify({ ...salesJourney, id: "sales-json" }),
  "b2b.yaml": B2B_YAML,
  "broken.yaml": "id: x\nstages:\n  - id: a\n   sop: [\n",
  "broken.json": '{ "id": "x",, "version": 1 }',
  "library.yaml": "- ref: greeting\n- { ref: call-script, expiresAt: 2020-01-01 }\n- ref: article-1\n",
  "bad-library.yaml": "contents:\n  - ref: greeting\n  - title: no ref here\n",
  "events.yaml": "- { name: demo.attended, at: '2026-12-08T10:00:00+08:00' }\n",
  "bad-events.yaml": "- { name: demo.attended, at: next tuesday }\n",
  "readers.yaml": stringify({
    id: "readers", version: 1, timezone: "Asia/Shanghai", entry: "new",
    stages: [{ id: "new", sop: [] }, { id: "interested", sop: [{ id: "call", after: "0m", channel: "call", content: "call-script", mode: "task" }] }],
    tagRules: [{ on: "content.read", where: { "data.seconds": { gte: 60 } }, tag: "high-intent" }],
    transitions: [{ from: "new", to: "interested", tag: "high-intent" }],
  }),
  "reads.yaml": "- { name: content.read, at: '2026-12-07T10:00:00+08:00', data: { seconds: 20 } }\n- { name: content.read, at: '2026-12-08T10:00:00+08:00', data: { seconds: 90 } }\n",
});
afterAll(() => files.remove());
const run = async (...argv: string[]) => {
  const c = captureIo();
  const code = await main(argv, c.io);
  return { code, ...c };
};

describe("sopline validate", () => {
  it("accepts valid JSON and YAML definitions with exit 0", async () => {
    const r = await run("validate", files.file("sales.yaml"), files.file("sales.json"));
    expect(r.code).toBe(0);
    expect(r.out.join("\n")).toContain(`${files.file("sales.yaml")}: ok (journey "sales" version 1: 2 stages, 5 steps)`);
    expect(r.out.join("\n")).toContain(`${files.file("sales.json")}: ok (journey "sales-json"`);
  });

  it("reports every problem with its file, path and line, and exits 1", async () => {
    const r = await run("validate", files.file("sales.yaml"), files.file("b2b.yaml"));
    expect(r.code).toBe(1);
    expect(r.err).toContainEqual(expect.stringMatching(new RegExp(`^${esc(files.file("b2b.yaml"))}: stages\\[0\\]\\.sop\\[1\\]\\.after: "2x" is not a duration .*\\(line 12\\)$`)));
    expect(r.err.at(-1)).toBe("1 problem in 1 of 2 files");
  });

  it("names the file, line and column of bad YAML or JSON syntax, and unreadable files", async () => {
    const r = await run("validate", files.file("broken.yaml"), files.file("broken.json"), files.file("nope.yaml"));
    expect(r.code).toBe(1);
    const text = r.err.join("\n");
    expect(text).toMatch(new RegExp(`${esc(files.file("broken.yaml"))}:4:1: not valid YAML or JSON: `));
    expect(text).toMatch(new RegExp(`${esc(files.file("broken.json"))}:1:13: not valid YAML or JSON: Unexpected , in flow map`));
    expect(text).toContain(`${files.file("nope.yaml")}: cannot read it (no such file)`);
  });

  it("refuses two files defining the same journey, and a call without files", async () => {
    const r = await run("validate", files.file("sales.yaml"), files.file("sales.yaml"));
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/: id: journey "sales" is also defined in .*sales\.yaml; one file per journey/);
    const none = await run("validate");
    expect(none.code).toBe(2);
    expect(none.err[0]).toMatch(/sopline validate: name at least one journey file/);
  });
});

describe("sopline lint", () => {
  it("prints the core's warnings, exit 0, or 1 with --strict", async () => {
    const r = await run("lint", files.file("sales.yaml"));
    expect(r.code).toBe(0);
    expect(r.out.join("\n")).toMatch(/sales\.yaml: stages\[0\]: warning few-touches: nurture stage "new" has 4 touches/);
    expect((await run("lint", "--strict", files.file("sales.yaml"))).code).toBe(1);
  });

  it("checks content refs and expiry against a --content library", async () => {
    const r = await run("lint", files.file("sales.yaml"), "--content", files.file("library.yaml"));
    const text = r.out.join("\n");
    expect(text).toMatch(/stages\[0\]\.sop\[1\]\.content: warning expired-content: content "call-script" expired on 2020-01-01/);
    expect(text).toMatch(/stages\[0\]\.sop\[3\]\.content: warning missing-content: content "case-1" is not in the content library/);
    expect(text).not.toMatch(/"greeting" is not in/);
  });

  it("names the file and path of a bad library entry, and fails on invalid definitions", async () => {
    const bad = await run("lint", files.file("sales.yaml"), "--content", files.file("bad-library.yaml"));
    expect(bad.code).toBe(1);
    expect(bad.err[0]).toBe(`${files.file("bad-library.yaml")}: contents[1].ref: expected a content ref (a non-empty string), got undefined (line 3)`);
    const invalid = await run("lint", files.file("b2b.yaml"));
    expect(invalid.code).toBe(1);
    expect(invalid.err[0]).toMatch(/b2b\.yaml: stages\[0\]\.sop\[1\]\.after: "2x" is not a duration/);
  });
});

describe("sopline preview", () => {
  it("prints one customer's simulated timeline as a table: day, local time, stage, step, channel, content, mode", async () => {
    const r = await run("preview", files.file("sales.yaml"), "--start", "2026-12-07T09:00:00+08:00", "--days", "10");
    expect(r.code).toBe(0);
    const lines = r.out.join("\n").split("\n");
    expect(lines[0]).toBe('sales v1: one customer entering "new" at 2026-12-07T01:00:00.000Z, 10 days, times in Asia/Shanghai');
    expect(lines[1]).toMatch(/^day\s+when \(Asia\/Shanghai\)\s+stage\s+what\s+channel\s+content \/ detail\s+mode$/);
    expect(lines).toContainEqual(expect.stringMatching(/^0\s+2026-12-07 Mon 09:00\s+new\s+hello\s+private_chat\s+greeting\s+task$/));
    expect(lines).toContainEqual(expect.stringMatching(/^1\s+2026-12-08 Tue 09:30\s+new\s+call\s+call\s+call-script\s+task$/));
    expect(lines).toContainEqual(expect.stringMatching(/^5\s+2026-12-12 Sat 10:00\s+new\s+case\s+private_chat\s+case-1\s+auto$/));
    expect(lines.at(-1)).toBe('4 steps in 10 days; ends in stage "new"');
  });

  it("replays an events file and shows times in --tz", async () => {
    const r = await run("preview", files.file("sales.yaml"), "--start", "2026-12-07T09:00:00+08:00", "--days", "3", "--tz", "Europe/Berlin", "--events", files.file("events.yaml"));
    expect(r.code).toBe(0);
    const text = r.out.join("\n");
    expect(text).toMatch(/^1\s+2026-12-08 Tue 03:00\s+interested\s+→ entered \(visit 2\)\s+from new, event demo\.attended$/m);
    expect(text).toMatch(/^1\s+2026-12-08 Tue 03:00\s+interested\s+trial\s+private_chat\s+trial-offer\s+auto$/m);
  });

  it("passes events' data, so rules with where can be previewed", async () => {
    const r = await run("preview", files.file("readers.yaml"), "--start", "2026-12-07T09:00:00+08:00", "--days", "3", "--events", files.file("reads.yaml"));
    expect(r.code).toBe(0);
    const text = r.out.join("\n");
    expect(text).toMatch(/^1\s+2026-12-08 Tue 10:00\s+interested\s+→ entered/m); // the 90 s read, not the 20 s one
    expect(text).not.toMatch(/^0\s+2026-12-07 Mon.*interested/m);
  });

  it("names the flag, file and path of bad input", async () => {
    const tz = await run("preview", files.file("sales.yaml"), "--tz", "Mars/Olympus");
    expect([tz.code, tz.err[0]]).toEqual([2, '--tz: "Mars/Olympus" is not an IANA time zone (e.g. Asia/Shanghai)']);
    const start = await run("preview", files.file("sales.yaml"), "--start", "soon");
    expect([start.code, start.err[0]]).toEqual([2, '--start: expected an ISO date-time like 2026-12-07T09:00:00+08:00, got "soon"']);
    const days = await run("preview", files.file("sales.yaml"), "--days", "0");
    expect([days.code, days.err[0]]).toEqual([2, '--days: expected a positive whole number, got "0"']);
    const events = await run("preview", files.file("sales.yaml"), "--events", files.file("bad-events.yaml"));
    expect([events.code, events.err[0]]).toEqual([1, `${files.file("bad-events.yaml")}: [0].at: expected an ISO date-time like 2026-12-08T10:00:00+08:00, got "next tuesday" (line 1)`]);
    const flag = await run("preview", files.file("sales.yaml"), "--colour");
    expect(flag.code).toBe(2);
    expect(flag.err[0]).toMatch(/^sopline preview: Unknown option '--colour'/);
  });
});

describe("sopline --help", () => {
  it("lists every command and the serve options", async () => {
    const r = await run("--help");
    expect(r.code).toBe(0);
    for (const command of ["serve", "migrate", "keys rotate --workspace", "validate <files…>", "lint <files…>", "preview <file>", "push <files…>", "pull --url", "--no-migrate"]) {
      expect(r.out[0]).toContain(command);
    }
    expect((await run("push", "--help")).code).toBe(0);
  });
});

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
