// Dashboard counts come from RequestTally, counters that triggers keep in the same transaction as
// every change to a request. After a mix of submissions, status changes (some concurrent), office
// moves, soft and hard deletes, bulk inserts and bulk updates, every office scope and time zone
// must read exactly what a fresh COUNT over the requests gives.
import { afterAll, beforeAll, expect, it } from "vitest";
import { dashboardAggregates, dashboardData } from "../../core/dashboard/service.js";
import type { Db } from "../../core/db/client.js";
import type { AgencyLevel, RequestStatus, ServiceType, TimeZone } from "../../core/db/generated/enums.js";
import { TIME_ZONES } from "../../core/reference/index.js";
import { softDeleteRequest } from "../../core/requests/admin.js";
import { changeStatus, escalate } from "../../core/requests/service.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, makeUser, seedOffices } from "../helpers/fixtures.js";
import { requestIn } from "../helpers/requests.js";

let t: TestDb;
let offices: Awaited<ReturnType<typeof seedOffices>>;
beforeAll(async () => {
  t = await createTestDb(6);
  offices = await seedOffices(t.db);
});
afterAll(() => t.drop());

// A fixed "now" so the twelve months are known; bulk rows land on month boundaries around it.
const NOW = new Date("2026-06-15T05:00:00Z");

/** What the dashboard showed before the counters: one grouped scan of the live requests. */
async function freshCounts(db: Db, officeIds: string[], zone: TimeZone) {
  const offset = TIME_ZONES[zone].offsetMinutes;
  const rows = await db.$queryRawUnsafe<{ status: string | null; service: string | null; level: string | null; month: string | null; n: number }[]>(
    `SELECT status::text AS status, service::text AS service, level::text AS level, month, count(*)::int AS n
       FROM (SELECT status, "serviceType" AS service, "agencyLevel" AS level, to_char("createdAt" + make_interval(mins => $2), 'YYYY-MM') AS month
               FROM "CoachingRequest" WHERE "deletedAt" IS NULL AND "officeId" = ANY($1::uuid[])) r
      GROUP BY GROUPING SETS ((status), (service), (level), (month))`,
    officeIds,
    offset,
  );
  const pick = (key: "status" | "service" | "level" | "month") =>
    Object.fromEntries(
      rows.filter((r) => r[key] !== null && Object.entries(r).every(([k, v]) => k === key || k === "n" || v === null)).map((r) => [r[key], r.n]),
    );
  return { status: pick("status"), service: pick("service"), level: pick("level"), month: pick("month") };
}

async function expectCountsExact(db: Db) {
  const all = Object.values(offices).map((o) => o.id);
  const scopes = [all, [offices.riau.id, offices.pekanbaru.id], [offices.pekanbaru.id], [offices.sulsel.id], [offices.papua.id], [offices.ri.id]];
  for (const ids of scopes)
    for (const zone of ["WIB", "WITA", "WIT"] as const) {
      const [counted, fresh] = await Promise.all([dashboardAggregates(db, ids, zone, NOW), freshCounts(db, ids, zone)]);
      expect(Object.fromEntries(Object.entries(counted.byStatus).filter(([, n]) => n !== 0))).toEqual(fresh.status);
      expect(counted.total).toBe(Object.values(fresh.status as Record<string, number>).reduce((a, b) => a + b, 0));
      expect(Object.fromEntries(counted.byServiceType.map((s) => [s.code, s.count]))).toEqual(fresh.service);
      expect(Object.fromEntries(counted.byAgencyLevel.map((s) => [s.code, s.count]))).toEqual(fresh.level);
      expect(counted.perMonth).toHaveLength(12);
      for (const m of counted.perMonth) expect(m.count, `${zone} ${m.month}`).toBe(fresh.month[m.month] ?? 0);
    }
}

/** Rows written straight to the table (imports and the benchmark seed do this), on month edges. */
async function bulkInsert(db: Db, n: number, officeId: string) {
  const services: ServiceType[] = ["DIKLAT_BIMTEK", "FGD", "ASISTENSI", "KONSULTANSI"];
  const levels: AgencyLevel[] = ["PROVINCE", "REGENCY", "CENTRAL"];
  const statuses: RequestStatus[] = ["SUBMITTED", "IN_REVIEW", "APPROVED", "DONE", "REJECTED", "CANCELLED"];
  const stamp = Math.random().toString(36).slice(2, 8);
  await db.coachingRequest.createMany({
    data: Array.from({ length: n }, (_, i) => ({
      code: `PB-T${stamp}${i}`,
      requesterName: `Pengaju ${i}`,
      requesterPhone: "+6281234567890",
      requesterEmail: "pengaju@riau.go.id",
      agencyName: "Dinas Uji",
      agencyLevel: levels[i % levels.length]!,
      isDataProducer: true,
      serviceType: services[i % services.length]!,
      topics: ["SATU_DATA" as const],
      description: "Uji penghitung dasbor",
      location: "Aula",
      mode: "OFFLINE" as const,
      startAt: NOW,
      endAt: NOW,
      picName: "PIC",
      picPhone: "+6281234567890",
      status: statuses[i % statuses.length]!,
      officeId,
      channel: "web" as const,
      // 16:30 to 17:30 UTC on the last day of a month: still that month in WIB, already the next
      // one in WITA and WIT for part of them, so each zone's months differ.
      createdAt: new Date(Date.UTC(2026, 1 + (i % 6), 0, 16, 30 + i * 7)),
    })),
  });
}

