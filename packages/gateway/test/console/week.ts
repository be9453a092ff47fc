// A simulated week of the example journeys on a real gateway (embedded PGlite in memory, injected
// clock): customers enrolled with the three example staff members, a few behaviour events, the
// scheduler run hour by hour. What the console's browser tests look at.
import { createClient, graphql, type SoplineClient } from "@sopline/client";
import { createGateway, type Gateway, loadExamples } from "@sopline/gateway";

const HOUR = 3_600_000;
export const ADMIN_KEY = "sk_console_test_workspace_key";
export const WEEK_START = Date.parse("2026-11-23T09:00:00+08:00");

export interface Week {
  gateway: Gateway;
  url: string;
  client: SoplineClient;
  staff: Array<{ id: string; name: string; externalId: string }>;
  /** The injected clock's current instant. */
  now(): number;
  stop(): Promise<void>;
}

const StaffQuery = graphql(`query WeekStaff { staff { id name externalId } }`);

export async function simulatedWeek(): Promise<Week> {
  let now = WEEK_START;
  const gateway = await createGateway({ databaseUrl: "memory://", adminKey: ADMIN_KEY, clock: () => new Date(now), logger: false });
  await loadExamples(gateway.db, gateway.registry, gateway.workspaceId, new Date(now));
  const fetch = async (url: string, init: RequestInit) => gateway.yoga.fetch(url, init);
  const client = createClient({ url: "http://sopline.local/graphql", token: ADMIN_KEY, fetch });
  const { staff } = await client.request(StaffQuery);
  const [alice, bob, carol] = staff as [Week["staff"][number], Week["staff"][number], Week["staff"][number]];
  const people: Array<{ id: string; name: string; journey: string; staff: string; day: number }> = [];
  const names = ["王芳", "李强", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄涛", "周杰", "吴倩", "徐明", "孙丽"];
  names.forEach((name, i) => people.push({ id: `lead-${i + 1}`, name, journey: "b2b-nurture", staff: i % 2 === 0 ? alice.id : bob.id, day: i % 3 }));
  ["小美", "小刚", "小红", "小军"].forEach((name, i) => people.push({ id: `fan-${i + 1}`, name, journey: "course-8-9", staff: carol.id, day: i % 2 }));
  ["车主甲", "车主乙", "车主丙"].forEach((name, i) => people.push({ id: `car-${i + 1}`, name, journey: "car-test-drive", staff: bob.id, day: i }));
  const events = [
    { id: "e1", customer: "lead-1", name: "demo.attended", hour: 30 },
    { id: "e2", customer: "lead-2", name: "demo.attended", hour: 52 },
    { id: "e3", customer: "lead-3", name: "order.paid", hour: 75 },
    { id: "e4", customer: "fan-1", name: "order.paid", hour: 26 },
    { id: "e5", customer: "car-1", name: "testdrive.booked", hour: 50 },
  ];
  for (let hour = 0; hour <= 7 * 24; hour++, now += HOUR) {
    for (const p of people.filter((p) => p.day * 24 === hour)) {
      await client.enroll({ customerExternalId: p.id, journeyKey: p.journey, staffId: p.staff, profile: { name: p.name, attributes: { source: "webinar" } } });
    }
    const due = events.filter((e) => e.hour === hour);
    if (due.length) await client.ingestEvents(due.map((e) => ({ id: e.id, customer: e.customer, name: e.name, at: new Date(now).toISOString() })));
    await gateway.scheduler.runOnce(new Date(now));
  }
  now -= HOUR;
  const { url } = await gateway.start(0, "127.0.0.1");
  return {
    gateway,
    url: url.replace(/\/graphql$/, ""),
    client,
    staff,
    now: () => now,
    stop: async () => {
      await client.dispose();
      await gateway.stop();
    },
  };
}
