// What /health and the two commands report about PostgreSQL and Redis, including when one is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeChannelStatus, writeInstanceStatus } from "../../core/runtime/channel-status.js";
import { healthReport, serviceProblems } from "../../core/runtime/health.js";
import { createRedis, type Redis } from "../../core/runtime/redis.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
// Nothing listens on these ports on the test machines.
const DEAD_REDIS = "redis://127.0.0.1:6390";
const DEAD_PG = "postgresql://postgres@127.0.0.1:5439/sibina";

let t: TestDb;
const clients: Redis[] = [];
const redisAt = (url: string) => {
  const r = createRedis(url);
  r.on("error", () => {});
  clients.push(r);
  return r;
};

beforeAll(async () => {
  t = await createTestDb(2);
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await t.drop();
});

describe("healthReport", () => {
  it("says ok when both answer", async () => {
    // A deadline no busy machine reaches: this is about the answer, not the speed.
    expect(await healthReport({ db: t.db, redis: redisAt(REDIS_URL) }, 60_000)).toEqual({ status: "ok", database: "ok", redis: "ok" });
  });

  it("says down, within its deadline, when Redis is gone (the app's client would wait forever)", async () => {
    // The deadline comes from a measured healthy report (new Redis client, database query), so a
    // busy machine cannot make the database look down as well.
    const healthyStarted = Date.now();
    await healthReport({ db: t.db, redis: redisAt(REDIS_URL) }, 60_000);
    const healthyMs = Date.now() - healthyStarted;
    const deadline = Math.max(300, 4 * healthyMs);
    const started = Date.now();
    expect(await healthReport({ db: t.db, redis: redisAt(DEAD_REDIS) }, deadline)).toEqual({ status: "degraded", database: "ok", redis: "down" });
    expect(Date.now() - started).toBeLessThan(deadline + Math.max(1_000, 2 * healthyMs));
  });
});

describe("healthReport's channels", () => {
  const prefix = `sibina-test:health:${process.pid}:${Date.now()}`;
  const probe = { redisPrefix: prefix, telegram: true, whatsapp: true };

  it("reads Telegram from the live instances and WhatsApp from the lease holder's status", async () => {
    const redis = redisAt(REDIS_URL);
    // Configured, but no instance has reported: nobody answers on Telegram.
    expect((await healthReport({ db: t.db, redis }, 60_000, probe)).channels).toEqual({ telegram: "closed", whatsapp: "off" });
    await writeInstanceStatus(redis, prefix, "telegram", "a", { state: "standby" }, 60);
    await writeInstanceStatus(redis, prefix, "telegram", "b", { state: "open", reason: "polling #3" }, 60);
    await writeChannelStatus(redis, prefix, "whatsapp", { state: "logged_out" });
    const report = await healthReport({ db: t.db, redis }, 60_000, probe);
    expect(report).toEqual({ status: "ok", database: "ok", redis: "ok", channels: { telegram: "open", whatsapp: "logged_out" } });
    // A channel that is not configured is off whatever Redis holds.
    expect((await healthReport({ db: t.db, redis }, 60_000, { ...probe, whatsapp: false })).channels?.whatsapp).toBe("off");
    await redis.del(`${prefix}:channel:telegram:instance:a`, `${prefix}:channel:telegram:instance:b`, `${prefix}:channel:whatsapp:status`);
  });

  it("says unknown, not off, when Redis cannot tell", async () => {
    const report = await healthReport({ db: t.db, redis: redisAt(DEAD_REDIS) }, 500, probe);
    expect(report.status).toBe("degraded");
    expect(report.channels).toEqual({ telegram: "unknown", whatsapp: "unknown" });
  });
});

describe("serviceProblems", () => {
  it("is empty when both run", async () => {
    expect(await serviceProblems(t.url, REDIS_URL)).toEqual([]);
  });

  it("names the missing service, where it was looked for, and how to start it", async () => {
    const problems = await serviceProblems(DEAD_PG, DEAD_REDIS);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^PostgreSQL is not reachable at 127\.0\.0\.1:5439 \(DATABASE_URL\): .*ECONNREFUSED/);
    expect(problems[0]).toContain("docker compose up -d db");
    expect(problems[1]).toMatch(/^Redis is not reachable at 127\.0\.0\.1:6390 \(REDIS_URL\): .*ECONNREFUSED/);
    expect(problems[1]).toContain("docker compose up -d redis");
    expect(await serviceProblems(t.url, DEAD_REDIS)).toHaveLength(1);
  });

  it("never prints a password", async () => {
    const [problem] = await serviceProblems("postgresql://postgres:s3cret@127.0.0.1:5439/sibina", REDIS_URL);
    expect(problem).not.toContain("s3cret");
  });
});
