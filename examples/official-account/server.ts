/**
 * A minimal official-account (公众号) server on @sopline/client: WeChat pushes a follower's
 * message; the server reports it to sopline as an event, asks which content the SOP says is due
 * for that follower on the official-account channel, answers with it as the passive reply,
 * sends anything else due through the customer-service message API, and acknowledges each.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createIngestReporter, memoryStorage, type DueDelivery, type SoplineClient, type SyncStorage } from "@sopline/client";
import type { WeChatApi } from "./wechat-api.js";
import { parseMessage, signature, textReply, type IncomingMessage } from "./wechat-xml.js";

/** Options of {@link buildApp}. */
export interface OfficialAccountOptions {
  /** A client with the workspace's API key. */
  client: Pick<SoplineClient, "ingestEvents" | "contentDue" | "acknowledgeDeliveries">;
  wechat: WeChatApi;
  /** The Token of 服务器配置 in the official-account console (signs every push). */
  token: string;
  /** Where unsent events wait if sopline is unreachable (default in memory). */
  storage?: SyncStorage;
  /** Message ids remembered to answer WeChat's retries (default 1 000). */
  rememberMessages?: number;
}

/** Counters, for logs and tests. */
export interface OfficialAccountStats {
  received: number;
  /** Retries of a message already handled (same MsgId). */
  duplicates: number;
  /** Events accepted by the gateway. */
  reported: number;
  /** Passive replies with content. */
  replied: number;
  /** Customer-service messages sent. */
  pushed: number;
  /** Deliveries reported FAILED. */
  failed: number;
}

/** The running server. */
export interface OfficialAccountApp {
  /** The fetch handler: GET (URL verification) and POST (pushes). */
  handle(request: Request): Promise<Response>;
  /** Listens with node:http (port 0 picks a free one). */
  start(port?: number): Promise<{ url: string }>;
  stop(): Promise<void>;
  /** Resolves when every customer-service send started so far has finished. */
  idle(): Promise<void>;
  stats: OfficialAccountStats;
}

const SUCCESS = () => new Response("success", { headers: { "content-type": "text/plain" } }); // "nothing to say" for WeChat

/**
 * Builds the server.
 *
 * @example
 * const app = buildApp({ client, wechat: createWeChatApi({ appId, appSecret }), token: process.env.WECHAT_TOKEN! });
 * await app.start(8080); // 服务器地址 (URL): http://your-host:8080/wechat
 */
export function buildApp(options: OfficialAccountOptions): OfficialAccountApp {
  const { client, wechat } = options;
  const stats: OfficialAccountStats = { received: 0, duplicates: 0, reported: 0, replied: 0, pushed: 0, failed: 0 };
  const reporter = createIngestReporter(client, { storage: options.storage ?? memoryStorage(), autoFlush: false });
  // WeChat retries a push it got no answer to within 5 s, with the same MsgId: answer it the same way.
  const answers = new Map<string, Promise<string>>();
  const remember = options.rememberMessages ?? 1_000;
  const background = new Set<Promise<void>>();
  let server: http.Server | undefined;

  function verified(url: URL): boolean {
    const [sig, timestamp, nonce] = ["signature", "timestamp", "nonce"].map((k) => url.searchParams.get(k) ?? "");
    return sig !== "" && signature(options.token, timestamp!, nonce!) === sig;
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (!verified(url)) return new Response("signature mismatch", { status: 403 });
    if (request.method === "GET") return new Response(url.searchParams.get("echostr") ?? ""); // URL verification
    if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
    let message: IncomingMessage;
    try {
      message = parseMessage(await request.text());
    } catch (error) {
      return new Response(String((error as Error).message), { status: 400 });
    }
    stats.received++;
    if (message.msgType !== "text" || !message.msgId) return SUCCESS();
    let answer = answers.get(message.msgId);
    if (answer) stats.duplicates++;
    else {
      answer = answerMessage(message);
      answers.set(message.msgId, answer);
      if (answers.size > remember) answers.delete(answers.keys().next().value!);
    }
    const xml = await answer;
    return xml ? new Response(xml, { headers: { "content-type": "application/xml; charset=utf-8" } }) : SUCCESS();
  }

  /** Reports the message, then replies with the oldest content due; "" when there is nothing to say. */
  async function answerMessage(message: IncomingMessage): Promise<string> {
    const openid = message.fromUserName;
    reporter.report({
      id: `wechat-msg:${message.msgId}`,
      customer: openid,
      customerIdKind: "OPENID",
      name: "message.replied",
      occurredAt: new Date(message.createTime * 1000).toISOString(),
      data: { text: message.content.slice(0, 500) },
      // A first message from someone sopline does not know creates them, routed by this attribute.
      profile: { attributes: { source: "official_account" } },
    });
    const flushed = await reporter.flush();
    stats.reported += flushed.sent;
    // Without sopline we cannot know what is due: say nothing now; the event stays queued, and a
    // retry of this message may try again.
    if (flushed.error) {
      answers.delete(message.msgId);
      return "";
    }
    const due = await client.contentDue({ customer: openid, idKind: "OPENID", channel: "OFFICIAL_ACCOUNT", limit: 10 });
    const [first, ...rest] = [...due].sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.key < b.key ? -1 : 1));
    if (!first) return "";
    await client.acknowledgeDeliveries([first.id], "SENT");
    stats.replied++;
    if (rest.length > 0) track(pushRest(openid, rest));
    return textReply({ to: openid, from: message.toUserName, createTime: message.createTime, content: textOf(first) });
  }

  // One passive reply per message: the rest go out as customer-service messages, after the reply.
  async function pushRest(openid: string, deliveries: DueDelivery[]): Promise<void> {
    for (const delivery of deliveries) {
      try {
        await wechat.sendText(openid, textOf(delivery));
        await client.acknowledgeDeliveries([delivery.id], "SENT");
        stats.pushed++;
      } catch (error) {
        await client.acknowledgeDeliveries([delivery.id], "FAILED", String((error as Error).message));
        stats.failed++;
      }
    }
  }

  function track(work: Promise<void>): void {
    background.add(work);
    void work.finally(() => background.delete(work));
  }

  return {
    handle,
    stats,
    idle: async () => {
      while (background.size > 0) await Promise.all(background);
    },
    async start(port = 0) {
      server = http.createServer((req, res) => void toFetch(req, res, handle));
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/wechat` };
    },
    async stop() {
      await Promise.all(background);
      reporter.dispose();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}

/** The text to send for a delivery: its content's `body.text`, else the title, else the ref. */
function textOf(delivery: DueDelivery): string {
  const body = delivery.contentEntry?.body as { text?: unknown } | null | undefined;
  return typeof body?.text === "string" ? body.text : (delivery.contentEntry?.title ?? delivery.content ?? "");
}

async function toFetch(req: http.IncomingMessage, res: http.ServerResponse, handle: (r: Request) => Promise<Response>): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`), {
    method: req.method ?? "GET",
    headers: Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])),
    ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
  });
  const response = await handle(request);
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}
