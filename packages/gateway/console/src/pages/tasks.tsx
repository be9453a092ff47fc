// My tasks: complete / skip / snooze, and a one-tap copy of the task's content to paste in WeCom.
import type { Task } from "@sopline/client";
import { useState } from "preact/hooks";
import { channelName, formatTime, statusName, t } from "../i18n.js";
import { StaffListQuery } from "../queries.js";
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
                  <TaskRow task={task} onChange={reload} />
                ))}
              </ul>
            )
          }
        </Show>
      )}
    </section>
  );
}

function TaskRow({ task, onChange }: { task: Task; onChange: () => void }) {
  const { client } = useSession();
  const action = useAction();
  const [copied, setCopied] = useState(false);
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
            <button type="button" disabled={action.busy} onClick={() => void act(() => client.snoozeTask(task.id, Math.max(Date.now(), Date.parse(task.dueAt)) + DAY))}>
              {t("tasks.snooze")}
            </button>
          </>
        )}
      </div>
      {action.error ? <ErrorBox error={action.error} /> : null}
    </li>
  );
}
