// Metrics (数据): the funnel per journey and per step (delivered → opened → read → clicked → replied
// → converted), touches per customer against conversion, entry-week cohorts, the team's targets with
// progress, and a CSV export. Every figure is the API's (`metrics`, `touchHistogram`,
// `metricTargets`, `metricsCsv`); the range defaults to the last 30 days of the gateway's clock.
import type { ResultOf } from "@sopline/client";
import { useState } from "preact/hooks";
import { t } from "../i18n.js";
import { JourneysQuery, MetricsCsvQuery, MetricsQuery } from "../queries.js";
import { chinaDay, loadServerClock } from "../server-clock.js";
import { useSession } from "../session.js";
import { Empty, ErrorBox, Loading, Show, useAction, useAsync } from "../ui.js";
import { TouchChart } from "./touch-chart.js";

type Metrics = ResultOf<typeof MetricsQuery>;
type Row = Metrics["journeys"][number];

const DAY = 86_400_000;
const DEFAULT_DAYS = 30;

/** The funnel's measures, in order (replied = within 72 h of a touch). */
export const FUNNEL = ["delivered", "opened", "read", "clicked", "replied72h", "converted"] as const;
type Measure = (typeof FUNNEL)[number];

const percent = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(1)}%` : "—");

export function MetricsPage() {
  const { client } = useSession();
  const [range] = useAsync(async () => {
    const now = (await loadServerClock(client)).now();
    return { from: chinaDay(now - (DEFAULT_DAYS - 1) * DAY), to: chinaDay(now) };
  }, [client]);
  return (
    <section>
      <h1>{t("metrics.title")}</h1>
      <Show value={range}>{(r) => <Metrics initial={r} />}</Show>
    </section>
  );
}

function Metrics({ initial }: { initial: { from: string; to: string } }) {
  const { client } = useSession();
  const [form, setForm] = useState({ ...initial, journeyKey: "" });
  const [query, setQuery] = useState(form);
  const [journeys] = useAsync(() => client.request(JourneysQuery), [client]);
  const [data, retry] = useAsync(() => client.request(MetricsQuery, { from: query.from, to: query.to, journeyKey: query.journeyKey || null }), [client, query]);
  const apply = (e: Event) => {
    e.preventDefault();
    setQuery(form);
  };
  return (
    <>
      <form class="toolbar" onSubmit={apply} data-testid="metrics-range">
        <label>
          {t("metrics.from")}
          <input type="date" value={form.from} onInput={(e) => setForm({ ...form, from: e.currentTarget.value })} />
        </label>
        <label>
          {t("metrics.to")}
          <input type="date" value={form.to} onInput={(e) => setForm({ ...form, to: e.currentTarget.value })} />
        </label>
        <label>
          {t("customer.journeys")}
          <select value={form.journeyKey} onChange={(e) => setForm({ ...form, journeyKey: e.currentTarget.value })} data-testid="metrics-journey">
            <option value="">{t("metrics.allJourneys")}</option>
            {journeys.status === "ok" && journeys.data.journeys.map((j) => <option value={j.key}>{j.name ?? j.key}</option>)}
          </select>
        </label>
        <button type="submit" class="primary">
          {t("metrics.apply")}
        </button>
        <CsvExport query={query} />
      </form>
      <Show value={data} retry={retry}>
        {(m) => (
          <>
            <Targets targets={m.metricTargets} />
            <div class="card">
              <h2>
                {t("metrics.funnelJourneys")} <small>{query.from} – {query.to}</small>
              </h2>
              <FunnelTable rows={m.journeys} label={(r) => r.journeyKey || t("metrics.unattributed")} testid="funnel-journeys" rowKey={(r) => r.journeyKey ?? ""} />
            </div>
            <div class="card">
              <h2>{t("metrics.funnelSteps")}</h2>
              <FunnelTable rows={m.steps} label={(r) => `${r.journeyKey || t("metrics.unattributed")} · ${r.stage ?? ""} · ${r.stepId ?? ""}`} testid="funnel-steps" rowKey={(r) => `${r.journeyKey}/${r.stage}/${r.stepId}`} />
            </div>
            <div class="columns">
              <div class="card">
                <h2>{t("metrics.touches")}</h2>
                <p class="hint">{t("metrics.touchesHint")}</p>
                {m.touchHistogram.every((b) => b.customers === 0) ? <Empty /> : <TouchChart buckets={m.touchHistogram} />}
              </div>
              <div class="card">
                <h2>{t("metrics.cohorts")}</h2>
                <Cohorts rows={m.cohorts} />
              </div>
            </div>
          </>
        )}
      </Show>
    </>
  );
}

/** Counts with each measure's share of the delivered, and a bar per measure relative to the row's delivered. */
function FunnelTable({ rows, label, rowKey, testid }: { rows: readonly Row[]; label: (r: Row) => string; rowKey: (r: Row) => string; testid: string }) {
  if (rows.length === 0) return <Empty>{t("metrics.none")}</Empty>;
  const sorted = [...rows].sort((a, b) => b.delivered - a.delivered || label(a).localeCompare(label(b)));
  return (
    <div class="scroll">
      <table class="grid funnel" data-testid={testid}>
        <thead>
          <tr>
            <th scope="col">{t("metrics.group")}</th>
            {FUNNEL.map((m) => (
              <th scope="col" class="num">
                {t(`metrics.${m}`)}
              </th>
            ))}
            <th scope="col" class="num">{t("metrics.dwell")}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr data-row={rowKey(r)}>
              <th scope="row">{label(r)}</th>
              {FUNNEL.map((m) => (
                <FunnelCell row={r} measure={m} />
              ))}
              <td class="num">{r.readSecondsAvg === null ? "—" : `${r.readSecondsAvg.toFixed(0)} ${t("unit.seconds")}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FunnelCell({ row, measure }: { row: Row; measure: Measure }) {
  const n = row[measure];
  const share = row.delivered > 0 ? Math.min(1, n / row.delivered) : 0;
  return (
    <td class="num funnel-cell" data-m={measure}>
      <span class="value">{n}</span>
      {measure !== "delivered" && <small> {percent(n, row.delivered)}</small>}
      <span class="bar" style={{ width: `${(share * 100).toFixed(1)}%` }} aria-hidden="true" />
    </td>
  );
}

