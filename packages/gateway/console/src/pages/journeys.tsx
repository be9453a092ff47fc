// Journeys: each stage's SOP as the operators' spreadsheet (day, time, channel, content, CTA,
// awareness), editable. As it changes, the core (in the browser) validates it, simulates a sample
// customer's timeline and lints it against the content library. Publishing first shows the
// dry run's impact on customers in flight, then stores the version and migrates them.
import { defineJourney, JourneyDefinitionError, lintJourney, type JourneyDefinition, type LintIssue } from "@sopline/core";
import { useMemo, useState } from "preact/hooks";
import { channelName, formatTime, t } from "../i18n.js";
import { loadLibrary, type LibraryEntry } from "../library.js";
import { JourneyQuery, JourneysQuery, PublishImpactQuery, PublishMutation, ServerTimeQuery } from "../queries.js";
import { useSession } from "../session.js";
import { Empty, ErrorBox, href, Loading, Show, useAction, useAsync } from "../ui.js";

const CHANNELS = ["private_chat", "group_chat", "moments", "official_account", "mini_program", "sms", "call", "webhook", "offline_event"] as const;
const DAY = 86_400_000;
const PREVIEW_DAYS = 60;

type Step = JourneyDefinition["stages"][number]["sop"] extends (infer S)[] | undefined ? S : never;

export function JourneysPage({ journeyKey }: { journeyKey?: string }) {
  const { client } = useSession();
  const [list, retry] = useAsync(() => client.request(JourneysQuery), [client]);
  return (
    <section>
      <h1>{t("journeys.title")}</h1>
      <Show value={list} retry={retry}>
        {({ journeys }) =>
          journeys.length === 0 ? (
            <Empty />
          ) : (
            <>
              <nav class="tabs" aria-label={t("journeys.title")}>
                {journeys.map((j) => (
                  <a href={href("journeys", j.key)} class={j.key === (journeyKey ?? journeys[0]!.key) ? "active" : ""}>
                    {j.name ?? j.key} <small>v{j.version}</small>
                  </a>
                ))}
              </nav>
              <Editor key={journeyKey ?? journeys[0]!.key} journeyKey={journeyKey ?? journeys[0]!.key} />
            </>
          )
        }
      </Show>
    </section>
  );
}

function Editor({ journeyKey }: { journeyKey: string }) {
  const { client } = useSession();
  const [loaded, retry] = useAsync(async () => {
    // the preview starts at the gateway's "now" (its clock is injected), not the browser's
    const [{ journey }, library, { serverTime }] = await Promise.all([client.request(JourneyQuery, { key: journeyKey }), loadLibrary(client), client.request(ServerTimeQuery)]);
    return { journey, library, now: Date.parse(serverTime) };
  }, [client, journeyKey]);
  return (
    <Show value={loaded} retry={retry}>
      {({ journey, library, now }) => <Sheet initial={journey.definition as JourneyDefinition} version={journey.version} library={library} now={now} onPublished={retry} />}
    </Show>
  );
}

/** What the core says about a draft: problems that make it invalid, else the preview and lint. */
function useCheck(draft: JourneyDefinition, library: LibraryEntry[], stage: string, now: number) {
  return useMemo(() => {
    try {
      const journey = defineJourney(draft);
      const inputs = stage === draft.entry ? [] : [{ type: "move" as const, to: stage, at: now }];
      const simulation = journey.simulate({ id: "sample" }, inputs, { start: now, until: now + PREVIEW_DAYS * DAY, maxSteps: 40 });
      const steps = simulation.effects.flatMap((e) => (e.type === "step.due" ? [e] : []));
      const lint: LintIssue[] = lintJourney(draft, library.map((c) => ({ ref: c.ref, expiresAt: c.expiresAt })), { at: now });
      return { ok: true as const, steps, lint };
    } catch (error) {
      return { ok: false as const, error };
    }
  }, [draft, library, stage, now]);
}

