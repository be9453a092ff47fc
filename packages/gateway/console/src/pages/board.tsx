// The board (看板): customers per stage of every journey, live, and today's chat / call
// opportunities per staff member. A stage opens its customers.
import type { ResultOf } from "@sopline/client";
import { useEffect, useState } from "preact/hooks";
import { signalName, t } from "../i18n.js";
import { ConsoleBoardChanged, ConsoleBoardQuery, StageCustomersQuery } from "../queries.js";
import { useSession } from "../session.js";
import { Empty, ErrorBox, href, Loading, Show, useAsync } from "../ui.js";
import { BulkMove } from "./bulk-move.js";

const POLL_MS = 30_000;

type ConsoleBoard = ResultOf<typeof ConsoleBoardQuery>["board"];
type StaffRow = ConsoleBoard["staff"][number];
type Opportunity = StaffRow["chatOpportunities"][number];

/** The board, then every change the subscription pushes; polls instead when the socket fails. */
function useLiveBoard(): { board: ConsoleBoard | null; error: unknown; live: boolean } {
  const { client } = useSession();
  const [board, setBoard] = useState<ConsoleBoard | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(true);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    const load = () =>
      client.request(ConsoleBoardQuery).then(
        (r) => !stopped && (setBoard(r.board), setError(null)),
        (e: unknown) => !stopped && setError(e),
      );
    void load();
    let unsubscribe: (() => void) | undefined;
    const poll = () => {
      if (stopped || timer) return;
      setLive(false);
      timer = setInterval(load, POLL_MS);
    };
    try {
      unsubscribe = client.subscribe(ConsoleBoardChanged, {}, { next: (d) => !stopped && setBoard(d.boardChanged.board), error: poll });
    } catch {
      poll();
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
      <p class="hint">{t("board.opportunitiesHint")}</p>
      {board.staff.length === 0 ? <Empty /> : <div class="opportunity-cards">{board.staff.map((s) => <StaffOpportunities row={s} />)}</div>}
    </section>
  );
}

/** One staff member's 今日聊天机会 / 今日通话机会 (customers, best first), escalations, and SOP tasks apart. */
function StaffOpportunities({ row }: { row: StaffRow }) {
  const tasks = row.sopTasks;
  return (
    <article class="card staff-opportunities" data-staff={row.staff.externalId}>
      <h3>
        {row.staff.name} <small>{row.staff.team ?? ""}</small>
      </h3>
      <div class="lists">
        <OpportunityList kind="chat" title={t("board.chatList")} total={row.chatOpportunityCount} items={row.chatOpportunities} />
        <OpportunityList kind="call" title={t("board.callList")} total={row.callOpportunityCount} items={row.callOpportunities} />
      </div>
      {row.escalated.length > 0 && <OpportunityList kind="escalated" title={t("board.escalated")} total={row.escalated.length} items={row.escalated} />}
      <p class="sop-tasks" data-testid="sop-tasks">
        {t("board.sopTasks")}: {t("board.chat")} <strong>{tasks.chat}</strong> · {t("board.call")} <strong>{tasks.call}</strong>
        {tasks.overdueChat + tasks.overdueCall > 0 && (
          <span class="warn">
            {" "}
            · {t("board.overdue")} {tasks.overdueChat + tasks.overdueCall}
          </span>
        )}
      </p>
    </article>
  );
}

function OpportunityList({ kind, title, total, items }: { kind: string; title: string; total: number; items: readonly Opportunity[] }) {
  return (
    <div class="opportunity-list" data-list={kind}>
      <h4>
        {title} <span class="badge">{total}</span>
      </h4>
      {items.length === 0 ? (
        <p class="state empty">{t("board.noOpportunities")}</p>
      ) : (
        <ol>
          {items.map((o) => (
            <li data-customer-id={o.customerId} class={o.overdue ? "overdue" : ""}>
              <a href={href("customer", o.customerId)}>{o.customerName}</a> <span class="tag">{signalName(o.signal)}</span>
              {o.content && <small> {o.content}</small>}
              <small class="waiting">
                {" "}
                · {t("board.waiting")} {waitingText(o.waitingMinutes)}
                {o.signals > 1 && ` · ${o.signals} ${t("board.signals")}`}
              </small>
              {o.overdue && <span class="badge warn">{t("board.overdue")}</span>}
            </li>
          ))}
        </ol>
      )}
      {total > items.length && <small>{t("board.more").replace("{n}", String(total - items.length))}</small>}
    </div>
  );
}

const waitingText = (minutes: number) => (minutes < 60 ? `${minutes} ${t("unit.minutes")}` : `${Math.floor(minutes / 60)} ${t("unit.hours")} ${minutes % 60} ${t("unit.minutes")}`);

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
