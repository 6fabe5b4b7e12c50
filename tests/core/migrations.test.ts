// Migrations run offline (WebAssembly schema engine) and agree with schema.prisma: a drift
// between them fails here. migrate() is idempotent and keeps Prisma's own _prisma_migrations.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dropDatabase, hasStatements, listMigrations, migrate, pendingSchemaSql, schemaPath } from "../../prisma/tools/migrations.js";
import { splitSqlScript } from "../../prisma/tools/sql-script.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { baseUrl, withDb } from "../helpers/pg.js";

let t: TestDb;
let scratchDir: string;
const freshUrl = withDb(baseUrl(), `${inject("runId")}_mig_${randomBytes(3).toString("hex")}`);

beforeAll(async () => {
  t = await createTestDb(2);
  scratchDir = await mkdtemp(path.join(tmpdir(), "sibina-drift-"));
});
afterAll(async () => {
  await rm(scratchDir, { recursive: true, force: true });
  await dropDatabase(freshUrl);
  await t.drop();
});

/** schema.prisma with `extra` inserted into the body of `model`. */
async function schemaWith(model: string, extra: string): Promise<string> {
  const text = await readFile(schemaPath, "utf8");
  const marker = `model ${model} {\n`;
  expect(text).toContain(marker);
  const file = path.join(scratchDir, `${model}-${randomBytes(3).toString("hex")}.prisma`);
  await writeFile(file, text.replace(marker, `${marker}${extra}\n`));
  return file;
}

describe("drift between schema.prisma and the migrations", () => {
  it("there is none: the migrations build exactly what schema.prisma describes", async () => {
    const sql = await pendingSchemaSql(t.url);
    expect(hasStatements(sql), `schema.prisma and prisma/migrations disagree. Run: npm run db:migration -- <name>\n${sql}`).toBe(false);
  });

  it("a column added to schema.prisma without a migration is detected", async () => {
    const sql = await pendingSchemaSql(t.url, await schemaWith("Office", "  driftProbe String?"));
    expect(hasStatements(sql)).toBe(true);
    expect(sql).toMatch(/ALTER TABLE "Office" ADD COLUMN\s+"driftProbe" TEXT/);
  });

  it("a changed column type is detected too", async () => {
    const file = path.join(scratchDir, "changed.prisma");
    const text = await readFile(schemaPath, "utf8");
    const changed = text.replace(/(\n\s+attempts\s+)Int(\s)/, "$1BigInt$2");
    expect(changed).not.toBe(text);
    await writeFile(file, changed);
    const sql = await pendingSchemaSql(t.url, file);
    expect(sql).toMatch(/ALTER TABLE "Outbox"[\s\S]*"attempts"[\s\S]*BIGINT/);
  });

  it("hasStatements ignores comments and blank lines", () => {
    expect(hasStatements("-- This is an empty migration.\n\n")).toBe(false);
    expect(hasStatements("-- AlterTable\nALTER TABLE x ADD COLUMN y TEXT;\n")).toBe(true);
  });
});

describe("migrate()", () => {
  it("creates a missing database, applies every migration once, and records them like prisma migrate deploy", async () => {
    const migrations = await listMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(await migrate(freshUrl)).toEqual(migrations.map((m) => m.name));
    expect(await migrate(freshUrl)).toEqual([]);

    const db = new pg.Client({ connectionString: freshUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{
        migration_name: string;
        checksum: string;
        finished_at: Date | null;
        rolled_back_at: Date | null;
        applied_steps_count: number;
      }>('SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name');
      expect(rows.map((r) => r.migration_name)).toEqual(migrations.map((m) => m.name));
      for (const [i, row] of rows.entries()) {
        expect(row.finished_at).toBeInstanceOf(Date);
        expect(row.rolled_back_at).toBeNull();
        expect(row.applied_steps_count).toBe(1);
        // Prisma's checksum is the SHA-256 of migration.sql: the native CLI accepts these rows as its own.
        expect(row.checksum).toBe(createHash("sha256").update(migrations[i]!.sql).digest("hex"));
      }
      const tables = await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
      expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(["Office", "CoachingRequest", "Outbox", "StatusChange", "TicketCounter"]));
    } finally {
      await db.end();
    }
  });

  it("a cloned test database is already up to date", async () => {
    expect(await migrate(t.url)).toEqual([]);
  });
});

it("splits a migration script where statements end, keeping function bodies, quotes and comments whole", () => {
  const script = `-- a comment; with a semicolon
CREATE TABLE "T" (v TEXT DEFAULT 'a;b');
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "T" VALUES ('x');
  RETURN NULL;
END
$$;
/* block; comment */ SELECT $tag$ ; $tag$, "odd;name";
`;
  expect(splitSqlScript(script)).toEqual([
    `-- a comment; with a semicolon\nCREATE TABLE "T" (v TEXT DEFAULT 'a;b')`,
    `CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  INSERT INTO "T" VALUES ('x');\n  RETURN NULL;\nEND\n$$`,
    `/* block; comment */ SELECT $tag$ ; $tag$, "odd;name"`,
  ]);
});
