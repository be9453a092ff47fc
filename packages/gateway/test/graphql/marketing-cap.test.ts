import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, KINDS, UPSERT_JOURNEY, createHarness, errorCodes, ok } from "./helpers.js";

const SET = `mutation($d: Int, $w: Int) { updateWorkspaceSettings(marketingTouchesPerDay: $d, marketingTouchesPerWeek: $w) { timezone marketingCap { perDay perWeek } } }`;
const READ = `{ viewer { workspace { settings { timezone marketingCap { perDay perWeek } } } } }`;

describe.each(KINDS)("marketing cap settings on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(kind);
  });
  afterAll(() => h?.close());

  it("sets, changes one limit, removes with null; omitted arguments keep their value", async () => {
    const ws = await h.workspace();
    ok(await ws.api(`mutation { updateWorkspaceSettings(timezone: "Asia/Shanghai") { timezone } }`));
    expect(ok(await ws.api(SET, { d: 2, w: 5 })).updateWorkspaceSettings).toEqual({ timezone: "Asia/Shanghai", marketingCap: { perDay: 2, perWeek: 5 } });
    expect(ok(await ws.api(SET, { d: 1 })).updateWorkspaceSettings.marketingCap).toEqual({ perDay: 1, perWeek: 5 });
    expect(ok(await ws.api(`mutation { updateWorkspaceSettings(timezone: "Asia/Tokyo") { marketingCap { perDay perWeek } } }`)).updateWorkspaceSettings.marketingCap).toEqual({ perDay: 1, perWeek: 5 });
    expect(ok(await ws.api(SET, { w: null })).updateWorkspaceSettings.marketingCap).toEqual({ perDay: 1, perWeek: null });
    expect(ok(await ws.api(SET, { d: null })).updateWorkspaceSettings).toEqual({ timezone: "Asia/Tokyo", marketingCap: null });
    // Each change is audited with the cap before and after, its removal too.
    const audit = ok(await ws.api(`{ auditLog(filter: { action: "settings.update" }) { before after } }`)).auditLog;
    expect(audit[0]).toEqual({ before: { marketingCap: { perDay: 1 } }, after: { marketingCap: null } });
    expect(audit).toContainEqual({ before: { marketingCap: { perDay: 2, perWeek: 5 } }, after: { marketingCap: { perDay: 1, perWeek: 5 } } });
  });

  it("a cap of 0 or a negative one is refused with a clear error and changes nothing", async () => {
    const ws = await h.workspace();
    ok(await ws.api(SET, { d: 2, w: 10 }));
    for (const [vars, message] of [
      [{ d: 0 }, /marketingTouchesPerDay: 0 is not a cap; allow at least 1 marketing touch/],
      [{ d: 3, w: -1 }, /marketingTouchesPerWeek: -1 is not a cap/],
      [{ d: 1001 }, /marketingTouchesPerDay: 1001 is above the maximum of 1000/],
    ] as const) {
      const r = await ws.api(SET, vars);
      expect(errorCodes(r)).toEqual(["BAD_USER_INPUT"]);
      expect(r.errors![0]!.message).toMatch(message);
    }
    expect(ok(await ws.api(READ)).viewer.workspace.settings.marketingCap).toEqual({ perDay: 2, perWeek: 10 });
  });

  it("journeyLint warns about more marketing touches a day than the workspace's cap", async () => {
    const ws = await h.workspace();
    const sop = ["a", "b", "c"].map((id) => ({ id, day: 1, at: "10:00", channel: "official_account", content: id }));
    ok(await ws.api(UPSERT_JOURNEY, { d: { id: "busy", version: 1, timezone: "Asia/Shanghai", entry: "new", stages: [{ id: "new", sop }] } }));
    const codes = async () => ok(await ws.api(`{ journeyLint(key: "busy") { code message } }`)).journeyLint.filter((i: { code: string }) => i.code === "over-marketing-cap");
    expect(await codes()).toEqual([]);
    ok(await ws.api(SET, { d: 2 }));
    expect(await codes()).toEqual([{ code: "over-marketing-cap", message: expect.stringMatching(/3 marketing touches on day 1, more than the workspace's cap of 2 a day/) }]);
  });
});
