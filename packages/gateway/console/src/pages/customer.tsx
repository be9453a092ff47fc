// One customer: profile, tags, stage per journey, the timeline (past steps with their status,
// upcoming ones from the simulation) and the actions: move, hand over, remove, do-not-disturb.
import type { CustomerView, ResultOf } from "@sopline/client";
import { useState } from "preact/hooks";
import { channelName, formatTime, signalName, statusName, t } from "../i18n.js";
import { DoNotDisturbQuery, EngagementQuery, HandoverMutation, JourneysQuery, StaffListQuery } from "../queries.js";
import { useSession } from "../session.js";
import { Empty, ErrorBox, Show, useAction, useAsync } from "../ui.js";

export function CustomerPage({ id }: { id: string }) {
  const { client } = useSession();
  const [customer, retry] = useAsync(async () => {
    const [c, dnd, engagement] = await Promise.all([
      client.customer(id, { upcomingDays: 60, upcomingLimit: 20 }),
      client.request(DoNotDisturbQuery, { customerId: id }),
      client.request(EngagementQuery, { id }),
    ]);
    return { c, dnd: dnd.doNotDisturb, engagement: engagement.customer.engagement };
  }, [client, id]);
  return (
    <section>
      <p class="crumbs">
        <a href="#/board">{t("board.title")}</a> › {t("customer.title")}
      </p>
      <Show value={customer} retry={retry}>
        {({ c, dnd, engagement }) => (
          <>
            <h1 data-testid="customer-name">
              {c.name ?? c.externalId} <small>{c.externalId}</small>
              {dnd.length > 0 && <span class="badge warn">{t("customer.dnd")}</span>}
            </h1>
            <div class="columns">
              <Profile c={c} />
              <Actions c={c} dndOn={dnd.length > 0} onChange={retry} />
            </div>
            <Timeline c={c} engagement={engagement} />
          </>
        )}
      </Show>
    </section>
  );
}

function Profile({ c }: { c: CustomerView }) {
  return (
    <div class="card">
      <h2>{t("customer.profile")}</h2>
      <dl>
        <dt>{t("customer.staff")}</dt>
        <dd>{c.staff?.name ?? "—"}</dd>
        <dt>{t("customer.tags")}</dt>
        <dd>{c.tags.length ? c.tags.map((tag) => <span class="tag">{tag}</span>) : "—"}</dd>
        {Object.entries((c.attributes ?? {}) as Record<string, unknown>).map(([k, v]) => (
          <>
            <dt>{k}</dt>
            <dd>{typeof v === "string" ? v : JSON.stringify(v)}</dd>
          </>
        ))}
        <dt>{t("customer.journeys")}</dt>
        <dd>
          {c.journeys.map((j) => (
            <div data-testid={`enrollment-${j.journeyKey}`}>
              {j.journeyKey} v{j.journeyVersion}: <strong>{j.stageName ?? j.stage}</strong> {j.endedAt && <small>({t("customer.ended")})</small>}
            </div>
          ))}
        </dd>
      </dl>
    </div>
  );
}

function Actions({ c, dndOn, onChange }: { c: CustomerView; dndOn: boolean; onChange: () => void }) {
  const { client, viewer } = useSession();
  const action = useAction();
  const [journeys] = useAsync(() => client.request(JourneysQuery), [client]);
  const [staff] = useAsync(() => (viewer.staff ? Promise.resolve({ staff: [] }) : client.request(StaffListQuery)), [client]);
  const active = c.journeys.filter((j) => !j.endedAt);
  const [journeyKey, setJourneyKey] = useState(active[0]?.journeyKey ?? "");
  const stages = journeys.status === "ok" ? (journeys.data.journeys.find((j) => j.key === journeyKey)?.stages ?? []) : [];
  const act = (fn: () => Promise<unknown>) => action.run(fn).then((r) => r !== undefined && onChange());
  return (
    <div class="card actions">
      <h2>{t("customer.actions")}</h2>
      {active.length === 0 ? (
        <Empty />
      ) : (
        <>
          <label>
            {t("customer.journeys")}
            <select value={journeyKey} onChange={(e) => setJourneyKey(e.currentTarget.value)}>
              {active.map((j) => (
                <option value={j.journeyKey}>{j.journeyKey}</option>
              ))}
            </select>
          </label>
          <label>
            {t("customer.move")}
            <select
              data-testid="move"
              disabled={action.busy}
              onChange={(e) => {
                const to = e.currentTarget.value;
                if (to) void act(() => client.moveCustomer({ customerId: c.id, journeyKey, to }));
              }}
            >
              <option value="">—</option>
              {stages.map((s) => (
                <option value={s.id}>{s.name ?? s.id}</option>
              ))}
            </select>
          </label>
          <button
            type="button"
            disabled={action.busy}
            onClick={() => confirm(t("customer.confirmRemove")) && void act(() => client.removeFromJourney({ customerId: c.id, journeyKey, reason: "console" }))}
          >
            {t("customer.remove")}
          </button>
        </>
      )}
      {!viewer.staff && staff.status === "ok" && (
        <label>
          {t("customer.handover")}
          <select
            disabled={action.busy}
            onChange={(e) => {
              const toStaffId = e.currentTarget.value;
              if (toStaffId) void act(() => client.request(HandoverMutation, { customerId: c.id, toStaffId }));
            }}
          >
            <option value="">—</option>
            {staff.data.staff
              .filter((s) => s.id !== c.staff?.id)
              .map((s) => (
                <option value={s.id}>{s.name}</option>
              ))}
          </select>
        </label>
      )}
      <button type="button" disabled={action.busy} onClick={() => void act(() => client.setDoNotDisturb({ customerId: c.id, on: !dndOn, reason: "console" }))}>
        {dndOn ? t("customer.dndOff") : t("customer.dndOn")}
      </button>
      {action.busy && <progress aria-label={t("state.loading")} />}
      {action.error ? <ErrorBox error={action.error} /> : null}
    </div>
  );
}

