// My tasks: complete / skip / snooze, and a one-tap copy of the task's content to paste in WeCom.
import type { Task } from "@sopline/client";
import { useState } from "preact/hooks";
import { channelName, formatTime, statusName, t } from "../i18n.js";
import { StaffListQuery } from "../queries.js";
import { loadServerClock, type ServerClock } from "../server-clock.js";
import { useSession } from "../session.js";
import { Empty, ErrorBox, Show, useAction, useAsync } from "../ui.js";

const DAY = 86_400_000;

/** The text a staff member pastes: the content's text, else its title. */
function textOf(task: Task): string {
  const body = task.contentEntry?.body as { text?: unknown } | null | undefined;
  return typeof body?.text === "string" ? body.text : (task.contentEntry?.title ?? task.title);
}

async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Without clipboard permission (plain http on an intranet): the old way.
    const area = document.createElement("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

export function TasksPage() {
  const { client, viewer } = useSession();
  const [staffId, setStaffId] = useState<string>("");
  const [status, setStatus] = useState<"OPEN" | "DONE" | "SKIPPED" | "">("OPEN");
  const [staff] = useAsync(() => (viewer.staff ? Promise.resolve({ staff: [] }) : client.request(StaffListQuery)), [client]);
  const [clock] = useAsync(() => loadServerClock(client), [client]);
  const needsStaff = !viewer.staff && !staffId;
  const [tasks, reload] = useAsync(
    () => (needsStaff ? Promise.resolve(null) : client.tasks({ first: 100, ...(status ? { status } : {}), ...(viewer.staff ? {} : { staffId }) })),
    [client, staffId, status],
  );
  return (
    <section>
      <h1>{t("tasks.title")}</h1>
      <div class="toolbar">
        {!viewer.staff && staff.status === "ok" && (
          <label>
            {t("tasks.staff")}
            <select value={staffId} onChange={(e) => setStaffId(e.currentTarget.value)} data-testid="task-staff">
              <option value="">—</option>
              {staff.data.staff.map((s) => (
                <option value={s.id}>{s.name}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t("tasks.status")}
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as typeof status)}>
            {(["OPEN", "DONE", "SKIPPED", ""] as const).map((s) => (
              <option value={s}>{s ? statusName(s) : "*"}</option>
            ))}
          </select>
        </label>
      </div>
      {needsStaff ? (
        <Empty>{t("tasks.pickStaff")}</Empty>
      ) : (
        <Show value={tasks} retry={reload}>
          {(page) =>
            !page || page.tasks.length === 0 ? (
              <Empty>{t("tasks.none")}</Empty>
            ) : (
              <ul class="tasks">
                {page.tasks.map((task) => (
                  <TaskRow key={task.id} task={task} clock={clock.status === "ok" ? clock.data : null} onChange={reload} />
                ))}
              </ul>
            )
          }
        </Show>
      )}
    </section>
  );
}

function TaskRow({ task, clock, onChange }: { task: Task; clock: ServerClock | null; onChange: () => void }) {
  const { client } = useSession();
  const action = useAction();
  const [copied, setCopied] = useState(false);
  const [snoozing, setSnoozing] = useState(false);
  const act = (fn: () => Promise<unknown>) => action.run(fn).then((r) => r !== undefined && onChange());
  const open = task.status === "OPEN";
  return (
    <li class="card task" data-task={task.id}>
      <div class="head">
        <strong>{task.title}</strong> <span class="tag">{channelName(task.channel)}</span> <span class={`status ${task.status.toLowerCase()}`}>{statusName(task.status)}</span>
        <small>
          {" "}
          {t("tasks.due")} {formatTime(task.snoozedUntil ?? task.dueAt)} · {task.customer?.name ?? task.customer?.externalId ?? task.customerId}
        </small>
      </div>
      <p class="content">{textOf(task)}</p>
      <div class="buttons">
        <button
          type="button"
          onClick={() =>
            void copy(textOf(task)).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            })
          }
        >
          {copied ? t("tasks.copied") : t("tasks.copy")}
        </button>
        {open && (
          <>
            <button type="button" class="primary" disabled={action.busy} onClick={() => void act(() => client.completeTask(task.id))}>
              {t("tasks.complete")}
            </button>
            <button
              type="button"
              disabled={action.busy}
              onClick={() => {
                const reason = prompt(t("tasks.skipReason"));
                if (reason) void act(() => client.skipTask(task.id, reason));
              }}
            >
              {t("tasks.skip")}
            </button>
            <button type="button" disabled={action.busy || !clock} aria-expanded={snoozing} onClick={() => setSnoozing(!snoozing)}>
              {t("tasks.snooze")}
            </button>
          </>
        )}
      </div>
      {open && snoozing && clock && (
        <SnoozeForm
          task={task}
          clock={clock}
          busy={action.busy}
          onCancel={() => setSnoozing(false)}
          onSnooze={(until) =>
            void action.run(() => client.snoozeTask(task.id, until)).then((r) => {
              if (r === undefined) return; // the API's error shows below
              setSnoozing(false);
              onChange();
            })
          }
        />
      )}
      {action.error ? <ErrorBox error={action.error} /> : null}
    </li>
  );
}

const pad = (n: number) => String(n).padStart(2, "0");
/** An instant as a datetime-local input's value (the browser's time zone, minutes). */
const toInput = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** Why a snooze time is refused, or null: empty, unreadable, or not after the gateway's now. */
export function snoozeProblem(value: string, now: number): string | null {
  if (!value) return t("tasks.snoozeEmpty");
  const at = new Date(value).getTime();
  if (Number.isNaN(at)) return t("tasks.snoozeEmpty");
  if (at <= now) return t("tasks.snoozePast").replace("{now}", toInput(now).replace("T", " "));
  return null;
}

/** Snooze to a chosen time: tomorrow at the due time by default, never into the past (the gateway's clock). */
function SnoozeForm({ task, clock, busy, onSnooze, onCancel }: { task: Task; clock: ServerClock; busy: boolean; onSnooze: (until: Date) => void; onCancel: () => void }) {
  const [value, setValue] = useState(() => toInput(Math.max(clock.now(), Date.parse(task.snoozedUntil ?? task.dueAt)) + DAY));
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const why = snoozeProblem(value, clock.now());
    setProblem(why);
    if (!why) onSnooze(new Date(value));
  };
  return (
    <form class="snooze" onSubmit={submit} noValidate data-testid="snooze-form">
      <label>
        {t("tasks.snoozeUntil")}
        <input type="datetime-local" value={value} min={toInput(clock.now())} onInput={(e) => (setValue(e.currentTarget.value), setProblem(null))} aria-invalid={problem ? true : undefined} data-testid="snooze-at" required />
      </label>
      <button type="submit" class="primary" disabled={busy}>
        {t("tasks.snoozeConfirm")}
      </button>
      <button type="button" onClick={onCancel}>
        {t("journeys.cancel")}
      </button>
      {problem && (
        <p class="state error" role="alert" data-testid="snooze-problem">
          {problem}
        </p>
      )}
    </form>
  );
}
