import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { type TrackedFixture, trackedFixture } from "./helpers.js";

const UPSERT = `mutation($input: ContentInput!) { upsertContent(input: $input) { ref version } }`;

describe("saving content refuses links that are not http(s)", () => {
  let t: TestDatabase;
  let f: TrackedFixture;
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    f = await trackedFixture(t.db);
  });
  afterAll(async () => {
    await f?.close();
    await t?.drop();
  });

  const save = async (body: unknown) => {
    const res = await f.gateway.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${f.apiKey}` },
      body: JSON.stringify({ query: UPSERT, variables: { input: { ref: "case-1", title: "Case", type: "case", body } } }),
    });
    return (await res.json()) as { data?: unknown; errors?: Array<{ message: string; extensions: { code: string; issues?: Array<{ path: string }> } }> };
  };

  it("names the field and keeps what was stored", async () => {
    const out = await save({ text: "hi", attachments: [{ msgtype: "link", link: { title: "x", url: "javascript:alert(1)" } }] });
    expect(out.errors?.[0]?.extensions.code).toBe("BAD_USER_INPUT");
    expect(out.errors?.[0]?.message).toBe('input.body.attachments[0].link.url: "javascript:alert(1)" is not an http(s) link (tracked links lead to http:// or https:// pages only)');
    expect(out.errors?.[0]?.extensions.issues?.map((i) => i.path)).toEqual(["input.body.attachments[0].link.url"]);
    const [row] = await t.db.sql.query<{ body: unknown }>(`SELECT body FROM contents WHERE workspace_id = $1 AND ref = 'case-1'`, [f.workspaceId]);
    expect(JSON.stringify(row!.body)).toContain("https://example.com/trial");
    expect((await save({ template: { template_id: "t", url: "weixin://dl/business" } })).errors?.[0]?.message).toMatch(/^input\.body\.template\.url: "weixin:\/\/dl\/business" is not an http\(s\) link/);
    expect((await save({ text: "see https://example.com/a", attachments: [{ msgtype: "link", link: { title: "x", url: "https://example.com/b" } }] })).data).toEqual({ upsertContent: { ref: "case-1", version: 2 } });
  });
});
