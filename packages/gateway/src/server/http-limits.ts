import type { Plugin } from "graphql-yoga";
import { MAX_BODY_BYTES } from "../graphql/limits.js";

/** A GraphQL-shaped JSON error response (used outside GraphQL execution: body limits, the webhook). */
export function jsonError(status: number, code: string, message: string, extra: Record<string, unknown> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] }), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** Refuses request bodies larger than `maxBytes` before anything reads them (413, code LIMIT). */
export function bodyLimitPlugin(maxBytes = MAX_BODY_BYTES): Plugin {
  return {
    onRequest({ request, endResponse }) {
      const length = Number(request.headers.get("content-length") ?? "0");
      if (length > maxBytes) {
        endResponse(jsonError(413, "LIMIT", `request body: at most ${maxBytes} bytes allowed, got ${length}`, { field: "body", limit: maxBytes }));
      }
    },
  };
}

/** Reads a body as text, stopping at `maxBytes` (for bodies sent without a length). */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
