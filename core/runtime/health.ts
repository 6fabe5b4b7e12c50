// Liveness of the two services the product needs, with advice when one is down.

import { Redis } from "ioredis";
import pg from "pg";
import type { Db } from "../db/client.js";
import { type ChannelState, overallStatus, readChannelStatus, readInstanceStatuses } from "./channel-status.js";

export interface ServiceStatus {
  ok: boolean;
  error?: string;
}

export async function checkPostgres(databaseUrl: string): Promise<ServiceStatus> {
  const u = new URL(databaseUrl);
  u.pathname = "/postgres";
  const client = new pg.Client({ connectionString: u.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return { ok: true };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  } finally {
    await client.end().catch(() => {});
  }
}

export async function checkRedis(redisUrl: string): Promise<ServiceStatus> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
  // ioredis reports a refused connection as "Connection is closed."; the socket error says why.
  let cause: Error | undefined;
  redis.on("error", (e: Error) => {
    cause ??= e;
  });
  try {
    await redis.connect();
    await redis.ping();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: (cause ?? (e as Error)).message };
  } finally {
    redis.disconnect();
  }
}

export const START_HINTS = {
  postgres:
    "Start it with `docker compose up -d db`, or on Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start. Or point DATABASE_URL at a running server.",
  // With persistence: queued notices, sessions and the poller leases survive a restart of Redis.
  redis:
    "Start it with `docker compose up -d redis`, or: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --appendonly yes --dir /var/lib/redis. Or point REDIS_URL at a running server.",
  both: "With Docker, start both: docker compose up -d db redis",
};

/** host:port of a service URL, never its password. */
const whereIs = (url: string) => {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol.startsWith("redis") ? "6379" : "5432")}`;
  } catch {
    return "(unparsable URL)";
  }
};

/**
 * Checks the services (both, or PostgreSQL only when `redisUrl` is null); returns readable
 * problems (empty when all is well), each naming the service that is down, where it was looked
 * for, and how to start it.
 */
export async function serviceProblems(databaseUrl: string, redisUrl: string | null): Promise<string[]> {
  const [p, r] = await Promise.all([checkPostgres(databaseUrl), redisUrl === null ? { ok: true } : checkRedis(redisUrl)]);
  const problems: string[] = [];
  if (!p.ok)
    problems.push(`PostgreSQL is not reachable at ${whereIs(databaseUrl)} (DATABASE_URL): ${p.error}
  ${START_HINTS.postgres}`);
  if (!r.ok && redisUrl !== null)
    problems.push(`Redis is not reachable at ${whereIs(redisUrl)} (REDIS_URL): ${(r as ServiceStatus).error}
  ${START_HINTS.redis}`);
  return problems;
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);

export interface HealthReport {
  status: "ok" | "degraded";
  database: "ok" | "down";
  redis: "ok" | "down";
  /** Chat channels, when the caller says which are configured. Informative: they do not change
   * `status`, since restarting an instance does not bring back Telegram or a logged-out phone. */
  channels?: { telegram: ChannelState | "unknown"; whatsapp: ChannelState | "unknown" };
}

/** What the report needs to read the channels' shared status. */
export interface ChannelsProbe {
  redisPrefix: string;
  telegram: boolean;
  whatsapp: boolean;
}

/**
 * What GET /health reports. Each probe has a deadline: the app's Redis client queues commands
 * while it reconnects (BullMQ needs that), so a bare PING would hang instead of saying "down".
 */
export async function healthReport(ctx: { db: Pick<Db, "$queryRaw">; redis: Redis }, timeoutMs = 2000, channels?: ChannelsProbe): Promise<HealthReport> {
  const [database, redis] = await Promise.all([
    within(ctx.db.$queryRaw`SELECT 1`, timeoutMs).then(
      () => "ok" as const,
      () => "down" as const,
    ),
    within(ctx.redis.ping(), timeoutMs).then(
      () => "ok" as const,
      () => "down" as const,
    ),
  ]);
  const report: HealthReport = { status: database === "ok" && redis === "ok" ? "ok" : "degraded", database, redis };
  if (channels) report.channels = await channelStates(ctx.redis, channels, redis === "ok" ? timeoutMs : 0);
  return report;
}

/** Each channel's state as the Channels page shows it; "unknown" when Redis cannot tell. */
async function channelStates(redis: Redis, probe: ChannelsProbe, timeoutMs: number): Promise<NonNullable<HealthReport["channels"]>> {
  const read = async <T>(enabled: boolean, get: () => Promise<T>, state: (v: T) => ChannelState): Promise<ChannelState | "unknown"> => {
    if (!enabled) return "off";
    if (timeoutMs === 0) return "unknown";
    return within(get(), timeoutMs).then(state, () => "unknown" as const);
  };
  const [telegram, whatsapp] = await Promise.all([
    read(
      probe.telegram,
      () => readInstanceStatuses(redis, probe.redisPrefix, "telegram"),
      // Configured but served by no live instance: nobody answers on Telegram.
      (all) => (all.length ? overallStatus(all).state : "closed"),
    ),
    read(
      probe.whatsapp,
      () => readChannelStatus(redis, probe.redisPrefix, "whatsapp"),
      (s) => s.state,
    ),
  ]);
  return { telegram, whatsapp };
}

/**
 * What every command that starts the product does first (npm start, npm run demo, the Docker
 * command): check the services, and when one is down say which, where and how to start it, and
 * exit non-zero, instead of a stack trace or a process that retries forever.
 */
export async function exitUnlessServicesUp(databaseUrl: string, redisUrl: string | null, again: string): Promise<void> {
  const problems = await serviceProblems(databaseUrl, redisUrl);
  if (!problems.length) return;
  for (const p of problems) console.error(`✗ ${p}`);
  if (problems.length > 1) console.error(`\n${START_HINTS.both}, then run ${again} again.`);
  else console.error(`\nThen run ${again} again.`);
  process.exit(1);
}
