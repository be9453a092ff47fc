import { describe, expect, it } from "vitest";
import { resolveDatabaseTarget } from "../../src/db/open-database";

describe("resolveDatabaseTarget", () => {
  it("defaults to PGlite in ./data/pglite, or the given dataDir", () => {
    expect(resolveDatabaseTarget(undefined)).toEqual({ kind: "pglite", dataDir: "./data/pglite" });
    expect(resolveDatabaseTarget("", "/srv/db")).toEqual({ kind: "pglite", dataDir: "/srv/db" });
  });

  it("reads pglite:, file: and memory:// urls as PGlite directories", () => {
    expect(resolveDatabaseTarget("pglite:./data/x")).toEqual({ kind: "pglite", dataDir: "./data/x" });
    expect(resolveDatabaseTarget("pglite:///var/lib/sopline")).toEqual({ kind: "pglite", dataDir: "/var/lib/sopline" });
    expect(resolveDatabaseTarget("file:///var/lib/sopline")).toEqual({ kind: "pglite", dataDir: "/var/lib/sopline" });
    expect(resolveDatabaseTarget("memory://")).toEqual({ kind: "pglite", dataDir: "memory://" });
    expect(resolveDatabaseTarget("pglite:memory://")).toEqual({ kind: "pglite", dataDir: "memory://" });
  });

  it("sends postgres urls to PostgreSQL and refuses anything else", () => {
    expect(resolveDatabaseTarget("postgresql://u@h:5432/db")).toEqual({ kind: "postgres", url: "postgresql://u@h:5432/db" });
    expect(resolveDatabaseTarget("postgres://u@h/db", "/ignored")).toEqual({ kind: "postgres", url: "postgres://u@h/db" });
    expect(() => resolveDatabaseTarget("mysql://u@h/db")).toThrow(/Unsupported database url/);
    expect(() => resolveDatabaseTarget("pglite:")).toThrow(/names no directory/);
  });
});
