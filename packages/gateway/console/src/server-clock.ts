// The gateway's clock, not the browser's: the gateway's time is injected (simulations and tests run
// it ahead or behind), and a staff member's PC clock may be wrong. Read once per page, then kept
// ticking by the browser's monotonic offset.
import type { SoplineClient } from "@sopline/client";
import { ServerTimeQuery } from "./queries.js";

export interface ServerClock {
  /** The gateway's "now" in epoch ms. */
  now(): number;
}

export async function loadServerClock(client: SoplineClient): Promise<ServerClock> {
  const sentAt = performance.now();
  const { serverTime } = await client.request(ServerTimeQuery);
  const receivedAt = performance.now();
  // the answer was made about halfway through the round trip
  const base = Date.parse(serverTime) - (receivedAt - sentAt) / 2;
  return { now: () => base + (performance.now() - sentAt) };
}

/** "YYYY-MM-DD" of an instant in China time (metric days are China-time days). */
export function chinaDay(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}
