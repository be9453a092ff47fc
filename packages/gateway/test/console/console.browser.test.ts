// The operator console in a real browser: headless Chromium from the npm package
// @sparticuz/chromium driven by playwright-core (no browser download), against a gateway that ran
// a simulated week of the example journeys. One browser, one gateway, the scenarios in order.
// CONSOLE_SCREENSHOTS=1 also writes docs/console/*.png.
import { mkdir, readFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import chromium from "@sparticuz/chromium";
import { graphql } from "@sopline/client";
import { type Browser, type Page, chromium as playwright } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConsole } from "../../scripts/build-console.js";
import { ConsoleBoardQuery, ContentRatesQuery, EngagementQuery, MetricsCsvQuery, MetricsQuery } from "../../console/src/queries.js";
import { chinaDay } from "../../console/src/server-clock.js";
import { ADMIN_KEY, simulatedWeek, type Week } from "./week.js";

const SHOTS = process.env.CONSOLE_SCREENSHOTS ? path.resolve(fileURLToPath(import.meta.url), "../../../../../docs/console") : null;

let week: Week;
let browser: Browser;
let page: Page;

async function shot(p: Page, name: string) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await p.evaluate(() => document.fonts.ready);
  // the header is sticky: from the top, or a full-page shot paints it over the middle
  await p.evaluate(() => window.scrollTo(0, 0));
  await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(p: Page, token: string) {
  await p.goto(`${week.url}/console/`);
  await p.fill("input[name=token]", token);
  await p.click("button[type=submit]");
  await p.waitForSelector("[data-testid=who]");
}

const JourneyQuery = graphql(`query TestJourney($key: String!) { journey(key: $key) { version definition } }`);
const ImpactQuery = graphql(`query TestImpact($d: JSON!) { journeyPublishImpact(definition: $d) { migration { customers } } }`);
const CustomersQuery = graphql(`query TestCustomers { customers(first: 100) { totalCount edges { node { id externalId staff { id } } } } }`);
const SetTargetMutation = graphql(`mutation TestTarget { setMetricTarget(event: "demo.attended", period: MONTH, target: 5) }`);
const DAY = 86_400_000;

const customerId = async (externalId: string) => (await week.client.request(CustomersQuery)).customers.edges.find((e) => e.node.externalId === externalId)!.node.id;

beforeAll(async () => {
  const [w] = await Promise.all([simulatedWeek(), buildConsole()]);
  week = w;
  browser = await playwright.launch({ executablePath: await chromium.executablePath(), args: [...chromium.args, "--no-sandbox"], headless: true });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await week?.stop();
});

