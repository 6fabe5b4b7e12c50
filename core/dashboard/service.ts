// Dashboard figures (SPEKTRAL 4.1): counts, charts and the work queues, for the offices a
// staff member sees. Counts come from per-office counters kept by triggers (RequestTally), so
// they stay fast at 100k requests without a cache.

import type { StaffActor } from "../access/index.js";
import { visibleOfficeIds } from "../access/index.js";
import { loadCalendar } from "../calendar/index.js";
import type { Db } from "../db/client.js";
import type { AgencyLevel, RequestStatus, ServiceType, TimeZone } from "../db/generated/enums.js";
import { workingDaysBetween } from "../notifications/intents.js";
import { can } from "../permissions.js";
import { TIME_ZONES } from "../reference/index.js";
import { AWAITING_DECISION } from "../requests/lifecycle.js";

export interface MonthCount {
  month: string; // YYYY-MM in the office's zone
  count: number;
}

export interface DashboardData {
  /** When the counts were computed (they may come from a short-lived cache). */
  asOf: string;
  byStatus: Record<RequestStatus, number>;
  total: number;
  accounts: number;
  operators: number;
  perMonth: MonthCount[];
  byServiceType: { code: ServiceType; count: number }[];
  byAgencyLevel: { code: AgencyLevel; count: number }[];
  queue: { id: string; code: string; agencyName: string; serviceType: ServiceType; status: RequestStatus; createdAt: Date; workingDays: number }[];
  upcoming: { id: string; code: string; agencyName: string; serviceType: ServiceType; location: string; startAt: Date; coaches: string[] }[];
}

/** The last n calendar months (oldest first) as YYYY-MM in the given zone. */
export function lastMonths(now: Date, zone: TimeZone, n = 12): string[] {
  const local = new Date(now.getTime() + TIME_ZONES[zone].offsetMinutes * 60_000);
  const out: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`);
  }
  return out;
}

interface TallyRow {
  dimension: string;
  value: string;
  n: number;
}

export type DashboardAggregates = Pick<
  DashboardData,
  "asOf" | "byStatus" | "total" | "accounts" | "operators" | "perMonth" | "byServiceType" | "byAgencyLevel"
>;

/**
 * The counts and chart series for a set of offices. They come from RequestTally, which triggers
 * keep in step with every change to a request (same transaction), so this reads a few hundred
 * counter rows instead of scanning 100k requests; a caller may still cache it for a short while.
 */
export async function dashboardAggregates(db: Db, officeIds: readonly string[], zone: TimeZone, now = new Date()): Promise<DashboardAggregates> {
  const months = lastMonths(now, zone);
  const [tally, users] = await Promise.all([
    db.$queryRawUnsafe<TallyRow[]>(
      `SELECT dimension, value, sum(count)::int AS n FROM "RequestTally"
        WHERE "officeId" = ANY($1::uuid[]) AND (dimension IN ('status', 'serviceType', 'agencyLevel') OR (dimension = $2 AND value = ANY($3::text[])))
        GROUP BY dimension, value HAVING sum(count) <> 0`,
      officeIds,
      `month:${zone}`,
      months,
    ),
    db.$queryRawUnsafe<{ accounts: number; operators: number }[]>(
      `SELECT count(*)::int AS accounts, count(*) FILTER (WHERE 'OPERATOR'::"Role" = ANY(roles))::int AS operators
         FROM "User" WHERE "deletedAt" IS NULL AND "officeId" = ANY($1::uuid[])`,
      officeIds,
    ),
  ]);
  const byStatus = { SUBMITTED: 0, IN_REVIEW: 0, APPROVED: 0, REJECTED: 0, DONE: 0, CANCELLED: 0 } as Record<RequestStatus, number>;
  const service = new Map<ServiceType, number>();
  const level = new Map<AgencyLevel, number>();
  const month = new Map<string, number>();
  for (const t of tally) {
    if (t.dimension === "status") byStatus[t.value as RequestStatus] = t.n;
    else if (t.dimension === "serviceType") service.set(t.value as ServiceType, t.n);
    else if (t.dimension === "agencyLevel") level.set(t.value as AgencyLevel, t.n);
    else month.set(t.value, t.n);
  }
  return {
    asOf: now.toISOString(),
    byStatus,
    total: Object.values(byStatus).reduce((a, b) => a + b, 0),
    accounts: users[0]?.accounts ?? 0,
    operators: users[0]?.operators ?? 0,
    perMonth: months.map((m) => ({ month: m, count: month.get(m) ?? 0 })),
    byServiceType: [...service].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
    byAgencyLevel: [...level].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
  };
}

/** The live work lists: the supervisor's queue (oldest first) and upcoming sessions (a coach's own). */
export async function dashboardLists(db: Db, actor: StaffActor, officeIds: readonly string[], zone: TimeZone, now = new Date()) {
  const coachOnly = !can(actor.roles, "request.view");
  const calendar = await loadCalendar(db);
  const [queue, upcoming] = await Promise.all([
    coachOnly
      ? Promise.resolve([])
      : db.coachingRequest.findMany({
          where: { deletedAt: null, officeId: { in: [...officeIds] }, status: { in: [...AWAITING_DECISION] } },
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          take: 10,
          select: { id: true, code: true, agencyName: true, serviceType: true, status: true, createdAt: true },
        }),
    db.coachingRequest.findMany({
      where: {
        deletedAt: null,
        status: "APPROVED",
        startAt: { gte: now },
        ...(coachOnly ? { assignments: { some: { coachId: actor.userId } } } : { officeId: { in: [...officeIds] } }),
      },
      orderBy: [{ startAt: "asc" }, { id: "asc" }],
      take: 10,
      select: {
        id: true,
        code: true,
        agencyName: true,
        serviceType: true,
        location: true,
        startAt: true,
        assignments: { select: { coach: { select: { name: true } } } },
      },
    }),
  ]);
  return {
    queue: queue.map((r) => ({ ...r, workingDays: workingDaysBetween(r.createdAt, now, TIME_ZONES[zone].offsetMinutes, calendar) })),
    upcoming: upcoming.map((r) => ({ ...r, coaches: r.assignments.map((a) => a.coach.name) })),
  };
}

/** Everything the dashboard shows. `aggregates` lets a caller supply cached counts. */
export async function dashboardData(
  db: Db,
  actor: StaffActor,
  zone: TimeZone,
  now = new Date(),
  aggregates: (officeIds: string[]) => Promise<DashboardAggregates> = (ids) => dashboardAggregates(db, ids, zone, now),
): Promise<DashboardData> {
  const officeIds = await visibleOfficeIds(db, actor);
  const [counts, lists] = await Promise.all([aggregates(officeIds), dashboardLists(db, actor, officeIds, zone, now)]);
  return { ...counts, ...lists };
}
