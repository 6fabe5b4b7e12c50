// `npm run demo` without SESSION_SECRET: the secret is generated once into STORAGE_DIR (never
// committed: storage/ is ignored) so a restart keeps everyone signed in. It used to be random
// per start, which signed everybody out.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseConfig } from "../../core/config.js";
import { type AppContext, createContext } from "../../core/runtime/context.js";
import { createLogger } from "../../core/runtime/logger.js";
import { createRedis } from "../../core/runtime/redis.js";
import { LocalDiskStorage } from "../../core/storage/index.js";
import { buildApp } from "../../main.js";
import { seedDemo } from "../../prisma/seed-data.js";
import { Client, emailOf } from "../admin/helpers.js";
import { createTestDb, type TestDb, testRedisPrefix } from "../helpers/db.js";

let t: TestDb;
let ctx: AppContext;
let storageDir: string;

beforeAll(async () => {
  t = await createTestDb();
  storageDir = await mkdtemp(path.join(tmpdir(), "sibina-secret-"));
  const storage = new LocalDiskStorage(storageDir);
  await seedDemo(t.db, storage);
  const config = parseConfig({ NODE_ENV: "development", DATABASE_URL: t.url, STORAGE_DIR: storageDir, LOG_LEVEL: "silent" });
  ctx = await createContext(config, { db: t.db, redis: createRedis(config.REDIS_URL), log: createLogger("silent"), storage, redisPrefix: testRedisPrefix() });
});
afterAll(async () => {
  const keys = await ctx.redis.keys(`${ctx.redisPrefix}:*`);
  if (keys.length) await ctx.redis.del(...keys);
  ctx.redis.disconnect();
  await t.drop();
  await rm(storageDir, { recursive: true, force: true });
});

it("a restarted panel keeps the sessions of the previous start", async () => {
  const first = await buildApp(ctx, { panel: { loginLimit: { max: 1000, timeWindow: 60_000 } } });
  await first.ready();
  const client = new Client(first);
  expect((await client.login(emailOf("ADMIN"))).statusCode).toBe(302);
  expect((await client.get("/dashboard")).statusCode).toBe(200);
  await first.close();

  const file = path.join(storageDir, ".session-secret");
  expect((await stat(file)).mode & 0o777).toBe(0o600);
  expect((await readFile(file, "utf8")).trim()).toMatch(/^[0-9a-f]{64}$/);

  const second = await buildApp(ctx, { panel: { loginLimit: { max: 1000, timeWindow: 60_000 } } });
  await second.ready();
  const again = Object.assign(new Client(second), { cookies: client.cookies });
  const res = await again.get("/dashboard");
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain('data-testid="logout"');
  await second.close();
});

it("the generated secret lives under storage/, which git ignores", async () => {
  const { stdout } = await promisify(execFile)("git", ["check-ignore", "storage/.session-secret"]);
  expect(stdout.trim()).toBe("storage/.session-secret");
});
