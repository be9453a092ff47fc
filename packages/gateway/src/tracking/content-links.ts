/**
 * Where the links of a content body are, so they can be checked when saved and rewritten per
 * delivery. A body is any JSON (see wecom-integration/content.ts for the shapes channels read);
 * links are found the same way whatever the channel:
 *   - a string under a key named `url`, `link` or `href` is one link (a WeCom link attachment's
 *     `link.url`, a template message's `url`, a news article's `url`, a chat-toolbar news `link`);
 *   - http(s) URLs written inside text (a string body, or a string under `text` or `content`).
 * The walk follows the body's key order, so the n-th link of a stored body is always the same one.
 */

type Json = unknown;

const LINK_KEYS = new Set(["url", "link", "href"]);
const TEXT_KEYS = new Set(["text", "content"]);
/** http(s) URLs inside prose; stops at whitespace, quotes, angle brackets and CJK punctuation. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"'，。！？；、（）【】「」]+/g;
/** Links past this many in one body are left as they are (a body is not a link farm). */
export const MAX_TRACKED_LINKS = 100;

/** A problem with a link field, naming it: `attachments[0].link.url: …`. */
export interface LinkIssue {
  path: string;
  message: string;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** True for an absolute http: or https: URL. */
export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

/**
 * Every link field that is not an absolute http(s) URL (`javascript:`, `data:`, relative paths, …),
 * with its path under `prefix`. Links inside text are found by their scheme, so they are http(s)
 * by construction.
 */
export function linkIssues(body: Json, prefix = "body"): LinkIssue[] {
  const issues: LinkIssue[] = [];
  const walk = (v: Json, path: string, key: string | null) => {
    if (typeof v === "string") {
      if (key !== null && LINK_KEYS.has(key) && !isHttpUrl(v.trim())) {
        issues.push({ path, message: `${JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)} is not an http(s) link (tracked links lead to http:// or https:// pages only)` });
      }
    } else if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${path}[${i}]`, null));
    else if (isObj(v)) for (const [k, item] of Object.entries(v)) walk(item, `${path}.${k}`, k);
  };
  walk(body, prefix, null);
  return issues;
}

/**
 * The body with each link replaced by `replace(index, url)` (index in walk order, from 0), and the
 * links in that order. Nothing else changes; a replace that returns the url leaves it.
 */
export function rewriteLinks(body: Json, replace: (index: number, url: string) => string): { body: Json; links: string[] } {
  const links: string[] = [];
  const next = (url: string): string => {
    if (links.length >= MAX_TRACKED_LINKS) return url;
    links.push(url);
    return replace(links.length - 1, url);
  };
  const walk = (v: Json, key: string | null): Json => {
    if (typeof v === "string") {
      if (key !== null && LINK_KEYS.has(key)) return isHttpUrl(v.trim()) ? next(v.trim()) : v;
      if (key !== null && TEXT_KEYS.has(key)) return v.replace(URL_IN_TEXT, (url) => next(url));
      return v;
    }
    if (Array.isArray(v)) return v.map((item) => walk(item, null));
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item, k)]));
    return v;
  };
  // A plain string body is text.
  const out = walk(body, typeof body === "string" ? "text" : null);
  return { body: out, links };
}
