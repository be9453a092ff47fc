/**
 * examples/mini-program: a 4S-store sales rep's task page, running on the fake `wx` runtime
 * against a real gateway (embedded database, port 0) with the car-dealer journey. The clock is
 * injected: call tasks appear as the scheduler runs on simulated mornings, one of them while the
 * phone is offline; the page catches up after the reconnect and the rep completes a task.
 * Run: npx tsx examples/mini-program/index.ts
 */
import { createClient } from "@sopline/client";
import { createFakeWx } from "@sopline/client/testing";
import { createWxClient } from "@sopline/client/wx";
import { createGateway } from "@sopline/gateway";
import WebSocket from "ws";
import { carDealer } from "../journeys/index.js";
import { mountPage } from "./page-runtime.js";
import { taskFeedPage, type TaskPageData } from "./page.js";

const API_KEY = "sk_example_mini_program_dealer";
const HOUR = 3_600_000;

/** What the page showed at each point of the story. */
export interface MiniProgramRun {
  afterLoad: TaskPageData;
  afterLive: TaskPageData;
  afterReconnect: TaskPageData;
  afterComplete: TaskPageData;
  /** Customer external ids by customer id, to read the rows. */
  customers: Record<string, string>;
  /** The task completed from the page, and its status on the gateway afterwards. */
  completed: { id: string; status: string };
  /** wx.connectSocket calls (the first connection and the reconnect). */
  sockets: number;
  /** Reconnect attempts the client waited for. */
  reconnectWaits: number;
}

/**
 * Runs the story, printing what the rep sees at each step.
 *
 * @example
 * const run = await main(); run.afterReconnect.tasks.length; // 7
 */
export async function main(print: (text: string) => void = console.log): Promise<MiniProgramRun> {
  let now = Date.parse("2026-11-23T09:00:00+08:00"); // Monday
  const gateway = await createGateway({ databaseUrl: "memory://", adminKey: API_KEY, clock: () => new Date(now), schedulerIntervalMs: 24 * HOUR, graphiql: false });
  const { port } = await gateway.start(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}/graphql`;
  const admin = createClient({ url, token: API_KEY, webSocketImpl: WebSocket });
  const wx = createFakeWx(); // wx.request → HTTP, wx.connectSocket → a real WebSocket, with network controls
  // Reconnects wait until the network is back (a real app would use the default backoff).
  let online: () => void = () => {};
  let back = Promise.resolve();
  let reconnectWaits = 0;
  const retryWait = () => (reconnectWaits++, back);
  try {
    await admin.upsertJourney(carDealer);
    const amy = await admin.upsertStaff({ externalId: "dealer-amy", name: "Amy 刘", team: "store-1" });
    const { token } = await admin.issueStaffToken(amy.id, 7 * 86_400);
    const customers: Record<string, string> = {};
    const enroll = async (externalId: string) => {
      const { customerId } = await admin.enroll({ customerExternalId: externalId, journeyKey: "car-test-drive", staffId: amy.id, profile: { name: externalId } });
      customers[customerId] = externalId;
    };
    const tick = async (at: number) => {
      now = at;
      await gateway.scheduler.runOnce(new Date(now));
    };
    const show = (label: string, data: TaskPageData) =>
      print(`${label}\n${data.tasks.map((t) => `  ${local(t.dueAt)}  ${t.kind.padEnd(5)} ${customers[t.customerId] ?? t.customerId}`).join("\n") || "  (no tasks)"}\n`);

    // Monday 09:00: three leads; their first calls are due Tuesday 10:30.
    for (const lead of ["lead-wang", "lead-li", "lead-zhao"]) await enroll(lead);
    await tick(now + 25.5 * HOUR);

    const page = mountPage(taskFeedPage({ client: () => createWxClient({ url, wx, token, retryWait }) }));
    await page.onLoad({});
    const afterLoad = page.data;
    show("Tuesday 10:30, the rep opens the task page:", afterLoad);

    // Wang books a test drive (a booking confirmation to send by hand in the chat now, a reminder call
    // tomorrow 10:00); a new lead arrives (first call tomorrow 10:30).
    await admin.ingestEvents([{ id: "booking-1", customer: "lead-wang", name: "testdrive.booked", at: now }]);
    await enroll("lead-sun");
    await tick(now + 24 * HOUR); // Wednesday 10:30: the three tasks are created while the page is open
    await page.until((d) => d.tasks.length === 6, "three live tasks");
    const afterLive = page.data;
    show("Wednesday 10:30, three tasks arrived live:", afterLive);

    // The phone loses the network; a lead enrolled yesterday gets a call task meanwhile.
    back = new Promise((resolve) => (online = resolve));
    wx.setOnline(false);
    await enroll("lead-zhou");
    await tick(now + 24 * HOUR); // Thursday 10:30
    wx.setOnline(true);
    online();
    await page.until((d) => d.tasks.length === 7, "the task created while offline");
    const afterReconnect = page.data;
    show("Thursday 10:30, back online: the page caught up:", afterReconnect);

    const first = afterReconnect.tasks[0]!;
    const rendered = page.renders.length;
    await page.completeTask({ currentTarget: { dataset: { id: first.id } } });
    const { tasks: done } = await admin.tasks({ staffId: amy.id, status: "DONE" });
    // Renders: the optimistic removal, the done counter, then the feed's UPDATED notice (which must not bring it back).
    await page.until(() => page.renders.length >= rendered + 3, "the UPDATED notice from the feed");
    const afterComplete = page.data;
    show(`The rep calls ${customers[first.customerId]} and taps 完成 (done):`, afterComplete);

    page.onUnload();
    return { afterLoad, afterLive, afterReconnect, afterComplete, customers, completed: { id: first.id, status: done.some((t) => t.id === first.id) ? "DONE" : "not done" }, sockets: wx.sockets.length, reconnectWaits };
  } finally {
    online();
    await admin.dispose();
    await gateway.stop();
  }
}

/** "11-24 10:30" in the store's zone. */
const local = (iso: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso)).replace(",", "");