type Engagement = ResultOf<typeof EngagementQuery>["customer"]["engagement"][number];

/** Opens, reads and clicks per delivery key; those of no past step shown (the step may be older than the list) apart. */
function byDelivery(c: CustomerView, engagement: readonly Engagement[]) {
  const keyOf = new Map<string, string>();
  for (const j of c.journeys) for (const s of j.pastSteps) keyOf.set(`${j.journeyKey}|${s.stage}|${s.stepId}|${s.dueAt}`, s.key);
  const known = new Set(keyOf.values());
  const perKey = new Map<string, Engagement[]>();
  const other: Engagement[] = [];
  for (const e of engagement) {
    if (e.deliveryKey && known.has(e.deliveryKey)) perKey.set(e.deliveryKey, [...(perKey.get(e.deliveryKey) ?? []), e]);
    else other.push(e);
  }
  return { keyOf, perKey, other };
}

function Timeline({ c, engagement }: { c: CustomerView; engagement: readonly Engagement[] }) {
  if (c.timeline.length === 0 && engagement.length === 0) return <Empty />;
  const { keyOf, perKey, other } = byDelivery(c, engagement);
  return (
    <div class="card">
      <h2>{t("customer.timeline")}</h2>
      <table class="grid timeline" data-testid="timeline">
        <thead>
          <tr>
            <th>{t("tl.when")}</th>
            <th>{t("customer.journeys")}</th>
            <th>{t("tl.step")}</th>
            <th>{t("tl.channel")}</th>
            <th>{t("tl.content")}</th>
            <th>{t("tl.status")}</th>
            <th>{t("tl.engagement")}</th>
          </tr>
        </thead>
        <tbody>
          {c.timeline.map((e) => {
            const key = e.status === "upcoming" ? undefined : keyOf.get(`${e.journeyKey}|${e.stage}|${e.stepId}|${e.at}`);
            const seen = key ? (perKey.get(key) ?? []) : [];
            return (
              <tr class={`status-${e.status}`} data-step={e.stepId}>
                <td>{formatTime(e.at)}</td>
                <td>{e.journeyKey}</td>
                <td>
                  {e.stage} · {e.stepId}
                </td>
                <td>{channelName(e.channel)}</td>
                <td>{e.content ?? "—"}</td>
                <td>
                  <span class={`status ${e.status}`}>{statusName(e.status)}</span>
                </td>
                <td data-testid={key ? `engagement-${key}` : undefined}>{seen.length ? <EngagementList items={seen} /> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {other.length > 0 && (
        <div data-testid="engagement-other">
          <h3>{t("tl.otherEngagement")}</h3>
          <EngagementList items={other} />
        </div>
      )}
    </div>
  );
}

/** "已打开 11-30 10:02", "已阅读 75 秒", "点击了链接", oldest first. */
function EngagementList({ items }: { items: readonly Engagement[] }) {
  return (
    <ul class="engagement">
      {[...items].reverse().map((e) => (
        <li data-event={e.name}>
          <span class="tag">{signalName(e.name)}</span>
          {e.seconds !== null && (
            <strong data-testid="dwell">
              {" "}
              {Math.round(e.seconds)} {t("unit.seconds")}
            </strong>
          )}{" "}
          <small>
            {formatTime(e.at)}
            {e.content && e.content !== "" ? ` · ${e.content}` : ""}
          </small>
        </li>
      ))}
    </ul>
  );
}