function Sheet({ initial, version, library, now, onPublished }: { initial: JourneyDefinition; version: number; library: LibraryEntry[]; now: number; onPublished: () => void }) {
  const [draft, setDraft] = useState<JourneyDefinition>(initial);
  const [previewStage, setPreviewStage] = useState(initial.entry);
  const check = useCheck(draft, library, previewStage, now);
  const byRef = useMemo(() => new Map(library.map((c) => [c.ref, c])), [library]);

  const edit = (stageIndex: number, stepIndex: number, change: (step: Step) => Step) =>
    setDraft((d) => ({
      ...d,
      stages: d.stages.map((s, i) => (i !== stageIndex ? s : { ...s, sop: (s.sop ?? []).map((step, j) => (j === stepIndex ? change(step) : step)) })),
    }));

  const addStep = (stageIndex: number) =>
    setDraft((d) => ({
      ...d,
      stages: d.stages.map((s, i) => {
        if (i !== stageIndex) return s;
        const ids = new Set((s.sop ?? []).map((step) => step.id));
        let n = (s.sop ?? []).length + 1;
        while (ids.has(`step-${n}`)) n++;
        return { ...s, sop: [...(s.sop ?? []), { id: `step-${n}`, day: 0, at: "10:00", channel: "private_chat", content: library[0]?.ref ?? "greeting", mode: "task" } as Step] };
      }),
    }));
  const removeStep = (stageIndex: number, stepIndex: number) =>
    setDraft((d) => ({ ...d, stages: d.stages.map((s, i) => (i !== stageIndex ? s : { ...s, sop: (s.sop ?? []).filter((_, j) => j !== stepIndex) })) }));

  return (
    <div class="editor">
      <datalist id="content-refs">
        {library.map((c) => (
          <option value={c.ref}>{c.title}</option>
        ))}
      </datalist>
      <div class="sheets">
        {draft.stages.map((stage, si) => (
          <div class="card">
            <h2>
              {stage.name ?? stage.id} <small>{stage.id}</small>
            </h2>
            {(stage.sop ?? []).length === 0 ? (
              <Empty />
            ) : (
              <table class="grid sheet" data-stage={stage.id}>
                <thead>
                  <tr>
                    <th>{t("tl.step")}</th>
                    <th>{t("journeys.day")}</th>
                    <th>{t("journeys.time")}</th>
                    <th>{t("journeys.channel")}</th>
                    <th>{t("journeys.content")}</th>
                    <th>{t("journeys.cta")}</th>
                    <th>{t("journeys.awareness")}</th>
                    <th>{t("journeys.mode")}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {(stage.sop ?? []).map((step, i) => {
                    const entry = byRef.get(step.content);
                    return (
                      <tr data-step={step.id}>
                        <td>{step.id}</td>
                        <td>
                          <input
                            class="narrow"
                            aria-label={`${step.id} ${t("journeys.day")}`}
                            value={step.day !== undefined ? String(step.day) : step.after !== undefined ? `+${String(step.after)}` : ""}
                            onChange={(e) => edit(si, i, (s) => withDay(s, e.currentTarget.value))}
                          />
                        </td>
                        <td>
                          <input class="narrow" aria-label={`${step.id} ${t("journeys.time")}`} value={step.at ?? ""} placeholder="HH:mm" onChange={(e) => edit(si, i, (s) => withField(s, "at", e.currentTarget.value))} />
                        </td>
                        <td>
                          <select aria-label={`${step.id} ${t("journeys.channel")}`} value={step.channel} onChange={(e) => edit(si, i, (s) => ({ ...s, channel: e.currentTarget.value as Step["channel"] }))}>
                            {CHANNELS.map((c) => (
                              <option value={c}>{channelName(c)}</option>
                            ))}
                          </select>
                        </td>
                        <td>
                          <input
                            list="content-refs"
                            aria-label={`${step.id} ${t("journeys.content")}`}
                            data-testid={`content-${stage.id}-${step.id}`}
                            class={entry ? "" : "missing"}
                            value={step.content}
                            onChange={(e) => edit(si, i, (s) => ({ ...s, content: e.currentTarget.value }))}
                          />
                          {entry ? <small> {entry.title}</small> : <small class="warn"> {t("journeys.missing")}</small>}
                        </td>
                        <td>{entry?.cta ?? "—"}</td>
                        <td>{entry?.awareness ?? "—"}</td>
                        <td>
                          <select aria-label={`${step.id} ${t("journeys.mode")}`} value={step.mode ?? "auto"} onChange={(e) => edit(si, i, (s) => ({ ...s, mode: e.currentTarget.value as "auto" | "task" }))}>
                            <option value="auto">auto</option>
                            <option value="task">task</option>
                          </select>
                        </td>
                        <td>
                          <button type="button" class="link" aria-label={`${t("journeys.removeStep")} ${step.id}`} title={t("journeys.removeStep")} onClick={() => removeStep(si, i)}>
                            ✕
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
            <button type="button" onClick={() => addStep(si)} data-testid={`add-step-${stage.id}`}>
              + {t("journeys.addStep")}
            </button>
          </div>
        ))}
      </div>
      <aside class="side">
        <div class="card">
          <h2>
            {t("journeys.preview")} <small>{t("journeys.previewDays")}</small>
          </h2>
          <select aria-label={t("customer.stage")} value={previewStage} onChange={(e) => setPreviewStage(e.currentTarget.value)}>
            {draft.stages.map((s) => (
              <option value={s.id}>{s.name ?? s.id}</option>
            ))}
          </select>
          {check.ok ? (
            check.steps.length === 0 ? (
              <Empty />
            ) : (
              <ol class="preview" data-testid="preview">
                {check.steps.map((s) => (
                  <li>
                    <small>{formatTime(s.dueAt)}</small> {s.stage} · {s.stepId} · {channelName(s.channel)} · <code>{s.content}</code>
                  </li>
                ))}
              </ol>
            )
          ) : (
            <InvalidDefinition error={check.error} />
          )}
        </div>
        <div class="card">
          <h2>{t("journeys.lint")}</h2>
          {check.ok &&
            (check.lint.length === 0 ? (
              <Empty>{t("journeys.noLint")}</Empty>
            ) : (
              <ul class="lint" data-testid="lint">
                {check.lint.map((l) => (
                  <li data-code={l.code}>
                    <code>{l.code}</code> <small>{l.path}</small> {l.message}
                  </li>
                ))}
              </ul>
            ))}
        </div>
        <Publish draft={draft} valid={check.ok} version={version} onPublished={onPublished} />
      </aside>
    </div>
  );
}

/** "3" → day 3; "+2h" or "2h" → after 2h; "" → neither. */
function withDay(step: Step, value: string): Step {
  const { day: _day, after: _after, ...rest } = step;
  const text = value.trim();
  if (text === "") return rest as Step;
  if (/^\d+$/.test(text)) return { ...rest, day: Number(text) } as Step;
  return { ...rest, after: text.replace(/^\+/, "") } as Step;
}

function withField(step: Step, field: "at", value: string): Step {
  const { [field]: _old, ...rest } = step;
  return (value.trim() ? { ...rest, [field]: value.trim() } : rest) as Step;
}

function InvalidDefinition({ error }: { error: unknown }) {
  if (error instanceof JourneyDefinitionError) {
    return (
      <div class="state error" role="alert" data-testid="invalid">
        <strong>{t("journeys.invalid")}</strong>
        <ul>
          {error.issues.map((i) => (
            <li>
              <code>{i.path}</code> {i.message}
            </li>
          ))}
        </ul>
      </div>
    );
  }
  return <ErrorBox error={error} />;
}

function Publish({ draft, valid, version, onPublished }: { draft: JourneyDefinition; valid: boolean; version: number; onPublished: () => void }) {
  const { client } = useSession();
  const impact = useAction();
  const publish = useAction();
  const [result, setResult] = useState<{ version: number; changed: boolean; customers: number; byStage: Array<{ stage: string; customers: number }>; newSteps: Array<{ stage: string; stepId: string; customers: number }>; skipped: Array<{ stepId: string; customers: number }> } | null>(null);
  const [published, setPublished] = useState<number | null>(null);
  const check = async () => {
    setPublished(null);
    const answer = await impact.run(() => client.request(PublishImpactQuery, { definition: draft }));
    if (!answer) return;
    const { journeyPublishImpact: p } = answer;
    setResult({ version: p.version, changed: p.changed, customers: p.migration.customers, byStage: p.migration.byStage, newSteps: p.migration.newSteps, skipped: p.migration.skippedAsMigrated });
  };
  const confirmPublish = async () => {
    const answer = await publish.run(() => client.request(PublishMutation, { definition: draft }));
    if (!answer) return;
    setPublished(answer.upsertJourney.journey.version);
    setResult(null);
  };
  return (
    <div class="card publish" data-testid="publish">
      <h2>
        {t("journeys.publish")} <small>v{version}</small>
      </h2>
      <button type="button" class="primary" disabled={!valid || impact.busy || publish.busy} onClick={() => void check()}>
        {t("journeys.publish")}
      </button>
      {impact.busy && <Loading label={t("journeys.checking")} />}
      {impact.error ? <ErrorBox error={impact.error} /> : null}
      {result && (
        <div class="impact" data-testid="impact">
          <h3>{t("journeys.impact")}</h3>
          {!result.changed ? (
            <p>{t("journeys.unchanged")}</p>
          ) : (
            <>
              <p>{t("journeys.impactHint")}</p>
              <p>
                v{result.version}: <strong data-testid="impact-customers">{result.customers}</strong> {t("journeys.inFlight")}
              </p>
              <ul>
                {result.byStage.map((s) => (
                  <li>
                    {s.stage}: {s.customers}
                  </li>
                ))}
              </ul>
              {result.newSteps.length > 0 && (
                <>
                  <h4>{t("journeys.newSteps")}</h4>
                  <ul>
                    {result.newSteps.map((s) => (
                      <li>
                        {s.stage} · {s.stepId}: {s.customers}
                      </li>
                    ))}
                  </ul>
                </>
              )}
              {result.skipped.length > 0 && (
                <>
                  <h4>{t("journeys.skipped")}</h4>
                  <ul>
                    {result.skipped.map((s) => (
                      <li>
                        {s.stepId}: {s.customers}
                      </li>
                    ))}
                  </ul>
                </>
              )}
              <button type="button" class="primary" disabled={publish.busy} onClick={() => void confirmPublish()}>
                {t("journeys.confirm")}
              </button>{" "}
              <button type="button" onClick={() => setResult(null)}>
                {t("journeys.cancel")}
              </button>
              {publish.busy && (
                <p>
                  <progress aria-label={t("journeys.publishing")} /> {t("journeys.publishing")}
                </p>
              )}
            </>
          )}
        </div>
      )}
      {publish.error ? <ErrorBox error={publish.error} /> : null}
      {published !== null && (
        <p class="ok" data-testid="published">
          {t("journeys.published")} v{published}{" "}
          <button type="button" class="link" onClick={onPublished}>
            ↻
          </button>
        </p>
      )}
    </div>
  );
}
