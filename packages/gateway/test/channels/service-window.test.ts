import { describe, expect, it } from "vitest";
import { ChannelError } from "../../src/channels/errors.js";
import { assertServiceWindowOpen, checkServiceWindow, SERVICE_WINDOW_MS } from "../../src/channels/wechat/service-window.js";

const H = 3_600_000;
const NOW = Date.UTC(2025, 0, 10, 12);

describe("48-hour customer-service window", () => {
  it("is open just before 48 h and closed at exactly 48 h", () => {
    expect(checkServiceWindow(NOW - 48 * H + 1, NOW)).toEqual({ ok: true, closesAt: NOW + 1 });
    const closed = checkServiceWindow(NOW - 48 * H, NOW);
    expect(closed).toMatchObject({ ok: false, reason: "expired", closedAt: NOW });
  });

  it("is closed when there was never an interaction", () => {
    expect(checkServiceWindow(null, NOW)).toMatchObject({ ok: false, reason: "no_interaction" });
    expect(checkServiceWindow(undefined, NOW)).toMatchObject({ ok: false, reason: "no_interaction" });
  });

  it("uses a configurable window", () => {
    expect(checkServiceWindow(NOW - 2 * H, NOW, H).ok).toBe(false);
    expect(SERVICE_WINDOW_MS).toBe(48 * H);
  });

  it("the throwing form returns closesAt or throws a permanent ChannelError", () => {
    expect(assertServiceWindowOpen(NOW - H, NOW)).toBe(NOW + 47 * H);
    expect(() => assertServiceWindowOpen(NOW - 49 * H, NOW)).toThrow(ChannelError);
    try {
      assertServiceWindowOpen(NOW - 49 * H, NOW);
    } catch (e) {
      expect(e).toMatchObject({ code: "service_window_closed", permanent: true, provider: "wechat" });
    }
  });
});
