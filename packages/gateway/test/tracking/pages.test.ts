import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { BEACON_SCRIPT, landingPage } from "../../src/tracking/pages.js";

/** A browser just big enough for the scripts: visibility, sendBeacon, location, timers run at once. */
function fakeBrowser(opts: { visible: boolean; href?: string; scriptSrc?: string }) {
  const listeners = new Map<string, Array<(e?: unknown) => void>>();
  const on = (type: string, fn: (e?: unknown) => void) => listeners.set(type, [...(listeners.get(type) ?? []), fn]);
  const beacons: Array<{ url: string; body: string }> = [];
  const replaced: string[] = [];
  const document = {
    visibilityState: opts.visible ? "visible" : "hidden",
    addEventListener: on,
    currentScript: opts.scriptSrc ? { src: opts.scriptSrc } : null,
  };
  const href = opts.href ?? "https://h5.example.com/page";
  const context = {
    document,
    navigator: { sendBeacon: (url: string, blob: Blob) => (void blob.text().then((body) => beacons.push({ url, body })), true) },
    location: { search: new URL(href).search, replace: (u: string) => replaced.push(u) },
    crypto: globalThis.crypto, Blob, URL, URLSearchParams, JSON, Math, Date, String, Uint8Array,
    setTimeout: (fn: () => void) => fn(),
    setInterval: () => 0,
    addEventListener: on,
    fetch: () => Promise.resolve(),
  };
  vm.createContext(context);
  return {
    context, beacons, replaced,
    show() {
      document.visibilityState = "visible";
      for (const fn of listeners.get("visibilitychange") ?? []) fn();
    },
    fire(type: string, e?: unknown) {
      for (const fn of listeners.get(type) ?? []) fn(e);
    },
  };
}
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
const scriptOf = (html: string) => /<script>([\s\S]*)<\/script>/.exec(html)![1]!;

describe("the landing page's script", () => {
  const html = landingPage({ openUrl: "https://sop.example.com/t/TOKEN/open", target: "https://example.com/case?id=1#top", token: "TOKEN" });

  it("posts the open only once the page is visible, then replaces itself with the target carrying sl_t and sl_pv", async () => {
    const b = fakeBrowser({ visible: false });
    vm.runInContext(scriptOf(html), b.context);
    await settle();
    expect(b.beacons).toEqual([]); // prerendered or in a background tab: nothing counted
    expect(b.replaced).toEqual([]);
    b.show();
    b.show();
    await settle();
    expect(b.beacons).toHaveLength(1);
    expect(b.beacons[0]!.url).toBe("https://sop.example.com/t/TOKEN/open");
    const { pv } = JSON.parse(b.beacons[0]!.body) as { pv: string };
    expect(pv).toMatch(/^[0-9a-f]{24}$/);
    expect(b.replaced).toEqual([`https://example.com/case?id=1&sl_t=TOKEN&sl_pv=${pv}#top`]);
  });

  it("cannot be broken out of by a target holding markup", () => {
    const evil = landingPage({ openUrl: "https://sop.example.com/t/T/open", target: 'https://example.com/"></script><script>alert(1)</script>', token: "T" });
    expect(evil.match(/<\/script>/g)).toHaveLength(1);
    expect(evil).toContain("&#34;&#62;&#60;/script&#62;");
  });
});

describe("beacon.js on an operator's page", () => {
  it("continues the landing page's view: no second open, dwell on pagehide, clicks", async () => {
    const b = fakeBrowser({ visible: true, href: "https://h5.example.com/case?sl_t=TOKEN&sl_pv=pv-from-landing", scriptSrc: "https://sop.example.com/t/beacon.js" });
    vm.runInContext(BEACON_SCRIPT, b.context);
    b.fire("click", { target: { closest: () => ({ href: "https://h5.example.com/pricing" }) } });
    b.fire("pagehide");
    await settle();
    expect(b.beacons.map((x) => [x.url, JSON.parse(x.body)])).toEqual([
      ["https://sop.example.com/t/TOKEN/click", { href: "https://h5.example.com/pricing", n: 1, pv: "pv-from-landing" }],
      ["https://sop.example.com/t/TOKEN/leave", { s: 0, pv: "pv-from-landing" }],
    ]);
  });

  it("posts the open itself on a page reached without the landing page, and nothing without sl_t", async () => {
    const direct = fakeBrowser({ visible: true, href: "https://h5.example.com/case?sl_t=TOKEN", scriptSrc: "https://sop.example.com/t/beacon.js" });
    vm.runInContext(BEACON_SCRIPT, direct.context);
    await settle();
    expect(direct.beacons.map((x) => x.url)).toEqual(["https://sop.example.com/t/TOKEN/open"]);
    const plain = fakeBrowser({ visible: true, href: "https://h5.example.com/case", scriptSrc: "https://sop.example.com/t/beacon.js" });
    vm.runInContext(BEACON_SCRIPT, plain.context);
    plain.fire("pagehide");
    await settle();
    expect(plain.beacons).toEqual([]);
  });
});
