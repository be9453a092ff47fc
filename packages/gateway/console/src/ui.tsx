// Shared pieces: loading / empty / error states, a data hook, and hash links.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { describeError } from "./api.js";
import { t } from "./i18n.js";

export type Async<T> = { status: "loading" } | { status: "error"; error: unknown } | { status: "ok"; data: T };

/** Runs `load` when `deps` change; `reload()` runs it again keeping the shown data until it answers. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): [Async<T>, () => void] {
  const [state, setState] = useState<Async<T>>({ status: "loading" });
  const run = useRef(0);
  const reload = useCallback(() => {
    const id = ++run.current;
    load().then(
      (data) => id === run.current && setState({ status: "ok", data }),
      (error: unknown) => id === run.current && setState({ status: "error", error }),
    );
  }, deps);
  useEffect(() => {
    setState({ status: "loading" });
    reload();
  }, [reload]);
  return [state, reload];
}

export function Loading({ label }: { label?: string }) {
  return (
    <p class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" /> {label ?? t("state.loading")}
    </p>
  );
}

export function Empty({ children }: { children?: ComponentChildren }) {
  return <p class="state empty">{children ?? t("state.empty")}</p>;
}

export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
  const { code, message } = describeError(error);
  return (
    <div class="state error" role="alert">
      <strong>{t("state.error")}</strong> <code class="code">{code}</code>
      <p class="message">{message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {t("state.retry")}
        </button>
      )}
    </div>
  );
}

/** Renders the loading, error or data state of an {@link Async}. */
export function Show<T>({ value, retry, children }: { value: Async<T>; retry?: () => void; children: (data: T) => ComponentChildren }) {
  if (value.status === "loading") return <Loading />;
  if (value.status === "error") return <ErrorBox error={value.error} retry={retry} />;
  return <>{children(value.data)}</>;
}

export const href = (...parts: string[]) => `#/${parts.map(encodeURIComponent).join("/")}`;

/** An async action's state for a button: busy while running, the error shown next to it. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await action();
    } catch (e) {
      setError(e);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(null) };
}
