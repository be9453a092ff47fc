// The board (看板): customers per stage of every journey, live, and today's chat / call
// opportunities per staff member. A stage opens its customers.
import type { Board } from "@sopline/client";
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n.js";
import { StageCustomersQuery } from "../queries.js";
import { useSession } from "../session.js";
import { Empty, ErrorBox, href, Loading, Show, useAsync } from "../ui.js";
import { BulkMove } from "./bulk-move.js";

const POLL_MS = 30_000;

/** The board, then every change the subscription pushes; polls instead when the socket fails. */
function useLiveBoard(): { board: Board | null; error: unknown; live: boolean } {
  const { client } = useSession();
  const [board, setBoard] = useState<Board | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(true);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    const load = () =>
      client.board().then(
        (b) => !stopped && (setBoard(b), setError(null)),
        (e: unknown) => !stopped && setError(e),
      );
    void load();
    let unsubscribe: (() => void) | undefined;
    try {
      unsubscribe = client.boardChanges({
        next: (b) => !stopped && setBoard(b),
        error: () => {
          if (stopped || timer) return;
          setLive(false);
          timer = setInterval(load, POLL_MS);
        },
      });
    } catch {
      setLive(false);
      timer = setInterval(load, POLL_MS);
    }
    return () => {
      stopped = true;
      unsubscribe?.();
      clearInterval(timer);
    };
  }, [client]);
  return { board, error, live };
}

export function BoardPage() {
  const { board, error, live } = useLiveBoard();
  if (error && !board) return <ErrorBox error={error} />;
  if (!board) return <Loading />;
  return (
    <section>
      <h1>
        {t("board.title")} <small>{board.date} · {board.timezone}</small>{" "}
        <span class={`badge ${live ? "live" : ""}`}>{live ? t("board.live") : t("board.polling")}</span>
      </h1>
      {error ? <ErrorBox error={error} /> : null}
      {board.journeys.length === 0 ? <Empty>{t("board.noJourneys")}</Empty> : null}
      <div class="journeys">
        {board.journeys.map((j) => (
          <article class="journey card" data-journey={j.key}>
            <h2>
              {j.name ?? j.key} <small>v{j.version} · {j.customers} {t("board.customers")}</small>
            </h2>
            <ol class="stages">
              {j.stages.map((s) => (
                <li>
                  <a href={href("board", j.key, s.id)} class={`stage kind-${s.kind ?? "none"}`} data-stage={s.id}>
                    <span class="name">{s.name ?? s.id}</span>
                    <span class="count" data-testid={`count-${j.key}-${s.id}`}>{s.customers}</span>
                  </a>
                </li>
              ))}
            </ol>
          </article>
        ))}
      </div>
      <h2>{t("board.opportunities")}</h2>
      {board.staff.length === 0 ? (
        <Empty />
      ) : (
        <table class="grid opportunities">
          <thead>
            <tr>
              <th>{t("board.staff")}</th>
              <th>{t("board.chat")}</th>
              <th>{t("board.call")}</th>
              <th>{t("board.chat")} · {t("board.overdue")}</th>
              <th>{t("board.call")} · {t("board.overdue")}</th>
            </tr>
          </thead>
          <tbody>
            {board.staff.map((s) => (
              <tr data-staff={s.staff.externalId}>
                <td>
                  {s.staff.name} <small>{s.staff.team ?? ""}</small>
                </td>
                <td class="num">{s.chat}</td>
                <td class="num">{s.call}</td>
                <td class={`num ${s.overdueChat > 0 ? "warn" : ""}`}>{s.overdueChat}</td>
                <td class={`num ${s.overdueCall > 0 ? "warn" : ""}`}>{s.overdueCall}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function StagePage({ journeyKey, stage }: { journeyKey: string; stage: string }) {
  const { client, viewer } = useSession();
  const [after, setAfter] = useState<string | null>(null);
  const [page, retry] = useAsync(() => client.request(StageCustomersQuery, { journeyKey, stage, after }), [client, journeyKey, stage, after]);
  return (
    <section>
      <p class="crumbs">
        <a href="#/board">{t("board.title")}</a> › {journeyKey} › {stage}
      </p>
      <Show value={page} retry={retry}>
        {({ customers }) => (
          <>
            <h1>
              {t("stage.customers")} <small>{customers.totalCount}</small>
            </h1>
            {customers.edges.length === 0 ? (
              <Empty>{t("stage.noCustomers")}</Empty>
            ) : (
              <table class="grid customers">
                <thead>
                  <tr>
                    <th>{t("customer.title")}</th>
                    <th>{t("customer.staff")}</th>
                    <th>{t("customer.tags")}</th>
                  </tr>
                </thead>
                <tbody>
                  {customers.edges.map(({ node: c }) => (
                    <tr>
                      <td>
                        <a href={href("customer", c.id)} data-customer={c.externalId}>
                          {c.name ?? c.externalId}
                        </a>
                      </td>
                      <td>{c.staff?.name ?? "—"}</td>
                      <td>{c.tags.map((tag) => <span class="tag">{tag}</span>)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {customers.pageInfo.hasNextPage && (
              <button type="button" onClick={() => setAfter(customers.pageInfo.endCursor)}>
                →
              </button>
            )}
            {!viewer.staff && <BulkMove journeyKey={journeyKey} stage={stage} onMoved={retry} />}
          </>
        )}
      </Show>
    </section>
  );
}
