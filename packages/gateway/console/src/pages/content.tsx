// The content library (type, topic, awareness, CTA, expiry, version, where each piece is used, its
// open / reply / conversion rates over the last 90 days of the gateway's clock) and the coverage grid journey × stage × channel × month, marking missing and expired content.
import type { JourneyDefinition } from "@sopline/core";
import { Fragment } from "preact";
import { coverage, MONTHS } from "../coverage.js";
import { channelName, formatTime, t } from "../i18n.js";
import { loadLibrary } from "../library.js";
import { ContentRatesQuery, JourneyDefinitionsQuery } from "../queries.js";
import { chinaDay, loadServerClock } from "../server-clock.js";
import { useSession } from "../session.js";
import { Empty, href, Show, useAsync } from "../ui.js";

const missingRefs = (library: Array<{ ref: string }>, usage: Map<string, unknown>) => {
  const known = new Set(library.map((c) => c.ref));
  return [...usage.keys()].filter((ref) => !known.has(ref)).sort();
};

export function ContentPage() {
  const { client } = useSession();
  const [data, retry] = useAsync(async () => {
    const [library, { journeys }, rates] = await Promise.all([loadLibrary(client), client.request(JourneyDefinitionsQuery), loadRates(client)]);
    return { library, journeys, rates, ...coverage(journeys.map((j) => ({ key: j.key, definition: j.definition as JourneyDefinition })), library) };
  }, [client]);
  return (
    <section>
      <Show value={data} retry={retry}>
        {({ library, rows, usage, rates }) => (
          <>
            <h1>{t("content.coverage")}</h1>
            <p class="legend">
              <span class="cell ok">■</span> {t("content.legendOk")} <span class="cell missing">■</span> {t("content.legendMissing")} <span class="cell expired">■</span> {t("content.legendExpired")}{" "}
              <span class="cell none">■</span> {t("content.legendNone")}
            </p>
            {rows.length === 0 ? (
              <Empty />
            ) : (
              <div class="scroll">
                <table class="grid coverage" data-testid="coverage">
                  <thead>
                    <tr>
                      <th>{t("journeys.title")}</th>
                      <th>{t("customer.stage")}</th>
                      <th>{t("journeys.channel")}</th>
                      {Array.from({ length: MONTHS }, (_, m) => (
                        <th>
                          {m + 1}
                          {t("content.month") === "月" ? "月" : ""}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr>
                        <td>{r.journey}</td>
                        <td>{r.stageName}</td>
                        <td>{channelName(r.channel)}</td>
                        {r.months.map((cell, m) => (
                          <td
                            class={`cell ${cell?.status ?? "none"}`}
                            data-cell={`${r.journey}/${r.stage}/${r.channel}/${m + 1}`}
                            title={cell ? `${cell.refs.join(", ")} (${cell.touches})` : ""}
                          >
                            {cell ? cell.touches : ""}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {missingRefs(library, usage).length > 0 && (
              <p class="state error" data-testid="missing-refs">
                <strong>{t("content.missingRefs")}:</strong>{" "}
                {missingRefs(library, usage).map((ref) => (
                  <span class="tag">{ref}</span>
                ))}
              </p>
            )}
            <h1>{t("content.title")}</h1>
            {library.length === 0 ? (
              <Empty />
            ) : (
              <table class="grid library" data-testid="library">
                <thead>
                  <tr>
                    <th>{t("content.ref")}</th>
                    <th>{t("content.name")}</th>
                    <th>{t("content.type")}</th>
                    <th>{t("content.topic")}</th>
                    <th>{t("content.awareness")}</th>
                    <th>{t("content.cta")}</th>
                    <th>{t("content.expiry")}</th>
                    <th>{t("content.version")}</th>
                    <th>{t("content.usedIn")}</th>
                    <th title={t("content.ratesRange")}>{t("content.delivered")}</th>
                    <th title={t("content.ratesRange")}>{t("content.openRate")}</th>
                    <th title={t("content.ratesRange")}>{t("content.replyRate")}</th>
                    <th title={t("content.ratesRange")}>{t("content.conversionRate")}</th>
                  </tr>
                </thead>
                <tbody>
                  {library.map((c) => (
                    <tr class={c.expired ? "expired" : ""} data-ref={c.ref}>
                      <td>
                        <code>{c.ref}</code>
                      </td>
                      <td>{c.title}</td>
                      <td>{c.type}</td>
                      <td>{c.topic ?? "—"}</td>
                      <td>{c.awareness ?? "—"}</td>
                      <td>{c.cta ?? "—"}</td>
                      <td>
                        {formatTime(c.expiresAt)} {c.expired && <span class="badge warn">{t("content.expired")}</span>}
                      </td>
                      <td class="num">{c.version}</td>
                      <td>
                        {(usage.get(c.ref) ?? []).map((u, i) => (
                          <Fragment>
                            {i > 0 && ", "}
                            <a href={href("journeys", u.journey)}>
                              {u.journey}/{u.stage}/{u.step}
                            </a>
                          </Fragment>
                        ))}
                        {!usage.has(c.ref) && <small>{t("content.unused")}</small>}
                      </td>
                      <td class="num" data-rate="delivered">{rates.get(c.ref)?.delivered ?? 0}</td>
                      <td class="num" data-rate="open">{percent(rates.get(c.ref)?.openRate)}</td>
                      <td class="num" data-rate="reply">{percent(rates.get(c.ref)?.replyRate72h)}</td>
                      <td class="num" data-rate="conversion">{percent(rates.get(c.ref)?.conversionRate)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Show>
    </section>
  );
}

/** Days of rates the library shows. */
const RATE_DAYS = 90;

type Rates = { delivered: number; openRate: number | null; replyRate72h: number | null; conversionRate: number | null };

/** Each piece's rates over the last RATE_DAYS days of the gateway's clock, by content ref. */
async function loadRates(client: Parameters<typeof loadServerClock>[0]): Promise<Map<string, Rates>> {
  const now = (await loadServerClock(client)).now();
  const { metrics } = await client.request(ContentRatesQuery, { from: chinaDay(now - (RATE_DAYS - 1) * 86_400_000), to: chinaDay(now) });
  return new Map(metrics.filter((m) => m.content).map((m) => [m.content!, m]));
}

const percent = (x: number | null | undefined) => (x === null || x === undefined ? "—" : `${(x * 100).toFixed(1)}%`);
