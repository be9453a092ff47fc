// Moves every customer of a stage to another stage: a dry run counts them first, the move is
// confirmed with that count (refused if the stage changed meanwhile) and shows progress.
import { useState } from "preact/hooks";
import { t } from "../i18n.js";
import { BulkMoveMutation, JourneysQuery } from "../queries.js";
import { useSession } from "../session.js";
import { ErrorBox, useAction, useAsync } from "../ui.js";

export function BulkMove({ journeyKey, stage, onMoved }: { journeyKey: string; stage: string; onMoved: () => void }) {
  const { client } = useSession();
  const [journeys] = useAsync(() => client.request(JourneysQuery), [client]);
  const [toStage, setToStage] = useState("");
  const [matched, setMatched] = useState<number | null>(null);
  const [done, setDone] = useState<{ changed: number; batches: number } | null>(null);
  const action = useAction();
  const stages = journeys.status === "ok" ? (journeys.data.journeys.find((j) => j.key === journeyKey)?.stages ?? []).filter((s) => s.id !== stage) : [];
  const count = async () => {
    setDone(null);
    const r = await action.run(() => client.request(BulkMoveMutation, { journeyKey, stage, toStage, dryRun: true }));
    if (r) setMatched(r.bulkManageEnrollments.matched);
  };
  const move = async () => {
    const r = await action.run(() => client.request(BulkMoveMutation, { journeyKey, stage, toStage, dryRun: false, expectedCount: matched }));
    if (!r) return;
    setMatched(null);
    setDone(r.bulkManageEnrollments);
    onMoved();
  };
  return (
    <div class="card actions" data-testid="bulk-move">
      <h2>{t("bulk.title")}</h2>
      <label>
        {t("customer.move")}
        <select value={toStage} onChange={(e) => (setToStage(e.currentTarget.value), setMatched(null))}>
          <option value="">—</option>
          {stages.map((s) => (
            <option value={s.id}>{s.name ?? s.id}</option>
          ))}
        </select>
      </label>
      <button type="button" disabled={!toStage || action.busy} onClick={() => void count()}>
        {t("bulk.count")}
      </button>
      {matched !== null && (
        <button type="button" class="primary" disabled={action.busy || matched === 0} onClick={() => void move()}>
          {t("bulk.confirm").replace("{n}", String(matched))}
        </button>
      )}
      {action.busy && <progress aria-label={t("state.loading")} />}
      {done && (
        <p class="ok">
          {t("bulk.done").replace("{n}", String(done.changed)).replace("{b}", String(done.batches))}
        </p>
      )}
      {action.error ? <ErrorBox error={action.error} /> : null}
    </div>
  );
}
