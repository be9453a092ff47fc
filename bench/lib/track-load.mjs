// Load generator of bench/track.bench.ts, run as its own process so it does not share the event
// loop of the server it measures. It drives autocannon (HTTP/1.1 keep-alive, a fixed number of
// connections, one request in flight on each) and prints the result as one JSON line.
//
// Input (JSON on stdin; the tokens are too many for the command line):
//   base         "http://127.0.0.1:<port>"
//   tokens       tracked-link tokens; page view n opens tokens[n % tokens.length]
//   mix          "open"  — every request is a page view's open beacon
//                "visit" — each connection plays whole page views: open, two heartbeats (a read of
//                          30–45 s; the beacon beats every 15 s of visible time), then pagehide
//   amount       requests in all
//   connections  connections kept open (each one a reader's browser behind the proxy, in turn)
//   run          a name that keeps page view ids apart between runs
// Each page view comes from its own client address (X-Forwarded-For, the gateway trusting its
// proxy), so the per-address limit of opens never bites: every open answered should be stored.
import autocannon from "autocannon";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { base, tokens, mix, amount, connections, run } = JSON.parse(input);
let views = 0;
let opensAnswered = 0;

const headersOf = (n) => ({
  "content-type": "text/plain",
  "x-forwarded-for": `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
});

// A new page view on this connection: its token, id and address live in the connection's context.
const open = {
  method: "POST",
  setupRequest(req, context) {
    const n = views++;
    context.token = tokens[n % tokens.length];
    context.pv = `${run}-${n}`.padEnd(8, "0");
    context.headers = headersOf(n);
    return { ...req, path: `/t/${context.token}/open`, headers: context.headers, body: `{"pv":"${context.pv}"}` };
  },
  onResponse(status) {
    if (status === 204) opensAnswered++;
  },
};
const beacon = (kind, seconds) => ({
  method: "POST",
  setupRequest(req, context) {
    return { ...req, path: `/t/${context.token}/${kind}`, headers: context.headers, body: `{"pv":"${context.pv}","s":${seconds}}` };
  },
});
const requests = mix === "visit" ? [open, beacon("beat", 15), beacon("beat", 30), beacon("leave", 38)] : [open];

const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await autocannon({ url: base, connections, amount, requests, pipelining: 1, timeout: 30 });
// autocannon's own duration counts whole ticks of its one-second sampler: timed here instead.
const seconds = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    requests: result.requests.total,
    seconds,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    opensAnswered,
    cpuMs: ((c) => (c.user + c.system) / 1000)(process.cpuUsage(cpu0)),
    latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
  }),
);
