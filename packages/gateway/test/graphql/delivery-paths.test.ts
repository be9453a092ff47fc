// Issue 15, point 1: every private_chat step's delivery path is explicit and legal on a gateway that
// delivers to WeCom — automatic 1:1 chats are refused at publish (unless a private_chat adapter is
// registered), chat tasks stay chat tasks (one-tap sendChatMessage payloads, reported sent by the
// chat toolbar, counted in today's chat opportunities), 群发助手 steps are declared.
import type { JourneyDefinition } from "@sopline/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkspace } from "../../src/auth/index.js";
import { type TestDatabase, createTestDatabase } from "../../src/db/test-databases.js";
import { createWebhookAdapter } from "../../src/delivery/index.js";
import { type Gateway, createGateway } from "../../src/server/create-gateway.js";
import { loadExamples } from "../../src/server/examples.js";
import { KINDS, START, UPSERT_JOURNEY, ok } from "./helpers.js";

const WECOM = { corpId: "wwpaths01", secret: "s", token: "t", encodingAesKey: "kWxPEV2QE6N1q9oGNVb5XQCMO1XIQV0MPPkO5q5Fj5o" };
const BOARD = `{ board { staff { staff { externalId } chat call } } }`;
const TASKS = `{ myTasks(first: 10) { edges { node { id kind status content chatMessages } } } }`;

const journey = (sop: JourneyDefinition["stages"][number]["sop"], more: JourneyDefinition["stages"] = []): JourneyDefinition => ({
  id: "paths", version: 1, timezone: "Asia/Shanghai", entry: "new",
  stages: [{ id: "new", sop }, ...more],
  transitions: more.length ? [{ from: "new", to: more[0]!.id, on: "demo.attended" }] : [],
});

