// A hand-written horizontal bar chart: fire and enqueue steps/s per system.

import type { Summary } from "./stats.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (x: number) => Math.round(x).toLocaleString("en-US");

export function barChart(rows: Summary[], title: string, notWired: string[] = []): string {
  const labelW = 210;
  const barMax = 520;
  const rowH = 46;
  const top = 56;
  const width = labelW + barMax + 130;
  const height = top + rows.length * rowH + 40 + (notWired.length > 0 ? 20 : 0);
  const max = Math.max(1, ...rows.flatMap((r) => [r.result.firePerSec, r.result.enqueuePerSec]));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${labelW}" y="34" width="12" height="10" fill="#2b6cb0"/><text x="${labelW + 18}" y="43">fired steps/s (median)</text>`,
    `<rect x="${labelW + 200}" y="34" width="12" height="10" fill="#a0c4e8"/><text x="${labelW + 218}" y="43">enqueued steps/s (median)</text>`,
  ];
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const fw = (r.result.firePerSec / max) * barMax;
    const ew = (r.result.enqueuePerSec / max) * barMax;
    out.push(
      `<text x="${labelW - 8}" y="${y + 20}" text-anchor="end">${esc(r.result.system)}</text>`,
      `<rect x="${labelW}" y="${y + 4}" width="${fw.toFixed(1)}" height="18" fill="#2b6cb0"/>`,
      `<text x="${labelW + fw + 6}" y="${y + 18}">${fmt(r.result.firePerSec)}</text>`,
      `<rect x="${labelW}" y="${y + 24}" width="${ew.toFixed(1)}" height="10" fill="#a0c4e8"/>`,
      `<text x="${labelW + ew + 6}" y="${y + 34}" font-size="11" fill="#555">${fmt(r.result.enqueuePerSec)}</text>`,
    );
  });
  out.push(`<line x1="${labelW}" y1="${top - 4}" x2="${labelW}" y2="${top + rows.length * rowH}" stroke="#333"/>`);
  // A skipped system gets a line, never a bar: no number exists for it.
  if (notWired.length > 0) {
    out.push(`<text x="12" y="${top + rows.length * rowH + 24}" fill="#a33">not yet wired (no bar): ${esc(notWired.join(", "))}</text>`);
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