describe("the operator console", () => {
  it("is served at /console with hashed assets and no CDN", async () => {
    const res = await fetch(`${week.url}/console/`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/assets\/app-\w+\.js/);
    expect(html).not.toMatch(/https?:\/\//);
    // a path that climbs out of the console's directory, sent as is (fetch would normalise it)
    const climb = await new Promise<number>((resolve, reject) =>
      http.get(`${week.url}/console/%2e%2e/%2e%2e/package.json`, (res) => (res.resume(), resolve(res.statusCode!))).on("error", reject),
    );
    expect(climb).toBe(404);
  });

  it("refuses a wrong key with the API's code and message, then signs in with the admin key (Chinese by default, English on the toggle)", async () => {
    await page.goto(`${week.url}/console/`);
    await page.fill("input[name=token]", "sk_wrong");
    await page.click("button[type=submit]");
    await expect.poll(() => page.textContent("[role=alert]")).toMatch(/UNAUTHENTICATED/);
    await shot(page, "sign-in");
    await signIn(page, ADMIN_KEY);
    expect(await page.textContent("header nav")).toContain("看板");
    await page.click("[data-testid=lang]");
    expect(await page.textContent("header nav")).toContain("Board");
    await page.click("[data-testid=lang]");
    expect(await page.textContent("header nav")).toContain("看板");
    // keyboard: Alt+2 opens the tasks
    await page.keyboard.press("Alt+2");
    await expect.poll(() => page.evaluate(() => location.hash)).toBe("#/tasks");
  });

  it("after a simulated week the board shows the API's stage counts", async () => {
    const board = await week.client.board();
    await page.goto(`${week.url}/console/#/board`);
    await page.waitForSelector(".journey");
    let stages = 0;
    for (const j of board.journeys) {
      for (const s of j.stages) {
        expect(await page.textContent(`[data-testid="count-${j.key}-${s.id}"]`), `${j.key}/${s.id}`).toBe(String(s.customers));
        stages++;
      }
    }
    expect(stages).toBeGreaterThan(5);
    expect(board.journeys.find((j) => j.key === "b2b-nurture")!.stages.find((s) => s.id === "interested")!.customers).toBe(2);
    await shot(page, "board");
    // live: a move made elsewhere reaches the open board through the boardChanged subscription
    const lead4 = (await week.client.request(CustomersQuery)).customers.edges.find((e) => e.node.externalId === "lead-4")!.node;
    await week.client.moveCustomer({ customerId: lead4.id, journeyKey: "b2b-nurture", to: "quiet" });
    await expect.poll(() => page.textContent('[data-testid="count-b2b-nurture-quiet"]'), { timeout: 10_000 }).toBe("1");
    expect(await page.textContent(".badge.live")).toBe("实时");
  });

  it("a stage opens its customers and a customer's timeline: past steps with status and upcoming ones", async () => {
    await page.click('[data-journey="b2b-nurture"] [data-stage="interested"]');
    await page.waitForSelector("table.customers");
    expect(await page.locator("table.customers tbody tr").count()).toBe(2);
    await page.click('[data-customer="lead-1"]');
    await page.waitForSelector("[data-testid=timeline]");
    const text = await page.textContent("[data-testid=timeline]");
    // no channel adapter in this gateway: automatic steps stay due, task steps became tasks
    expect(text).toContain("已转任务");
    expect(text).toContain("即将发生");
    expect(await page.textContent("[data-testid=enrollment-b2b-nurture]")).toContain("感兴趣");
    await shot(page, "customer");
  });

  it("tasks: a staff member's open tasks with one-tap copy and complete", async () => {
    await page.goto(`${week.url}/console/#/tasks`);
    const alice = week.staff.find((s) => s.externalId === "alice")!;
    await page.selectOption("[data-testid=task-staff]", alice.id);
    await page.waitForSelector("li.task");
    const open = (await week.client.tasks({ staffId: alice.id, status: "OPEN", first: 100 })).totalCount;
    expect(await page.locator("li.task").count()).toBe(Math.min(open, 100));
    await page.locator("li.task").first().getByText("完成").click();
    await expect.poll(async () => (await week.client.tasks({ staffId: alice.id, status: "OPEN", first: 100 })).totalCount).toBe(open - 1);
  });

  it("tasks: snooze to a picked time, refused in the past with a clear message (the gateway's clock)", async () => {
    const alice = week.staff.find((s) => s.externalId === "alice")!;
    const open = (await week.client.tasks({ staffId: alice.id, status: "OPEN", first: 100 })).tasks;
    await expect.poll(() => page.locator("li.task").count()).toBe(open.length);
    const id = open[0]!.id;
    const task = page.locator(`li.task[data-task="${id}"]`);
    await task.getByText("推迟…").click();
    // the gateway's clock is a week behind this machine's: a day before it is in the past
    const local = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
    await task.locator("[data-testid=snooze-at]").fill(local(week.now() - DAY));
    await task.getByText("确认推迟").click();
    expect(await task.locator("[data-testid=snooze-problem]").textContent()).toContain("必须晚于现在");
    await shot(page, "tasks");
    const until = week.now() + 2 * DAY;
    await task.locator("[data-testid=snooze-at]").fill(local(until));
    await task.getByText("确认推迟").click();
    await expect
      .poll(async () => (await week.client.tasks({ staffId: alice.id, first: 100 })).tasks.find((t) => t.id === id)?.snoozedUntil)
      .toBe(new Date(Math.floor(until / 60_000) * 60_000).toISOString());
  });

  it("editing a step changes the sample timeline and the lint warnings; publishing shows the impact first", async () => {
    await page.goto(`${week.url}/console/#/journeys/b2b-nurture`);
    await page.waitForSelector("[data-testid=preview]");
    expect(await page.textContent("[data-testid=lint]")).not.toContain("case-9");
    // rows can be added and removed
    const rows = page.locator('table[data-stage="converted"] tbody tr');
    expect(await rows.count()).toBe(2);
    await page.click("[data-testid=add-step-converted]");
    expect(await rows.count()).toBe(3);
    await page.getByLabel("删除步骤 step-3").click();
    expect(await rows.count()).toBe(2);
    const input = page.locator('[data-testid="content-new-case"]');
    await input.fill("case-9");
    await input.press("Tab");
    await expect.poll(() => page.textContent("[data-testid=lint]")).toContain("case-9");
    expect(await page.textContent('[data-testid=lint] [data-code="missing-content"]')).toContain("case-9");
    expect(await page.textContent("[data-testid=preview]")).toContain("case-9");
    await shot(page, "journeys");

    const { journey } = await week.client.request(JourneyQuery, { key: "b2b-nurture" });
    const draft = structuredClone(journey.definition) as { stages: Array<{ id: string; sop: Array<{ id: string; content: string }> }> };
    draft.stages.find((s) => s.id === "new")!.sop.find((s) => s.id === "case")!.content = "case-9";
    const expected = (await week.client.request(ImpactQuery, { d: draft })).journeyPublishImpact.migration.customers;
    expect(expected).toBeGreaterThan(0);
    await page.locator("[data-testid=publish] button.primary").click();
    await page.waitForSelector("[data-testid=impact]");
    expect(await page.textContent("[data-testid=impact-customers]")).toBe(String(expected));
    await shot(page, "publish-impact");
    await page.getByText("确认发布并迁移客户").click();
    await page.waitForSelector("[data-testid=published]");
    expect((await week.client.request(JourneyQuery, { key: "b2b-nurture" })).journey.version).toBe(journey.version + 1);
  });

  it("the coverage grid marks the examples' missing and expired content", async () => {
    await page.goto(`${week.url}/console/#/content`);
    await page.waitForSelector("[data-testid=coverage]");
    // car-test-drive's call scripts (call-invite, call-reminder) are not in the example library
    expect(await page.getAttribute('[data-cell="car-test-drive/lead/call/1"]', "class")).toContain("missing");
    // monthly-digest expired yesterday: the b2b digest from day 45 on
    expect(await page.getAttribute('[data-cell="b2b-nurture/new/official_account/2"]', "class")).toContain("expired");
    expect(await page.getAttribute('[data-cell="b2b-nurture/new/private_chat/1"]', "class")).toContain("missing"); // case-9, just published
    expect(await page.textContent('[data-ref="whitepaper"]')).toContain("b2b-nurture/new/whitepaper");
    expect(await page.textContent("[data-testid=missing-refs]")).toContain("call-invite");
    await shot(page, "content");
  });

  it("moves a whole stage after counting it, with progress", async () => {
    await page.goto(`${week.url}/console/#/board/car-test-drive/booked`);
    await expect.poll(() => page.textContent("main")).toContain("批量移动");
    await page.selectOption("[data-testid=bulk-move] select", "lead");
    await page.getByText("先统计人数").click();
    await page.getByText("确认移动 1 位客户").click();
    await expect.poll(() => page.textContent("[data-testid=bulk-move]")).toContain("已移动 1 位客户");
    const stages = (await week.client.board()).journeys.find((j) => j.key === "car-test-drive")!.stages;
    expect(stages.find((s) => s.id === "booked")!.customers).toBe(0);
    expect(stages.find((s) => s.id === "lead")!.customers).toBe(3);
  });

  it("opens and reads reach the board's opportunity lists (as the API lists them) and the customer's timeline", async () => {
    // a channel server reports lead-1's due steps sent; the customer opens one and reads it 75 s; lead-2 replies
    const lead1 = await customerId("lead-1");
    const sent = (await week.client.customer(lead1)).journeys.flatMap((j) => j.pastSteps).filter((s) => s.status === "due");
    expect(sent.length).toBeGreaterThan(0);
    expect(await week.client.acknowledgeDeliveries(sent.map((s) => s.key), "SENT")).toBe(sent.length);
    const at = new Date(week.now()).toISOString();
    const data = { deliveryKey: sent[0]!.key, content: sent[0]!.content, link: "https://example.com/case" };
    await week.client.ingestEvents([
      { id: "t-open", customer: "lead-1", name: "content.opened", at, data },
      { id: "t-read", customer: "lead-1", name: "content.read", at, data: { ...data, seconds: 75 } },
      { id: "t-reply", customer: "lead-2", name: "message.replied", at },
      { id: "t-demo", customer: "lead-5", name: "demo.requested", at },
    ]);
    await week.client.request(SetTargetMutation);
    await week.gateway.metricsRollup.runOnce(new Date(week.now()));

    await page.goto(`${week.url}/console/#/board`);
    await page.waitForSelector(".staff-opportunities");
    const { board } = await week.client.request(ConsoleBoardQuery);
    let listed = 0;
    for (const s of board.staff) {
      for (const kind of ["chat", "call"] as const) {
        const expected = (kind === "chat" ? s.chatOpportunities : s.callOpportunities).map((o) => o.customerId);
        const shown = await page.locator(`[data-staff="${s.staff.externalId}"] [data-list=${kind}] li[data-customer-id]`).evaluateAll((li) => li.map((e) => e.getAttribute("data-customer-id")));
        expect(shown, `${s.staff.externalId} ${kind}`).toEqual(expected);
        listed += expected.length;
      }
    }
    expect(listed).toBeGreaterThanOrEqual(3);
    expect(board.staff.some((s) => s.callOpportunities.length > 0)).toBe(true);
    await shot(page, "board");

    await page.click(`[data-list] li[data-customer-id="${lead1}"] a`);
    await page.waitForSelector("[data-testid=timeline]");
    expect(await page.textContent("[data-testid=customer-name]")).toContain("王芳");
    const cell = await page.textContent(`[data-testid="engagement-${sent[0]!.key}"]`);
    expect(cell).toContain("打开了");
    expect(cell).toContain("阅读了");
    expect(cell).toContain("75 秒");
    // the same events the API gives
    expect((await week.client.request(EngagementQuery, { id: lead1 })).customer.engagement.map((e) => e.name)).toEqual(["content.read", "content.opened"]);
    await shot(page, "customer");
  });

  it("metrics show the API's numbers: funnels, touches vs conversion, cohorts, targets; CSV export downloads the API's CSV", async () => {
    await page.goto(`${week.url}/console/#/metrics`);
    await page.waitForSelector("[data-testid=funnel-journeys]");
    const to = chinaDay(week.now());
    const from = chinaDay(week.now() - 29 * DAY);
    const m = await week.client.request(MetricsQuery, { from, to, journeyKey: null });
    const b2b = m.journeys.find((r) => r.journeyKey === "b2b-nurture")!;
    expect(b2b.delivered).toBeGreaterThan(0);
    expect(b2b.opened).toBe(1);
    expect(b2b.read).toBe(1);
    const cells = (table: string, row: string) =>
      page.locator(`[data-testid=${table}] tr[data-row="${row}"] td[data-m]`).evaluateAll((tds) => tds.map((td) => [td.getAttribute("data-m"), td.querySelector(".value")!.textContent]));
    const figures = (r: (typeof m.journeys)[number]) => (["delivered", "opened", "read", "clicked", "replied72h", "converted"] as const).map((k) => [k, String(r[k])]);
    for (const r of m.journeys) expect(await cells("funnel-journeys", r.journeyKey ?? ""), `journey ${r.journeyKey}`).toEqual(figures(r));
    for (const r of m.steps) expect(await cells("funnel-steps", `${r.journeyKey}/${r.stage}/${r.stepId}`), `step ${r.stepId}`).toEqual(figures(r));
    expect(m.steps.length).toBeGreaterThan(1);
    for (const r of m.cohorts) expect(await page.textContent(`[data-testid=cohorts] tr[data-cohort="${r.cohortWeek}"] td[data-m=delivered]`)).toBe(String(r.delivered));
    const buckets = m.touchHistogram.filter((b) => b.customers > 0);
    expect(buckets.length).toBeGreaterThan(0);
    for (const b of buckets) expect(await page.textContent(`[data-testid=touch-table] td[data-m=customers][data-bucket="${b.touches}${b.orMore ? "+" : ""}"]`)).toBe(String(b.customers));
    const target = m.metricTargets.find((g) => g.event === "demo.attended")!;
    expect(target.count).toBe(2);
    expect(await page.textContent('[data-target="demo.attended/MONTH"] [data-testid=target-count]')).toBe("2");
    await shot(page, "metrics");

    // keyboard: Alt+5 is the metrics page; the export is a button reached by Tab
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByText("导出 CSV").click()]);
    await expect.poll(() => page.textContent("[data-testid=csv-done]")).toMatch(/已下载 \d+ 行/);
    const csv = (await readFile((await download.path())!, "utf8")).replace(/^\ufeff/, "");
    expect(csv).toBe((await week.client.request(MetricsCsvQuery, { from, to, journeyKey: null })).metricsCsv);
    await page.keyboard.press("Alt+1");
    await page.keyboard.press("Alt+5");
    await page.waitForSelector("[data-testid=funnel-journeys]");
  });

  it("a metrics error shows the API's code and message", async () => {
    await page.fill('[data-testid=metrics-range] input[type=date] >> nth=0', "2024-01-01");
    await page.getByText("查询").click();
    await expect.poll(() => page.textContent("[role=alert]")).toMatch(/LIMIT/);
    expect(await page.textContent("[role=alert]")).toMatch(/366/);
  });

  it("the content library shows each piece's delivered count and open / reply / conversion rates as the API computes them", async () => {
    await page.goto(`${week.url}/console/#/content`);
    await page.waitForSelector("[data-testid=coverage]");
    const { metrics } = await week.client.request(ContentRatesQuery, { from: chinaDay(week.now() - 89 * DAY), to: chinaDay(week.now()) });
    const shown: string[] = [];
    for (const r of metrics.filter((x) => x.content)) {
      const row = page.locator(`tr[data-ref="${r.content}"]`);
      if ((await row.count()) === 0) continue; // delivered content that is not in the library
      shown.push(r.content!);
      expect(await row.locator("td[data-rate=delivered]").textContent(), r.content!).toBe(String(r.delivered));
      expect(await row.locator("td[data-rate=open]").textContent(), r.content!).toBe(r.openRate === null ? "—" : `${(r.openRate * 100).toFixed(1)}%`);
      expect(await row.locator("td[data-rate=reply]").textContent(), r.content!).toBe(r.replyRate72h === null ? "—" : `${(r.replyRate72h * 100).toFixed(1)}%`);
    }
    // the opened greeting of the opportunities scenario shows a rate above zero
    expect(shown.some((ref) => (metrics.find((r) => r.content === ref)!.openRate ?? 0) > 0)).toBe(true);
    await shot(page, "content");
  });

  it("a staff token sees only its own customers", async () => {
    const alice = week.staff.find((s) => s.externalId === "alice")!;
    const { token } = await week.client.issueStaffToken(alice.id);
    const all = (await week.client.request(CustomersQuery)).customers;
    const own = all.edges.filter((e) => e.node.staff?.id === alice.id).map((e) => e.node.externalId);
    expect(own.length).toBeGreaterThan(0);
    expect(own.length).toBeLessThan(all.totalCount);
    // One page for both sign-ins: this Chromium runs single-process, where a second context is fragile.
    await page.getByText("退出").click();
    await signIn(page, token);
    expect(await page.textContent("[data-testid=who]")).toContain(alice.name);
    await page.waitForSelector(".journey");
    const b2b = await page.textContent('[data-testid="count-b2b-nurture-new"]');
    const adminB2b = (await week.client.board()).journeys.find((j) => j.key === "b2b-nurture")!.stages.find((s) => s.id === "new")!.customers;
    expect(Number(b2b)).toBeLessThan(adminB2b);
    await shot(page, "staff-board");
    await page.click('[data-journey="b2b-nurture"] [data-stage="new"]');
    await page.waitForSelector("table.customers");
    const shown = await page.locator("table.customers [data-customer]").evaluateAll((links) => links.map((a) => a.getAttribute("data-customer")));
    expect(shown.length).toBe(Number(b2b));
    for (const id of shown) expect(own).toContain(id);
  });
});
