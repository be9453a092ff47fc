// A reply seen in a mini-program is message.replied with source mini_program, sent through the reporter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeWx } from "../src/testing/index.js";
import { createWxClient, createWxIngestReporter, replyEvent } from "../src/wx.js";
import { type GatewayFixture, startGateway } from "./helpers/gateway.js";

describe("replyEvent", () => {
  let gw: GatewayFixture;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.[Symbol.asyncDispose]();
  });

  it("records message.replied with data.source mini_program and the text", async () => {
    expect(replyEvent({ customer: "oOPEN", text: "hi" })).toEqual({ customer: "oOPEN", customerIdKind: "OPENID", name: "message.replied", data: { source: "mini_program", channel: "mini_program", text: "hi" } });
    const ws = await gw.workspace();
    const { customerId } = await ws.admin.enroll({ customerExternalId: "asker", journeyKey: "feed" });
    const wx = createFakeWx();
    const client = createWxClient({ url: gw.url, wx, token: ws.apiKey });
    const reporter = createWxIngestReporter(client, { wx });
    reporter.report(replyEvent({ customer: "asker", customerIdKind: "EXTERNAL", text: "想了解价格", data: { page: "consult" } }));
    await reporter.flush();
    const rows = await gw.gateway.db.sql.query<{ name: string; data: unknown }>(`SELECT name, data FROM events WHERE customer_id = $1`, [customerId]);
    expect(rows).toEqual([{ name: "message.replied", data: { page: "consult", source: "mini_program", channel: "mini_program", text: "想了解价格" } }]);
    reporter.dispose();
    await client.dispose();
  });

  it("client.reportCustomerReplied records the staff member's tap once per id", async () => {
    const ws = await gw.workspace();
    const amy = await ws.staff("amy");
    const { customerId } = await ws.admin.enroll({ customerExternalId: "tapped", journeyKey: "feed", staffId: amy.id });
    const staff = ws.client({ token: amy.token });
    const first = await staff.reportCustomerReplied({ customerId, id: "tap-1", at: new Date(Date.now() - 60_000) });
    expect(first).toEqual({ eventId: "staff_tap:tap-1", customerId, recorded: true, duplicate: false });
    expect(await staff.reportCustomerReplied({ customerId, id: "tap-1" })).toMatchObject({ recorded: false, duplicate: true });
    const rows = await gw.gateway.db.sql.query<{ data: unknown }>(`SELECT data FROM events WHERE customer_id = $1`, [customerId]);
    expect(rows).toEqual([{ data: { source: "staff_tap", channel: "private_chat", staffId: amy.id } }]);
    await staff.dispose();
  });
});
