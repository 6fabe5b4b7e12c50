// Prisma's schema engine, built to WebAssembly, driven through the pg driver adapter.
// The native engine cannot be downloaded on offline machines; this one ships on the npm registry
// and records migrations in Prisma's own `_prisma_migrations` table, so `prisma migrate deploy`
// stays compatible wherever the native engine is available.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import { splitSqlScript } from "./sql-script.js";

const require = createRequire(import.meta.url);
const noFilters = { externalTables: [], externalEnums: [] };

// The wasm build reports Rust panics through this global; print them so errors say what failed.
(globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
  set_message: (message: string) => {
    process.stderr.write(`schema engine panic: ${message}\n`);
  },
};

let wasmReady: Promise<void> | undefined;
function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { "./schema_engine_bg.js": bg as never });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return wasmReady;
}

export interface MigrationDir {
  name: string;
  sql: string;
}

/**
 * The engine reads PostgreSQL's catalog, whose `"char"` columns (type oid 18) the pg adapter does not map.
 * They hold single ASCII letters, so we hand them over as text. Only used by the migration tools.
 */
function catalogSafe<T extends object>(adapter: T): T {
  const queryable = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) as {
    performIO: (...args: unknown[]) => Promise<{ fields: { dataTypeID: number }[] }>;
    __charPatched?: boolean;
  };
  if (!queryable.__charPatched) {
    const original = queryable.performIO;
    queryable.performIO = async function (this: unknown, ...args: unknown[]) {
      const result = await original.apply(this, args);
      for (const field of result.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
      return result;
    };
    queryable.__charPatched = true;
  }
  scriptSafe(adapter);
  return adapter;
}

/** The adapter runs migration scripts split at every semicolon; split them where statements end instead. */
function scriptSafe(adapter: object) {
  const owner = Object.getPrototypeOf(adapter) as {
    executeScript?: (script: string) => Promise<void>;
    __scriptPatched?: boolean;
  };
  if (owner.__scriptPatched || typeof owner.executeScript !== "function") return;
  owner.executeScript = async function (this: { client: { query(sql: string): Promise<unknown> }; onError(e: unknown): never }, script: string) {
    for (const statement of splitSqlScript(script)) {
      try {
        await this.client.query(statement);
      } catch (error) {
        this.onError(error);
      }
    }
  };
  owner.__scriptPatched = true;
}

export async function withEngine<T>(connectionString: string, schemaText: string, fn: (engine: bg.SchemaEngine) => Promise<T>): Promise<T> {
  await loadWasm();
  const pgFactory = new PrismaPg({ connectionString });
  const opened: { dispose(): Promise<void> }[] = [];
  const track = <A extends { dispose(): Promise<void> }>(adapter: A) => {
    opened.push(adapter);
    return catalogSafe(adapter);
  };
  const factory = Object.assign(Object.create(pgFactory) as PrismaPg, {
    connect: async () => track(await pgFactory.connect()),
    connectToShadowDb: async () => track(await pgFactory.connectToShadowDb()),
  });
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const logs: string[] = [];
  const engine = await bg.SchemaEngine.new({ datamodels: [["schema.prisma", schemaText]] } as never, (msg: string) => logs.push(msg), adapter as never);
  try {
    return await fn(engine);
  } finally {
    engine.free();
    // Close the pools, so the database can be dropped or used as a template right away.
    await Promise.all(opened.map((a) => a.dispose().catch(() => {})));
  }
}

export interface MigrationSource {
  baseDir: string;
  lockfile: string;
  migrations: MigrationDir[];
}

const migrationsList = (src: MigrationSource) => ({
  baseDir: src.baseDir,
  lockfile: { path: "migration_lock.toml", content: src.lockfile },
  shadowDbInitScript: "",
  migrationDirectories: src.migrations.map((m) => ({ path: m.name, migrationFile: { path: "migration.sql", content: { tag: "ok", value: m.sql } } })),
});

/**
 * SQL that turns the `from` state (an empty database, or what the migrations build) into the `to` schema.
 * With migrations as the source, the engine replays them in the database behind `connectionString`
 * as its shadow database, so that must be an empty scratch database.
 */
export async function diffSchemas(connectionString: string, from: MigrationSource | null, to: string): Promise<string> {
  return withEngine(connectionString, to, async (engine) => {
    const result = (await engine.diff({
      from: from === null ? { tag: "empty" } : { tag: "migrations", ...migrationsList(from) },
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: to }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    } as never)) as { stdout?: string };
    return result.stdout ?? "";
  });
}

export async function applyMigrations(
  connectionString: string,
  schemaText: string,
  baseDir: string,
  migrations: MigrationDir[],
  lockfile: string,
): Promise<string[]> {
  return withEngine(connectionString, schemaText, async (engine) => {
    const result = (await engine.applyMigrations({
      migrationsList: migrationsList({ baseDir, lockfile, migrations }),
      filters: noFilters,
    } as never)) as { appliedMigrationNames: string[] };
    return result.appliedMigrationNames;
  });
}
