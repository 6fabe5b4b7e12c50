// Dashboard counts are read from RequestTally (trigger-kept counters, a few ms even at 100k
// requests); the cache still spares the database on busy panels. They are kept in Redis per office
// scope and served stale-while-revalidate:
// fresh for `freshMs`, then served while one background refresh (a Redis lock) recomputes them.
// The queue and upcoming sessions are never cached. The page shows when the counts were taken.
// Keys carry the database's own instance id, so a reset database never sees the old counts.
import { createHash } from "node:crypto";
import { type DashboardAggregates, dashboardAggregates, lastMonths } from "../../core/dashboard/service.js";
import type { TimeZone } from "../../core/db/generated/enums.js";
import type { AppContext } from "../../core/runtime/context.js";
import { databaseInstanceId } from "../../core/settings/service.js";

const MAX_STALE_MS = 10 * 60_000;

export function dashboardCache(ctx: AppContext, freshMs: number) {
  const keyOf = (instance: string, officeIds: readonly string[], zone: TimeZone, now: Date) => {
    const scope = createHash("sha1")
      .update([...officeIds].sort().join(","))
      .digest("hex")
      .slice(0, 16);
    return `${ctx.redisPrefix}:dash:${instance}:${scope}:${zone}:${lastMonths(now, zone, 1)[0]}`;
  };

  async function compute(key: string, officeIds: string[], zone: TimeZone, now: Date) {
    const value = await dashboardAggregates(ctx.db, officeIds, zone, now);
    await ctx.redis.set(key, JSON.stringify(value), "PX", MAX_STALE_MS);
    return value;
  }

  return async function aggregates(officeIds: string[], zone: TimeZone, now = new Date()): Promise<DashboardAggregates> {
    if (freshMs <= 0) return dashboardAggregates(ctx.db, officeIds, zone, now);
    const key = keyOf(await databaseInstanceId(ctx.db), officeIds, zone, now);
    const raw = await ctx.redis.get(key).catch(() => null);
    if (!raw) return compute(key, officeIds, zone, now);
    const cached = JSON.parse(raw) as DashboardAggregates;
    if (now.getTime() - Date.parse(cached.asOf) > freshMs) {
      // One instance refreshes; everyone keeps serving the stale figures meanwhile.
      const lock = await ctx.redis.set(`${key}:refresh`, "1", "PX", 30_000, "NX").catch(() => null);
      if (lock === "OK") {
        void compute(key, officeIds, zone, now)
          .catch((err) => ctx.log.warn({ err }, "dashboard refresh failed"))
          .finally(() => ctx.redis.del(`${key}:refresh`).catch(() => undefined));
      }
    }
    return cached;
  };
}