function Cohorts({ rows }: { rows: Metrics["cohorts"] }) {
  if (rows.length === 0) return <Empty>{t("metrics.none")}</Empty>;
  const sorted = [...rows].sort((a, b) => (a.cohortWeek ?? "").localeCompare(b.cohortWeek ?? ""));
  return (
    <table class="grid" data-testid="cohorts">
      <thead>
        <tr>
          <th scope="col">{t("metrics.cohortWeek")}</th>
          <th scope="col" class="num">{t("metrics.delivered")}</th>
          <th scope="col" class="num">{t("metrics.opened")}</th>
          <th scope="col" class="num">{t("metrics.replied72h")}</th>
          <th scope="col" class="num">{t("metrics.converted")}</th>
          <th scope="col" class="num">{t("metrics.conversionRate")}</th>
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr data-cohort={r.cohortWeek ?? ""}>
            <th scope="row">{r.cohortWeek || "—"}</th>
            <td class="num" data-m="delivered">{r.delivered}</td>
            <td class="num" data-m="opened">{r.opened}</td>
            <td class="num" data-m="replied72h">{r.replied72h}</td>
            <td class="num" data-m="converted">{r.converted}</td>
            <td class="num">{percent(r.converted, r.delivered)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Targets({ targets }: { targets: Metrics["metricTargets"] }) {
  return (
    <div class="card">
      <h2>{t("metrics.targets")}</h2>
      {targets.length === 0 ? (
        <Empty>{t("metrics.noTargets")}</Empty>
      ) : (
        <ul class="targets" data-testid="targets">
          {targets.map((g) => (
            <li data-target={`${g.event}/${g.period}`}>
              <span class="name">
                {g.event} <small>{t(`metrics.period.${g.period}`)} · {g.periodStart} – {g.periodEnd}</small>
              </span>
              <progress max={g.target} value={Math.min(g.count, g.target)} aria-label={g.event} />
              <span class="num">
                <strong data-testid="target-count">{g.count}</strong> / {g.target} ({(g.progress * 100).toFixed(0)}%)
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Downloads the step metrics per day of the range as CSV (the API's `metricsCsv`), with progress while it runs. */
function CsvExport({ query }: { query: { from: string; to: string; journeyKey: string } }) {
  const { client } = useSession();
  const action = useAction();
  const [done, setDone] = useState<{ rows: number; bytes: number } | null>(null);
  const run = () =>
    void action
      .run(async () => {
        setDone(null);
        const { metricsCsv } = await client.request(MetricsCsvQuery, { from: query.from, to: query.to, journeyKey: query.journeyKey || null });
        const blob = new Blob(["\ufeff", metricsCsv], { type: "text/csv;charset=utf-8" }); // BOM: Excel reads the Chinese right
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = `sopline-metrics-${query.journeyKey || "all"}-${query.from}-${query.to}.csv`;
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
        return { rows: Math.max(0, metricsCsv.split("\r\n").filter(Boolean).length - 1), bytes: blob.size };
      })
      .then((r) => r && setDone(r));
  return (
    <span class="csv-export" data-testid="csv-export">
      <button type="button" onClick={run} disabled={action.busy}>
        {t("metrics.csv")}
      </button>
      {action.busy && <Loading label={t("metrics.csvRunning")} />}
      {done && (
        <small role="status" data-testid="csv-done">
          {t("metrics.csvDone").replace("{n}", String(done.rows))}
        </small>
      )}
      {action.error ? <ErrorBox error={action.error} /> : null}
    </span>
  );
}
