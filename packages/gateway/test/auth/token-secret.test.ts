// The staff-token signing secret is stored sealed with the server's secret key: a database dump
// alone cannot mint tokens; plaintext secrets from before are sealed at start (their tokens keep
// working); a missing or wrong key is a clear startup error; the embedded default needs no setup.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { SignJWT, jwtVerify } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSecretBox, createWorkspace, parseSecretKey, resolveSecretKey, tokenSecretOf } from "../../src/auth/index.js";
import { createTestDatabase } from "../../src/db/test-databases.js";
import { createGateway } from "../../src/server/create-gateway.js";
import { START } from "../graphql/helpers.js";

const KEY = randomBytes(32).toString("base64");

async function gql(gateway: Awaited<ReturnType<typeof createGateway>>, credential: string, query: string, variables?: Record<string, unknown>) {
  const res = await gateway.yoga.fetch("http://yoga/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${credential}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

async function staffToken(gateway: Awaited<ReturnType<typeof createGateway>>, apiKey: string, externalId: string) {
  const staffId = (await gql(gateway, apiKey, `mutation($e: String!) { upsertStaff(input: { externalId: $e, name: $e }) { id } }`, { e: externalId })).data.upsertStaff.id as string;
  const token = (await gql(gateway, apiKey, `mutation($s: ID!) { issueStaffToken(staffId: $s) { token } }`, { s: staffId })).data.issueStaffToken.token as string;
  return { staffId, token };
}

afterEach(() => vi.unstubAllEnvs());

describe("the secret box (AES-256-GCM)", () => {
  const box = createSecretBox(randomBytes(32));

  it("opens what it sealed, for the same context only, and nothing altered or sealed with another key", () => {
    const sealed = box.seal("s3cret", "ws-1");
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("s3cret");
    expect(box.seal("s3cret", "ws-1")).not.toBe(sealed); // a fresh IV each time
    expect(box.open(sealed, "ws-1")).toBe("s3cret");
    expect(() => box.open(sealed, "ws-2")).toThrow(/does not open/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed, "ws-1")).toThrow(/does not open/);
    const parts = sealed.split(".");
    parts[2] = Buffer.from("x".repeat(6)).toString("base64url");
    expect(() => box.open(parts.join("."), "ws-1")).toThrow(/does not open/);
    expect(() => box.open("plain", "ws-1")).toThrow(/expected "v1/);
  });

  it("takes keys as base64, base64url or hex, and names the setting when one is wrong", () => {
    const raw = randomBytes(32);
    for (const text of [raw.toString("base64"), raw.toString("base64url"), raw.toString("hex"), ` ${raw.toString("base64")}\n`]) expect(parseSecretKey(text, "X")).toEqual(raw);
    expect(() => parseSecretKey("short", "SOPLINE_SECRET_KEY")).toThrow(/^SOPLINE_SECRET_KEY: expected 32 random bytes as base64 .*got 3 bytes/);
    expect(() => parseSecretKey("not a key!", "SOPLINE_SECRET_KEY")).toThrow(/^SOPLINE_SECRET_KEY: expected .*neither/);
  });
});

describe("where the secret key comes from", () => {
  it("the option, else SOPLINE_SECRET_KEY; PostgreSQL without either is a startup error naming the variable", () => {
    expect(resolveSecretKey({ secretKey: KEY, env: {}, db: { kind: "postgres" } }).source).toBe("option");
    expect(resolveSecretKey({ env: { SOPLINE_SECRET_KEY: KEY }, db: { kind: "postgres" } })).toMatchObject({ source: "env", key: Buffer.from(KEY, "base64") });
    expect(() => resolveSecretKey({ env: {}, db: { kind: "postgres" } })).toThrow(/SOPLINE_SECRET_KEY is not set: a gateway on PostgreSQL needs a secret key/);
    expect(() => resolveSecretKey({ env: { SOPLINE_SECRET_KEY: "oops" }, db: { kind: "postgres" } })).toThrow(/^SOPLINE_SECRET_KEY: expected/);
  });

  it("an embedded database gets a key file beside its directory on first start (mode 600), the same one afterwards", () => {
    const dir = fs.mkdtempSync(`${process.env.TMPDIR ?? "/tmp"}/sopline-key-`);
    try {
      const dataDir = `${dir}/pglite`;
      const first = resolveSecretKey({ env: {}, db: { kind: "pglite", dataDir } });
      expect(first).toMatchObject({ source: "file", file: `${dataDir}.key` });
      expect(fs.statSync(`${dataDir}.key`).mode & 0o777).toBe(0o600);
      expect(resolveSecretKey({ env: {}, db: { kind: "pglite", dataDir } }).key).toEqual(first.key);
      expect(resolveSecretKey({ env: {}, db: { kind: "pglite", dataDir: "memory://" } }).source).toBe("ephemeral");
      fs.writeFileSync(`${dataDir}.key`, "garbage");
      expect(() => resolveSecretKey({ env: {}, db: { kind: "pglite", dataDir } })).toThrow(new RegExp(`^key file ${dataDir}\\.key: expected`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(["pglite", "postgres"] as const)("the stored token secret on %s", (kind) => {
  it("a dump of the database holds no secret that verifies a staff token", async () => {
    const t = await createTestDatabase(kind);
    const gateway = await createGateway({ db: t.db, clock: () => START, secretKey: KEY });
    try {
      const ws = await createWorkspace(t.db.sql, { name: "dump" });
      const { token } = await staffToken(gateway, ws.apiKey, "alice");
      const dump = await t.db.sql.query<{ row: string }>(`SELECT row_to_json(w)::text AS row FROM workspaces w`);
      const secret = await tokenSecretOf(t.db.sql, createSecretBox(Buffer.from(KEY, "base64")), ws.id);
      await expect(jwtVerify(token, new TextEncoder().encode(secret!), { currentDate: START })).resolves.toBeTruthy();
      expect(dump.map((r) => r.row).join("\n")).not.toContain(secret);
      // every string stored for the workspace fails as a signing key
      const stored = dump.flatMap((r) => Object.values(JSON.parse(r.row) as Record<string, unknown>)).filter((v): v is string => typeof v === "string");
      for (const candidate of stored) await expect(jwtVerify(token, new TextEncoder().encode(candidate), { currentDate: START })).rejects.toThrow();
    } finally {
      await gateway.stop();
      await t.drop();
    }
  });

  it("seals secrets stored in plaintext before at start, keeps their tokens working, and refuses to start with another key", async () => {
    const t = await createTestDatabase(kind);
    try {
      // a workspace as the gateway stored it before sealing, and a token (without a session) signed then
      const plain = randomBytes(32).toString("base64url");
      const [{ id }] = (await t.db.sql.query<{ id: string }>(
        `INSERT INTO workspaces (name, api_key_hash, settings) VALUES ('old', 'x', jsonb_build_object('unknownCustomers', 'reject', 'tokenSecret', $1::text)) RETURNING id`,
        [plain],
      )) as [{ id: string }];
      const [{ id: staffId }] = (await t.db.sql.query<{ id: string }>(`INSERT INTO staff (workspace_id, external_id, name) VALUES ($1, 'old', 'old') RETURNING id`, [id])) as [{ id: string }];
      const old = await new SignJWT({ ws: id }).setProtectedHeader({ alg: "HS256", typ: "JWT" }).setSubject(staffId).setIssuedAt(Math.floor(START.getTime() / 1000) - 60).setExpirationTime(Math.floor(START.getTime() / 1000) + 86_400).sign(new TextEncoder().encode(plain));

      const logs: string[] = [];
      const gateway = await createGateway({ db: t.db, clock: () => START, secretKey: KEY, log: (m) => logs.push(m) });
      try {
        expect(logs).toContain("sealed 1 staff-token secret(s) stored in plaintext before");
        const [row] = await t.db.sql.query<{ settings: object; sealed: string }>(`SELECT settings, token_secret AS sealed FROM workspaces WHERE id = $1`, [id]);
        expect(row!.settings).toEqual({ unknownCustomers: "reject" });
        expect(row!.sealed).toMatch(/^v1\./);
        expect(row!.sealed).not.toContain(plain);
        // the token from before still works, until the member's tokens are revoked
        expect((await gql(gateway, old, `{ viewer { kind } }`)).data.viewer.kind).toBe("STAFF");
        await gateway.authenticator.revokeStaffTokens({ workspaceId: id, staffId });
        expect((await gql(gateway, old, `{ viewer { kind } }`)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      } finally {
        await gateway.stop();
      }
      await expect(createGateway({ db: t.db, clock: () => START, secretKey: randomBytes(32).toString("base64") })).rejects.toThrow(
        /The secret key \(option\) does not open the staff-token secrets stored in this database/,
      );
      // the right key still starts (nothing was changed by the refused start)
      const again = await createGateway({ db: t.db, clock: () => START, secretKey: KEY });
      await again.stop();
    } finally {
      await t.drop();
    }
  });
});

describe("zero configuration", () => {
  it("an embedded gateway starts without a key (key file made on first start) and its tokens survive a restart", async () => {
    vi.stubEnv("SOPLINE_SECRET_KEY", "");
    const t = await createTestDatabase("pglite", { persistent: true });
    try {
      const first = await createGateway({ db: t.db, clock: () => START });
      const ws = await createWorkspace(t.db.sql, { name: "zero" });
      const { token } = await staffToken(first, ws.apiKey, "alice");
      await first.stop();
      expect(fs.existsSync(`${t.db.dataDir}.key`)).toBe(true);
      const second = await createGateway({ db: t.db, clock: () => START });
      try {
        expect((await gql(second, token, `{ viewer { kind } }`)).data.viewer.kind).toBe("STAFF");
      } finally {
        await second.stop();
      }
    } finally {
      await t.drop();
    }
  });

  it("a gateway on PostgreSQL without a key does not start, and says what to set", async () => {
    vi.stubEnv("SOPLINE_SECRET_KEY", "");
    const t = await createTestDatabase("postgres");
    try {
      await expect(createGateway({ db: t.db, clock: () => START })).rejects.toThrow(/SOPLINE_SECRET_KEY is not set/);
    } finally {
      await t.drop();
    }
  });
});
