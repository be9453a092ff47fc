// One customer: profile, tags, stage per journey, the timeline (past steps with their status,
// upcoming ones from the simulation) and the actions: move, hand over, remove, do-not-disturb.
import type { CustomerView } from "@sopline/client";
import { useState } from "preact/hooks";
import { channelName, formatTime, statusName, t } from "../i18n.js";
import { DoNotDisturbQuery, HandoverMutation, JourneysQuery, StaffListQuery } from "../queries.js";
import { useSession } from "../session.js";
import { Empty, ErrorBox, Show, useAction, useAsync } from "../ui.js";

export function CustomerPage({ id }: { id: string }) {
  const { client } = useSession();
  const [customer, retry] = useAsync(async () => {
    const [c, dnd] = await Promise.all([client.customer(id, { upcomingDays: 60, upcomingLimit: 20 }), client.request(DoNotDisturbQuery, { customerId: id })]);
    return { c, dnd: dnd.doNotDisturb };
  }, [client, id]);
  return (
    <section>
      <p class="crumbs">
        <a href="#/board">{t("board.title")}</a> › {t("customer.title")}
      </p>
      <Show value={customer} retry={retry}>
        {({ c, dnd }) => (
          <>
            <h1 data-testid="customer-name">
              {c.name ?? c.externalId} <small>{c.externalId}</small>
              {dnd.length > 0 && <span class="badge warn">{t("customer.dnd")}</span>}
            </h1>
            <div class="columns">
              <Profile c={c} />
              <Actions c={c} dndOn={dnd.length > 0} onChange={retry} />
            </div>
            <Timeline c={c} />
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

function Timeline({ c }: { c: CustomerView }) {
  if (c.timeline.length === 0) return <Empty />;
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
          </tr>
        </thead>
        <tbody>
          {c.timeline.map((e) => (
            <tr class={`status-${e.status}`}>
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
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
