// A real AppContext for bot tests: a fresh PostgreSQL database (seeded offices and agencies),
// a private Redis prefix, and a temporary storage directory. close() removes all three.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parseConfig } from "../../../core/config.js";
import { type AppContext, createContext } from "../../../core/runtime/context.js";
import { createTestDb, type TestDb, testRedisPrefix } from "../../helpers/db.js";
import { seedOffices } from "../../helpers/fixtures.js";

export interface BotTestContext {
  ctx: AppContext;
  t: TestDb;
  offices: Awaited<ReturnType<typeof seedOffices>>;
  close(): Promise<void>;
}

export const AGENCIES = [
  { name: "Dinas Komunikasi, Informatika dan Statistik Provinsi Riau", level: "PROVINCE" as const, office: "riau" as const },
  { name: "Dinas Komunikasi dan Informatika Kota Pekanbaru", level: "REGENCY" as const, office: "pekanbaru" as const },
  { name: "Bappeda Kota Pekanbaru", level: "REGENCY" as const, office: "pekanbaru" as const },
  { name: "Dinas Kesehatan Provinsi Riau", level: "PROVINCE" as const, office: "riau" as const },
];

export async function botTestContext(opts: { poolSize?: number; env?: Record<string, string> } = {}): Promise<BotTestContext> {
  const t = await createTestDb(opts.poolSize ?? 10);
  const offices = await seedOffices(t.db);
  await t.db.office.update({
    where: { id: offices.riau.id },
    data: {
      address: "Jl. Pattimura No. 12, Pekanbaru",
      phone: "0761-23042",
      email: "bps1400@bps.go.id",
      whatsapp: "+6281266001000",
      website: "https://riau.bps.go.id",
    },
  });
  for (const a of AGENCIES) await t.db.agency.create({ data: { name: a.name, level: a.level, officeId: offices[a.office].id } });
  const storageDir = await mkdtemp(path.join(os.tmpdir(), "sibina-bot-"));
  const config = parseConfig({
    DATABASE_URL: t.url,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    STORAGE_DIR: storageDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    DEFAULT_OFFICE_CODE: "1400",
    NODE_ENV: "test",
    ...opts.env,
  });
  const ctx = await createContext(config, { db: t.db, redisPrefix: testRedisPrefix() });
  return {
    ctx,
    t,
    offices,
    async close() {
      await deleteRedisPrefix(ctx);
      ctx.redis.disconnect();
      await t.drop();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

/** Removes every key under this context's prefix (never anything else). */
export async function deleteRedisPrefix(ctx: AppContext): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await ctx.redis.scan(cursor, "MATCH", `${ctx.redisPrefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length) await ctx.redis.del(...keys);
  } while (cursor !== "0");
}
