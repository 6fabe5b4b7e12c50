// Dashboard counts are cached in Redis; the key carries the database's own identity, so a copy
// of the database (or a reset one) with the same Redis prefix never sees the original's counts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { dashboardCache } from "../../admin/http/dashboard-cache.js";
import { createDb, type Db } from "../../core/db/client.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createLogger } from "../../core/runtime/logger.js";
import { createRedis } from "../../core/runtime/redis.js";
import { LocalDiskStorage } from "../../core/storage/index.js";
import { seedDemo } from "../../prisma/seed-data.js";
import { databaseName, dropDatabase } from "../../prisma/tools/migrations.js";
import { createTestDb, testRedisPrefix } from "../helpers/db.js";
import { adminClient, baseUrl, withDb } from "../helpers/pg.js";

const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
const prefix = testRedisPrefix();
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const contextOf = (db: Db) => ({ db, redis, redisPrefix: prefix, log: createLogger("silent") }) as unknown as AppContext;

it("a copy of the database, on the same Redis prefix, counts for itself instead of reading the original's cached counts", { timeout: 120_000 }, async () => {
  const original = await createTestDb(2);
  const storageDir = await mkdtemp(path.join(tmpdir(), "sibina-dash-"));
  cleanup.push(() => rm(storageDir, { recursive: true, force: true }));
  await seedDemo(original.db, new LocalDiskStorage(storageDir));
  const officeIds = (await original.db.office.findMany({ select: { id: true } })).map((o) => o.id);
  const now = new Date();
  const counted = await dashboardCache(contextOf(original.db), 60_000)(officeIds, "WIB", now);
  expect(counted.total).toBeGreaterThan(0);
  expect(await redis.keys(`${prefix}:dash:*`)).toHaveLength(1);

  // A copy with the same offices (same ids), as a restore or a template clone makes, then emptied.
  await original.db.$disconnect();
  const copyName = `${databaseName(original.url)}_copy`;
  const admin = await adminClient(baseUrl());
  try {
    await admin.query(`CREATE DATABASE "${copyName}" TEMPLATE "${databaseName(original.url)}"`);
  } finally {
    await admin.end();
  }
  const copyUrl = withDb(baseUrl(), copyName);
  const copy = createDb(copyUrl, 2);
  cleanup.push(
    () => dropDatabase(copyUrl),
    () => copy.$disconnect(),
    () => original.drop(),
  );
  await copy.coachingRequest.updateMany({ data: { deletedAt: now } });

  const fresh = await dashboardCache(contextOf(copy), 60_000)(officeIds, "WIB", now);
  expect(fresh.total).toBe(0);
  expect(await redis.keys(`${prefix}:dash:*`)).toHaveLength(2);
});
