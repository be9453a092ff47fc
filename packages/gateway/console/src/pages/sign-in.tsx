import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { t } from "../i18n.js";
import { ErrorBox } from "../ui.js";

export function SignIn({ onSubmit, busy, error, lang }: { onSubmit: (token: string) => void; busy: boolean; error: unknown; lang: ComponentChildren }) {
  const [token, setToken] = useState("");
  return (
    <main class="signin">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onSubmit(token.trim());
        }}
      >
        <h1>{t("signin.title")}</h1>
        <p>{t("signin.hint")}</p>
        <label>
          {t("signin.token")}
          <input name="token" type="password" autoComplete="off" autoFocus value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? t("state.loading") : t("signin.submit")}
        </button>
        {error ? <ErrorBox error={error} /> : null}
        <p class="lang">{lang}</p>
      </form>
    </main>
  );
}
