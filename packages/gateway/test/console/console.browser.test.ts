// The operator console in a real browser: headless Chromium from the npm package
// @sparticuz/chromium driven by playwright-core (no browser download), against a gateway that ran
// a simulated week of the example journeys. One browser, one gateway, the scenarios in order.
// CONSOLE_SCREENSHOTS=1 also writes docs/console/*.png.
import { mkdir } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import chromium from "@sparticuz/chromium";
import { graphql } from "@sopline/client";
import { type Browser, type Page, chromium as playwright } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildConsole } from "../../scripts/build-console.js";
import { ADMIN_KEY, simulatedWeek, type Week } from "./week.js";

const SHOTS = process.env.CONSOLE_SCREENSHOTS ? path.resolve(fileURLToPath(import.meta.url), "../../../../../docs/console") : null;

let week: Week;
let browser: Browser;
let page: Page;

async function shot(p: Page, name: string) {
  if (!SHOTS) return;
  await mkdir(SHOTS, { recursive: true });
  await p.evaluate(() => document.fonts.ready);
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
    await shot(page, "tasks");
    await page.locator("li.task").first().getByText("完成").click();
    await expect.poll(async () => (await week.client.tasks({ staffId: alice.id, status: "OPEN", first: 100 })).totalCount).toBe(open - 1);
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
