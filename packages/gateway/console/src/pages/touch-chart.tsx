// Touches per customer against conversion, as plain SVG (a dozen bars and a line: no chart library
// needed): bars are customers per bucket, the line the bucket's conversion rate. The table under it
// carries the same numbers for keyboards and screen readers.
import { t } from "../i18n.js";

export interface Bucket {
  touches: number;
  orMore: boolean;
  customers: number;
  converted: number;
  conversionRate: number | null;
}

const W = 560;
const H = 220;
const PAD = { left: 40, right: 44, top: 12, bottom: 28 };

const bucketLabel = (b: Bucket) => `${b.touches}${b.orMore ? "+" : ""}`;

export function TouchChart({ buckets }: { buckets: readonly Bucket[] }) {
  // the histogram has a bucket per count up to its last; trailing empty ones say nothing
  let last = buckets.length - 1;
  while (last > 0 && buckets[last]!.customers === 0) last--;
  const shown = buckets.slice(0, last + 1);
  const maxCustomers = Math.max(1, ...shown.map((b) => b.customers));
  const maxRate = Math.max(0.01, ...shown.map((b) => b.conversionRate ?? 0));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / shown.length;
  const x = (i: number) => PAD.left + i * slot;
  const yCustomers = (n: number) => PAD.top + plotH - (n / maxCustomers) * plotH;
  const yRate = (r: number) => PAD.top + plotH - (r / maxRate) * plotH;
  const line = shown.flatMap((b, i) => (b.conversionRate === null ? [] : [`${x(i) + slot / 2},${yRate(b.conversionRate)}`])).join(" ");
  return (
    <figure class="touch-chart" data-testid="touch-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t("metrics.touches")}>
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} class="axis" />
        <text x={PAD.left - 6} y={PAD.top + 8} class="tick" text-anchor="end">
          {maxCustomers}
        </text>
        <text x={W - PAD.right + 6} y={PAD.top + 8} class="tick rate">
          {(maxRate * 100).toFixed(0)}%
        </text>
        {shown.map((b, i) => (
          <g>
            <rect x={x(i) + slot * 0.15} width={slot * 0.7} y={yCustomers(b.customers)} height={PAD.top + plotH - yCustomers(b.customers)} class="bar">
              <title>{`${bucketLabel(b)}: ${b.customers} ${t("board.customers")}, ${b.converted} ${t("metrics.converted")}`}</title>
            </rect>
            <text x={x(i) + slot / 2} y={H - PAD.bottom + 16} class="tick" text-anchor="middle">
              {bucketLabel(b)}
            </text>
          </g>
        ))}
        {line && <polyline points={line} class="rate-line" />}
        {shown.map((b, i) => (b.conversionRate === null ? null : <circle cx={x(i) + slot / 2} cy={yRate(b.conversionRate)} r={3} class="rate-dot" />))}
      </svg>
      <figcaption>
        <span class="key bar" /> {t("metrics.customersPerBucket")} <span class="key rate" /> {t("metrics.conversionRate")}
      </figcaption>
      <table class="grid compact" data-testid="touch-table">
        <thead>
          <tr>
            <th scope="col">{t("metrics.touchCount")}</th>
            {shown.map((b) => (
              <th scope="col" class="num">
                {bucketLabel(b)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{t("board.customers")}</th>
            {shown.map((b) => (
              <td class="num" data-bucket={bucketLabel(b)} data-m="customers">
                {b.customers}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">{t("metrics.conversionRate")}</th>
            {shown.map((b) => (
              <td class="num" data-bucket={bucketLabel(b)} data-m="rate">
                {b.conversionRate === null ? "—" : `${(b.conversionRate * 100).toFixed(1)}%`}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
    </figure>
  );
}
