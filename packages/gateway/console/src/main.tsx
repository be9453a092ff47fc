// The console's shell: sign-in, navigation (also Alt+1…5), language toggle and the hash router.
import type { SoplineClient } from "@sopline/client";
import { render } from "preact";
import { lazy, Suspense } from "preact/compat";
import { useEffect, useState } from "preact/hooks";
import { makeClient, saveToken, savedToken } from "./api.js";
import { currentLang, setLang, t, type Key } from "./i18n.js";
import { BoardPage, StagePage } from "./pages/board.js";
import { CustomerPage } from "./pages/customer.js";
import { SignIn } from "./pages/sign-in.js";
import { TasksPage } from "./pages/tasks.js";
import { SessionContext, type Session } from "./session.js";
import { Loading, useAction } from "./ui.js";

// The editor and the coverage grid need the core's engine (simulation, lint): loaded on first visit.
const JourneysPage = lazy(() => import("./pages/journeys.js").then((m) => m.JourneysPage));
const ContentPage = lazy(() => import("./pages/content.js").then((m) => m.ContentPage));
// Tables and a chart of figures an operator opens now and then: kept out of the first load.
const MetricsPage = lazy(() => import("./pages/metrics.js").then((m) => m.MetricsPage));

const NAV: Array<{ path: string; label: Key }> = [
  { path: "board", label: "nav.board" },
  { path: "tasks", label: "nav.tasks" },
  { path: "journeys", label: "nav.journeys" },
  { path: "content", label: "nav.content" },
  { path: "metrics", label: "nav.metrics" },
];

function useRoute(): string[] {
  const read = () => location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

function Page({ route }: { route: string[] }) {
  const [page, a, b] = route;
  switch (page ?? "board") {
    case "board":
      return a && b ? <StagePage journeyKey={a} stage={b} /> : <BoardPage />;
    case "customer":
      return <CustomerPage id={a ?? ""} />;
    case "tasks":
      return <TasksPage />;
    case "journeys":
      return <JourneysPage journeyKey={a} />;
    case "content":
      return <ContentPage />;
    case "metrics":
      return <MetricsPage />;
    default:
      return <BoardPage />;
  }
}

function App() {
  const [, rerender] = useState(0);
  const [session, setSession] = useState<Session | null>(null);
  const signIn = useAction();
  const route = useRoute();

  const start = async (token: string) => {
    const client: SoplineClient = makeClient(token);
    const done = await signIn.run(async () => {
      const viewer = await client.viewer();
      saveToken(token);
      setSession({ client, viewer });
      return true;
    });
    if (!done) void client.dispose();
  };
  useEffect(() => {
    const token = savedToken();
    if (token) void start(token);
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const n = Number(e.key);
      if (e.altKey && n >= 1 && n <= NAV.length) location.hash = `#/${NAV[n - 1]!.path}`;
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);

  const toggle = () => {
    setLang(currentLang() === "zh" ? "en" : "zh");
    rerender((n) => n + 1);
  };
  const signOut = () => {
    saveToken(null);
    void session?.client.dispose();
    setSession(null);
  };
  const langButton = (
    <button type="button" class="link" onClick={toggle} data-testid="lang">
      {t("lang.toggle")}
    </button>
  );

  if (!session) {
    if (signIn.busy && !signIn.error) return <Loading />;
    return <SignIn onSubmit={start} busy={signIn.busy} error={signIn.error} lang={langButton} />;
  }
  const current = route[0] === "customer" ? "board" : (route[0] ?? "board");
  const who = session.viewer.staff ? `${t("signin.as.staff")} · ${session.viewer.staff.name}` : `${t("signin.as.admin")} · ${session.viewer.workspace.name}`;
  return (
    <SessionContext.Provider value={session}>
      <header class="top">
        <strong class="brand">{t("app.title")}</strong>
        <nav aria-label="main">
          {NAV.map((item, i) => (
            <a href={`#/${item.path}`} class={current === item.path ? "active" : ""} aria-current={current === item.path ? "page" : undefined} title={`Alt+${i + 1}`}>
              {t(item.label)}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="who">{who}</span>
        {langButton}
        <button type="button" class="link" onClick={signOut}>
          {t("nav.signout")}
        </button>
      </header>
      <main>
        <Suspense fallback={<Loading />}>
          <Page route={route} />
        </Suspense>
      </main>
    </SessionContext.Provider>
  );
}

setLang(currentLang());
const root = document.getElementById("app")!;
root.textContent = ""; // the static "loading" line of index.html
render(<App />, root);