describe.each(KINDS)("WeCom delivery paths on %s", (kind) => {
  let t: TestDatabase;
  let gateway: Gateway;
  const clock = { now: START };
  let n = 0;
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    gateway = await createGateway({ db: t.db, clock: () => clock.now, adminKey: "sk_test_paths_default_key", wecom: WECOM });
  });
  afterAll(async () => {
    await gateway?.stop();
    await t?.drop();
  });

  async function tenant() {
    const ws = await createWorkspace(t.db.sql, { name: `paths${++n}` });
    const gql = async (credential: string, query: string, variables?: Record<string, unknown>) => {
      const res = await gateway.yoga.fetch("http://yoga/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/graphql-response+json, application/json", authorization: `Bearer ${credential}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };
      return { status: res.status, contentType: null, data: body.data, errors: body.errors, body };
    };
    const api = (query: string, variables?: Record<string, unknown>) => gql(ws.apiKey, query, variables);
    return { ...ws, api, gql };
  }

  it("refuses automatic 1:1 private chats other than the welcome, with each step's path and the reason; nothing is stored", async () => {
    const ws = await tenant();
    const bad = journey(
      [
        { id: "greet", after: "0m", channel: "private_chat", content: "greeting" }, // the welcome: send_welcome_msg
        { id: "nudge", after: "2h", channel: "private_chat", content: "nudge" },
        { id: "case", day: 1, at: "09:00", channel: "private_chat", content: "case-1", mode: "task" },
      ],
      [{ id: "hot", sop: [{ id: "trial", after: "1h", channel: "private_chat", content: "trial" }] }],
    );
    const res = await ws.api(UPSERT_JOURNEY, { d: bad });
    expect(res.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(res.errors?.[0]?.extensions?.issues).toEqual([
      { path: "stages[0].sop[1]", message: expect.stringMatching(/^step "nudge" of stage "new" is an automatic 1:1 private chat and this gateway has no private_chat adapter: no official WeCom API/) },
      { path: "stages[1].sop[0]", message: expect.stringMatching(/^step "trial" of stage "hot" is an automatic 1:1 private chat/) },
    ]);
    expect(res.errors?.[0]?.message).toMatch(/Journey "paths" cannot be published \(2 problems\)/);
    expect(ok(await ws.api(`{ journeys { key } }`)).journeys).toEqual([]);
    // the dry run says the same
    const dry = await ws.api(`query($d: JSON!) { journeyPublishImpact(definition: $d) { version } }`, { d: bad });
    expect(dry.errors?.[0]?.extensions?.issues?.map((i: { path: string }) => i.path)).toEqual(["stages[0].sop[1]", "stages[1].sop[0]"]);

    // the same journey with explicit, official paths is published (an after:-timed 群发 gets a lint warning)
    const good = journey(
      [
        { id: "greet", after: "0m", channel: "private_chat", content: "greeting" },
        { id: "nudge", after: "2h", channel: "private_chat", content: "nudge", mode: "task" },
        { id: "case", day: 1, at: "09:00", channel: "private_chat", content: "case-1", delivery: "mass_send" },
      ],
      [{ id: "hot", sop: [{ id: "trial", after: "1h", channel: "private_chat", content: "trial", delivery: "mass_send" }] }],
    );
    const up = ok(await ws.api(UPSERT_JOURNEY, { d: good })).upsertJourney;
    expect(up.created).toBe(true);
    expect(up.warnings.filter((w: { code: string }) => w.code === "after-mass-send")).toEqual([expect.objectContaining({ path: "stages[1].sop[0].after" })]);
  });

  it("accepts automatic 1:1 chats once a private_chat adapter is registered (the company's own path)", async () => {
    const ws = await tenant();
    const auto = journey([{ id: "nudge", after: "2h", channel: "private_chat", content: "nudge" }]);
    expect((await ws.api(UPSERT_JOURNEY, { d: auto })).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    // (registered for the rest of this file: the later tests publish chat tasks and 群发 only)
    gateway.channels.adapters.register(createWebhookAdapter({ channel: "private_chat", url: "https://hooks.example.test/chat", secret: "x" }));
    expect(ok(await ws.api(UPSERT_JOURNEY, { d: auto })).upsertJourney.created).toBe(true);
  });

  it("a staff member's zone for their 群发 slots: set, kept when omitted, cleared with null; a bad zone is refused and changes nothing", async () => {
    const ws = await tenant();
    const UPSERT = `mutation($i: StaffInput!) { upsertStaff(input: $i) { externalId timezone } }`;
    expect(ok(await ws.api(UPSERT, { i: { externalId: "tokyo", name: "T", timezone: "Asia/Tokyo" } })).upsertStaff).toEqual({ externalId: "tokyo", timezone: "Asia/Tokyo" });
    expect(ok(await ws.api(UPSERT, { i: { externalId: "tokyo", name: "T2" } })).upsertStaff.timezone).toBe("Asia/Tokyo");
    const bad = await ws.api(UPSERT, { i: { externalId: "tokyo", name: "T3", timezone: "Mars/Base" } });
    expect(bad.errors?.[0]).toMatchObject({ message: 'input.timezone: "Mars/Base" is not an IANA time zone (e.g. Asia/Tokyo)', extensions: { code: "BAD_USER_INPUT" } });
    expect(ok(await ws.api(`{ staff { name timezone } }`)).staff).toEqual([{ name: "T2", timezone: "Asia/Tokyo" }]);
    expect(ok(await ws.api(UPSERT, { i: { externalId: "tokyo", name: "T2", timezone: null } })).upsertStaff.timezone).toBeNull();
  });

  it("the example journeys load on a WeCom gateway: official paths only", async () => {
    const ws = await tenant();
    const loaded = await loadExamples(t.db, gateway.registry, ws.id, START);
    expect(loaded.journeys.map((j) => j.key).sort()).toEqual(["b2b-nurture", "car-test-drive", "course-8-9", "reactivation"]);
  });

  it("a chat task stays a chat task: sendChatMessage payloads on the task, counted in today's chat opportunities, reported sent by the toolbar", async () => {
    const ws = await tenant();
    const s = ok(await ws.api(`mutation { upsertStaff(input: { externalId: "amy", name: "Amy" }) { id } }`)).upsertStaff;
    const token = ok(await ws.api(`mutation($s: ID!) { issueStaffToken(staffId: $s, ttlSeconds: 3600) { token } }`, { s: s.id })).issueStaffToken.token as string;
    const amy = (q: string, v?: Record<string, unknown>) => ws.gql(token, q, v);
    const content = `mutation($i: ContentInput!) { upsertContent(input: $i) { ref } }`;
    ok(await ws.api(content, { i: { ref: "hello", title: "hello", type: "greeting", body: { text: "你好，我是 Amy", attachments: [{ msgtype: "link", link: { title: "选购指南", url: "https://example.com/guide", picurl: "https://example.com/g.png" } }] } } }));
    ok(await ws.api(content, { i: { ref: "script", title: "script", type: "qa", body: { text: "call" } } }));
    ok(await ws.api(UPSERT_JOURNEY, { d: journey([
      { id: "hello", after: "0m", channel: "private_chat", content: "hello", mode: "task" },
      { id: "call", after: "0m", channel: "call", content: "script", mode: "task" },
    ]) }));
    ok(await ws.api(`mutation($p: EnrollProfileInput) { enroll(customerExternalId: "c1", journeyKey: "paths", staffId: "${s.id}", profile: $p) { created } }`, { p: { wecomExternalUserId: "wmpaths1" } }));

    // the 群发助手 worker never takes a chat task
    expect(await gateway.channels.massSendWorker!.runOnce(new Date(START.getTime() + 3_600_000))).toMatchObject({ created: 0 });
    const tasks = ok(await amy(TASKS)).myTasks.edges.map((e: { node: unknown }) => e.node);
    const chat = tasks.find((x: { kind: string }) => x.kind === "chat");
    expect(chat).toMatchObject({
      status: "OPEN",
      content: "hello",
      chatMessages: [
        { msgtype: "text", enterChat: true, text: { content: "你好，我是 Amy" } },
        { msgtype: "news", enterChat: true, news: { link: "https://example.com/guide", title: "选购指南", desc: "", imgUrl: "https://example.com/g.png" } },
      ],
    });
    expect(tasks.find((x: { kind: string }) => x.kind === "call").chatMessages).toBeNull();
    expect(ok(await amy(BOARD)).board.staff).toEqual([{ staff: { externalId: "amy" }, chat: 1, call: 1 }]);

    const call = tasks.find((x: { kind: string }) => x.kind === "call");
    const wrong = await amy(`mutation($id: ID!) { reportChatMessageSent(id: $id) { id } }`, { id: call.id });
    expect(wrong.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(wrong.errors?.[0]?.message).toMatch(/is a call task.*not a 1:1 chat task/);

    const sent = ok(await amy(`mutation($id: ID!) { reportChatMessageSent(id: $id) { status completedAt } }`, { id: chat.id })).reportChatMessageSent;
    expect(sent.status).toBe("DONE");
    const [d] = await t.db.sql.query<{ status: string; provider_id: string; sent_at: Date }>(`SELECT status, provider_id, sent_at FROM deliveries WHERE workspace_id = $1 AND step_id = 'hello'`, [ws.id]);
    expect(d).toEqual({ status: "sent", provider_id: "sendChatMessage", sent_at: clock.now });
    expect(ok(await amy(BOARD)).board.staff).toEqual([{ staff: { externalId: "amy" }, chat: 0, call: 1 }]);
    // the toolbar retrying its report changes nothing
    expect(ok(await amy(`mutation($id: ID!) { reportChatMessageSent(id: $id) { status } }`, { id: chat.id })).reportChatMessageSent.status).toBe("DONE");
  });

  it("massSend settings: bad slots or budgets are refused with the field named and change nothing", async () => {
    const ws = await tenant();
    const set = `mutation($m: MassSendSettingsInput) { updateWorkspaceSettings(massSend: $m) { massSend { slots timezone perDay perWeek perMonth } } }`;
    const bad = await ws.api(set, { m: { slots: ["10:00", "25:00"], perDay: 0 } });
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(bad.errors?.[0]?.message).toMatch(/massSend\.slots\[1\]: "25:00" is not a time of day/);
    expect(bad.errors?.[0]?.message).toMatch(/massSend\.budget\.perDay: an integer from 1 to 31/);
    const read = `{ viewer { workspace { settings { massSend { slots perDay perMonth } } } } }`;
    expect(ok(await ws.api(read)).viewer.workspace.settings.massSend).toEqual({ slots: ["10:00", "20:00"], perDay: 1, perMonth: null });
    ok(await ws.api(set, { m: { slots: ["09:30", "19:30"] } }));
    expect(ok(await ws.api(set, { m: { perDay: 1, perMonth: 4 } })).updateWorkspaceSettings.massSend).toEqual({ slots: ["09:30", "19:30"], timezone: null, perDay: 1, perWeek: null, perMonth: 4 });
  });
});
