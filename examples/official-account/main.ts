/**
 * examples/official-account: a gateway on the embedded database, the follower journey loaded
 * through the client, the official-account server on a free port, and one follower writing to
 * it the way WeChat would push the message. Prints the push and the passive reply.
 * Run: npx tsx examples/official-account/index.ts
 */
import { createClient } from "@sopline/client";
import { createGateway } from "@sopline/gateway";
import { prepareWorkspace } from "./journey.js";
import { buildApp } from "./server.js";
import { createWeChatApi } from "./wechat-api.js";
import { messageXml, parseMessage, signature } from "./wechat-xml.js";

const API_KEY = "sk_example_official_account_ws";
/** The Token configured in the official-account console (demo value). */
export const WECHAT_TOKEN = "sopline-demo-token";
/** The official account's id (ToUserName of every push). */
export const ACCOUNT = "gh_sopline_demo";

/**
 * A signed push URL, as WeChat builds it for `url` (the server's address).
 *
 * @example
 * await fetch(pushUrl(app.url, 1790000000, "n1"), { method: "POST", body: xml });
 */
export function pushUrl(url: string, timestamp: number, nonce: string, token = WECHAT_TOKEN): string {
  return `${url}?${new URLSearchParams({ signature: signature(token, String(timestamp), nonce), timestamp: String(timestamp), nonce })}`;
}

/**
 * Runs the demo and returns the reply the follower got.
 *
 * @example
 * const { reply } = await main(); // reply.content: the greeting
 */
export async function main(print: (text: string) => void = console.log) {
  const gateway = await createGateway({ databaseUrl: "memory://", adminKey: API_KEY });
  const client = createClient({ url: "http://sopline.local/graphql", token: API_KEY, fetch: async (url, init) => gateway.yoga.fetch(url, init) });
  // No real WeChat here: the first message's reply is passive, so the API is never called.
  const app = buildApp({ client, wechat: createWeChatApi({ appId: "wx-demo", appSecret: "demo-secret" }), token: WECHAT_TOKEN });
  try {
    await prepareWorkspace(client);
    const { url } = await app.start(0);
    const createTime = Math.floor(Date.now() / 1000);
    const push = messageXml({ toUserName: ACCOUNT, fromUserName: "o-demo-follower", createTime, msgType: "text", content: "你好，想了解一下课程", msgId: "24000000000000001" });
    print(`WeChat → ${url}\n${push}\n`);
    const response = await fetch(pushUrl(url, createTime, "demo"), { method: "POST", headers: { "content-type": "text/xml" }, body: push });
    const xml = await response.text();
    print(`server → WeChat (passive reply)\n${xml}\n`);
    const reply = parseMessage(xml);
    print(`The follower sees: ${reply.content}`);
    return { reply, stats: app.stats };
  } finally {
    await app.stop();
    await gateway.stop();
  }
}