it("the counters equal a fresh count after creates, status changes, office moves, deletes and bulk writes", { timeout: 180_000 }, async () => {
  const db = t.db;
  const riauSup = await makeUser(db, offices.riau.id, ["SUPERVISOR"]);
  const pkuSup = await makeUser(db, offices.pekanbaru.id, ["SUPERVISOR", "ADMIN"]);
  const sulselSup = await makeUser(db, offices.sulsel.id, ["SUPERVISOR"]);
  const coach = await makeUser(db, offices.pekanbaru.id, ["COACH"]);
  await expectCountsExact(db);

  // Through the product's own services, in three offices and several statuses.
  const made = [];
  for (const status of ["SUBMITTED", "IN_REVIEW", "REJECTED", "CANCELLED", "APPROVED", "SUBMITTED", "IN_REVIEW"] as const)
    made.push(await requestIn(db, status, { supervisor: actorOf(pkuSup), coachIds: [coach.id], input: { serviceType: "FGD", agencyLevel: "REGENCY" } }));
  for (const status of ["SUBMITTED", "IN_REVIEW"] as const) made.push(await requestIn(db, status, { supervisor: actorOf(sulselSup) }));
  await expectCountsExact(db);

  // An office move (escalation to the province) and a soft delete.
  await escalate(db, actorOf(pkuSup), made[0]!.id, "Perlu keputusan provinsi");
  await softDeleteRequest(db, actorOf(pkuSup), made[1]!.id);
  await expectCountsExact(db);

  // Many changes at once on the same counter rows: none may be lost.
  const pending = [];
  for (let i = 0; i < 8; i++) pending.push(await requestIn(db, "SUBMITTED", { supervisor: actorOf(riauSup) }));
  await Promise.all(pending.map((r) => changeStatus(db, actorOf(riauSup), { requestId: r.id, to: "IN_REVIEW" })));
  await expectCountsExact(db);

  // Bulk writes straight to the table: insert, move office and status together, restore a
  // soft-deleted row, and hard deletes.
  await bulkInsert(db, 60, offices.riau.id);
  await bulkInsert(db, 30, offices.papua.id);
  await expectCountsExact(db);
  await db.coachingRequest.updateMany({
    where: { officeId: offices.riau.id, code: { startsWith: "PB-T" }, status: "SUBMITTED" },
    data: { officeId: offices.sulsel.id, status: "IN_REVIEW" },
  });
  await db.coachingRequest.updateMany({ where: { id: made[1]!.id }, data: { deletedAt: null } });
  await db.coachingRequest.deleteMany({ where: { officeId: offices.papua.id, code: { startsWith: "PB-T" }, serviceType: "FGD" } });
  await db.coachingRequest.updateMany({
    where: { officeId: offices.papua.id, code: { startsWith: "PB-T" } },
    data: { createdAt: new Date("2026-05-31T16:45:00Z") },
  });
  await expectCountsExact(db);

  // The whole counter table equals one rebuilt from the requests (no stray rows left behind).
  const drift = await db.$queryRawUnsafe<{ n: number }[]>(
    `WITH rebuilt AS (
       SELECT r."officeId", k.dimension, k.value, count(*)::int AS count
         FROM "CoachingRequest" r CROSS JOIN LATERAL request_tally_keys(r.status, r."serviceType", r."agencyLevel", r."createdAt") k
        WHERE r."deletedAt" IS NULL GROUP BY 1, 2, 3)
     SELECT count(*)::int AS n FROM rebuilt FULL JOIN (SELECT * FROM "RequestTally" WHERE count <> 0) t USING ("officeId", dimension, value)
      WHERE rebuilt.count IS DISTINCT FROM t.count`,
  );
  expect(drift[0]!.n).toBe(0);
  expect(await db.requestTally.count({ where: { count: { lt: 0 } } })).toBe(0);
});

it("the dashboard counts only the offices the staff member sees", { timeout: 60_000 }, async () => {
  const pkuSup = await makeUser(t.db, offices.pekanbaru.id, ["SUPERVISOR"]);
  const riauSup = await makeUser(t.db, offices.riau.id, ["SUPERVISOR"]);
  const live = (officeIds: string[]) => t.db.coachingRequest.count({ where: { deletedAt: null, officeId: { in: officeIds } } });
  const pku = await dashboardData(t.db, actorOf(pkuSup), "WIB", NOW);
  const riau = await dashboardData(t.db, actorOf(riauSup), "WIB", NOW);
  expect(pku.total).toBe(await live([offices.pekanbaru.id]));
  expect(riau.total).toBe(await live([offices.riau.id, offices.pekanbaru.id]));
  expect(riau.total).toBeGreaterThan(pku.total);
  expect(riau.total).toBeLessThan(await live(Object.values(offices).map((o) => o.id)));
});
