// Serves the operator console's built files (dist/console, made by scripts/build-console.ts) at
// /console: index.html never cached, hashed assets cached for good. No CDN: fonts included.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const CONSOLE_PATH = "/console";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
};

/** dist/console beside the bundled gateway (dist/index.js), or from the sources (src/server → dist/console). */
function consoleDirs(): string[] {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return [path.join(here, "console"), path.resolve(here, "../../dist/console")];
}

let found: string | null | undefined;
async function consoleDir(): Promise<string | null> {
  if (found) return found;
  for (const dir of consoleDirs()) {
    const index = await stat(path.join(dir, "index.html")).catch(() => null);
    if (index?.isFile()) return (found = dir);
  }
  return null;
}

export const isConsolePath = (p: string) => p === CONSOLE_PATH || p.startsWith(`${CONSOLE_PATH}/`);

export async function serveConsole(req: http.IncomingMessage, res: http.ServerResponse, urlPath: string): Promise<void> {
  if (urlPath === CONSOLE_PATH) {
    res.writeHead(308, { location: `${CONSOLE_PATH}/` });
    return void res.end();
  }
  const dir = await consoleDir();
  if (!dir) {
    res.writeHead(503, { "content-type": "text/plain; charset=utf-8" });
    return void res.end("The console is not built: run `npm run build:console -w packages/gateway` (npm install does it).\n");
  }
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.slice(CONSOLE_PATH.length + 1)) || "index.html";
  } catch {
    relative = "";
  }
  const file = path.resolve(dir, relative);
  // Only files inside the console's directory, never `..` out of it.
  const info = relative && file.startsWith(dir + path.sep) ? await stat(file).catch(() => null) : null;
  if (!info?.isFile()) {
    res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
    return void res.end(`Not found: ${urlPath}\n`);
  }
  const hashed = relative.startsWith("assets/");
  res.writeHead(200, {
    "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
    "content-length": String(info.size),
    "cache-control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    "x-content-type-options": "nosniff",
  });
  if (req.method === "HEAD") return void res.end();
  await new Promise<void>((resolve, reject) => createReadStream(file).on("error", reject).on("end", resolve).pipe(res));
}
