// Monitoring dan evaluasi per semester (seed 002): the three indicators per office, and their
// roll-up (kab/kota into provinsi, provinsi into RI). Everything is counted per office from a few
// batched queries over the whole subtree, then summed, so a roll-up always equals its offices' pages.
import type { Db } from "../db/client.js";
import type { ReportKind, TimeZone } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { selfAndDescendantIds } from "../requests/routing.js";
import { fromLocal, toLocal } from "../validation/datetime.js";
import { officeNodes, officesFor, type ProgrammeActor } from "./access.js";
import { contactStatus } from "./loci.js";
import { REPORT_KINDS } from "./reference.js";

export type Semester = 1 | 2;
export type Outcome = "onTime" | "late" | "missing" | "pending";
export type Tally = Record<Outcome, number>;
const KINDS = REPORT_KINDS.map((k) => k.code);
const emptyTally = (): Tally => ({ onTime: 0, late: 0, missing: 0, pending: 0 });

/** Internalisation is due by the end of week 2 of January (seed 002). */
export const INTERNALISATION_DAY = 14;

/** The counts that roll up by plain addition. */
export interface Totals {
  compliance: Record<ReportKind, Tally>;
  contactFieldsFilled: number;
  contactFieldsTotal: number;
  planned: number;
  done: number;
  doneNotPlanned: number;
  plannedNotDone: number;
  teamMembers: number;
  membersTrained: number;
  offices: number;
  internalisedOnTime: number;
  loci: number;
  lociScored: number;
  ipsSum: number;
  coachings: number;
  coachingHours: number;
}

export interface LocusRow {
  agencyId: string;
  name: string;
  contactFilled: number;
  contact: Outcome;
  epss: Outcome;
  plan: Outcome;
  planned: number;
  done: number;
  doneNotPlanned: number;
  plannedNotDone: number;
  ips: number | null;
  coachings: number;
  coachingHours: number;
}

export interface OfficeReport {
  office: { id: string; name: string; code: string; level: string; timeZone: TimeZone; parentId: string | null };
  year: number;
  semester: Semester;
  from: Date;
  to: Date;
  asOf: Date;
  deadlines: Record<ReportKind, { cutoff: Date | null; daysAfter: number | null }>;
  own: Totals;
  loci: LocusRow[];
  teamDecree: Outcome;
  internalisedOn: Date | null;
}

export interface SemesterReport {
  office: OfficeReport;
  /** The office and everything below it, summed. */
  rollup: Totals;
  /** Each office directly below, with its own subtree summed. */
  children: { office: OfficeReport["office"]; rollup: Totals }[];
}

export function emptyTotals(): Totals {
  return {
    compliance: Object.fromEntries(KINDS.map((k) => [k, emptyTally()])) as Record<ReportKind, Tally>,
    contactFieldsFilled: 0,
    contactFieldsTotal: 0,
    planned: 0,
    done: 0,
    doneNotPlanned: 0,
    plannedNotDone: 0,
    teamMembers: 0,
    membersTrained: 0,
    offices: 0,
    internalisedOnTime: 0,
    loci: 0,
    lociScored: 0,
    ipsSum: 0,
    coachings: 0,
    coachingHours: 0,
  };
}

export function addTotals(a: Totals, b: Totals): Totals {
  const out = emptyTotals();
  for (const k of KINDS) for (const o of Object.keys(out.compliance[k]) as Outcome[]) out.compliance[k][o] = a.compliance[k][o] + b.compliance[k][o];
  for (const key of Object.keys(out) as (keyof Totals)[]) if (key !== "compliance") (out[key] as number) = (a[key] as number) + (b[key] as number);
  return out;
}

/** Semester bounds on the office's wall clock: [1 Jan, 1 Jul) or [1 Jul, 1 Jan). */
export function semesterBounds(year: number, semester: Semester, zone: TimeZone) {
  const from = fromLocal({ year, month: semester === 1 ? 1 : 7, day: 1, hour: 0, minute: 0 }, zone);
  const to =
    semester === 1
      ? fromLocal({ year, month: 7, day: 1, hour: 0, minute: 0 }, zone)
      : fromLocal({ year: year + 1, month: 1, day: 1, hour: 0, minute: 0 }, zone);
  return { from, to };
}

/** The end of a calendar day (a DATE column, UTC midnight) on the office's wall clock, plus days. */
export function endOfLocalDay(date: Date, zone: TimeZone, plusDays = 0): Date {
  return fromLocal({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() + plusDays + 1, hour: 0, minute: 0 }, zone);
}

/** The calendar day of an instant on the office's wall clock, as a DATE-like UTC midnight. */
export function localDay(instant: Date, zone: TimeZone): Date {
  const p = toLocal(instant, zone);
  return new Date(Date.UTC(p.year, p.month - 1, p.day));
}

/** On time, late, missing (past the deadline, nothing reported) or pending (not yet due). */
export function classify(reportedAt: Date | null, cutoff: Date | null, asOf: Date): Outcome {
  const reported = reportedAt && reportedAt <= asOf ? reportedAt : null;
  if (reported) return cutoff && reported >= cutoff ? "late" : "onTime";
  return cutoff && asOf >= cutoff ? "missing" : "pending";
}

const minDate = (a: Date | null | undefined, b: Date | null | undefined) => (!a ? (b ?? null) : !b ? a : a < b ? a : b);

/** The semester report of an office: its own indicators, the roll-up and each child's roll-up. */
export async function semesterReport(
  db: Db,
  actor: ProgrammeActor,
  officeId: string,
  year: number,
  semester: Semester,
  now = new Date(),
): Promise<SemesterReport> {
  const allowed = await officesFor(db, actor, "monitoring.view");
  if (!allowed.has(officeId)) throw new DomainError("NOT_FOUND", "error.notFound");
  const tree = await officeNodes(db);
  const subtree = selfAndDescendantIds(officeId, tree);
  const reports = await officeReports(db, subtree, year, semester, now);
  const byId = new Map(reports.map((r) => [r.office.id, r]));
  const sumOf = (rootId: string) => selfAndDescendantIds(rootId, tree).reduce((acc, id) => addTotals(acc, byId.get(id)?.own ?? emptyTotals()), emptyTotals());
  const children = tree.filter((o) => o.parentId === officeId).map((o) => ({ office: byId.get(o.id)!.office, rollup: sumOf(o.id) }));
  return { office: byId.get(officeId)!, rollup: sumOf(officeId), children };
}

/** Each office's own indicators (no roll-up), for a set of offices. */
export async function officeReports(db: Db, officeIds: readonly string[], year: number, semester: Semester, now = new Date()): Promise<OfficeReport[]> {
  const ids = [...officeIds];
  const [offices, teams, deadlineRows, activities] = await Promise.all([
    db.office.findMany({
      where: { id: { in: ids } },
      select: { id: true, name: true, code: true, level: true, timeZone: true, parentId: true },
      orderBy: { code: "asc" },
    }),
    db.coachingTeam.findMany({
      where: { officeId: { in: ids }, year },
      select: { officeId: true, decreeUploadedAt: true, members: { select: { userId: true } }, loci: { select: { agencyId: true } } },
    }),
    db.reportingDeadline.findMany({ where: { year } }),
    db.reportingDeadline.findUnique({ where: { year_kind: { year, kind: "ACTIVITIES" } }, select: { daysAfter: true } }),
  ]);
  const coachings = await coachingStats(db, ids, year, semester, now, activities?.daysAfter ?? null);
  const lociByOffice = new Map<string, Set<string>>();
  const membersByOffice = new Map<string, Set<string>>();
  const decreeByOffice = new Map<string, Date | null>();
  for (const t of teams) {
    const loci = lociByOffice.get(t.officeId) ?? new Set();
    for (const l of t.loci) loci.add(l.agencyId);
    lociByOffice.set(t.officeId, loci);
    const members = membersByOffice.get(t.officeId) ?? new Set();
    for (const m of t.members) members.add(m.userId);
    membersByOffice.set(t.officeId, members);
    decreeByOffice.set(t.officeId, minDate(decreeByOffice.get(t.officeId), t.decreeUploadedAt));
  }
  const agencyIds = [...new Set([...lociByOffice.values()].flatMap((s) => [...s]))];
  const memberIds = [...new Set([...membersByOffice.values()].flatMap((s) => [...s]))];
  const [agencies, epss, plans, ips, attendance, internalisations] = await Promise.all([
    db.agency.findMany({ where: { id: { in: agencyIds } } }),
    db.epssCandidate.groupBy({ by: ["agencyId"], where: { agencyId: { in: agencyIds }, year }, _min: { createdAt: true } }),
    db.workPlan.findMany({
      where: { agencyId: { in: agencyIds }, year },
      select: {
        id: true,
        agencyId: true,
        plannedDate: true,
        createdAt: true,
        realisations: { where: { status: "DONE", deletedAt: null }, select: { id: true } },
      },
    }),
    db.ipsScore.findMany({ where: { agencyId: { in: agencyIds }, year } }),
    db.capacityAttendance.findMany({
      where: { userId: { in: memberIds }, event: { heldOn: { gte: new Date(Date.UTC(year, 0, 1)), lt: new Date(Date.UTC(year + 1, 0, 1)) } } },
      select: { userId: true, event: { select: { heldOn: true, internalisation: true } } },
    }),
    db.capacityEvent.findMany({
      where: { officeId: { in: ids }, internalisation: true, heldOn: { gte: new Date(Date.UTC(year, 0, 1)), lt: new Date(Date.UTC(year + 1, 0, 1)) } },
      select: { officeId: true, heldOn: true },
    }),
  ]);
  const agencyById = new Map(agencies.map((a) => [a.id, a]));
  const epssFirst = new Map(epss.map((e) => [e.agencyId, e._min.createdAt]));
  const ipsBy = new Map(ips.map((s) => [s.agencyId, s.score]));
  const group = <T, K>(rows: readonly T[], key: (r: T) => K) => {
    const out = new Map<K, T[]>();
    for (const r of rows) {
      const list = out.get(key(r));
      if (list) list.push(r);
      else out.set(key(r), [r]);
    }
    return out;
  };
  const plansBy = group(plans, (p) => p.agencyId);
  const coachingsBy = group(coachings, (c) => c.officeId);
  const coachingsOfLocus = new Map(coachings.map((c) => [`${c.officeId}|${c.agencyId}`, c]));
  const deadlineOf = new Map(deadlineRows.map((d) => [d.kind, d]));

  return offices.map((office) => {
    const zone = office.timeZone;
    const { from, to } = semesterBounds(year, semester as Semester, zone);
    const asOf = now < to ? now : to;
    const yearStart = fromLocal({ year, month: 1, day: 1, hour: 0, minute: 0 }, zone);
    const deadlines = Object.fromEntries(
      KINDS.map((k) => {
        const d = deadlineOf.get(k);
        return [k, { cutoff: d?.dueDate ? endOfLocalDay(d.dueDate, zone) : null, daysAfter: d?.daysAfter ?? null }];
      }),
    ) as OfficeReport["deadlines"];
    const own = emptyTotals();
    own.offices = 1;
    const teamDecree = classify(decreeByOffice.get(office.id) ?? null, deadlines.TEAM_DECREE.cutoff, asOf);
    own.compliance.TEAM_DECREE[teamDecree]++;

    // Kind 5: every coaching that ended this semester (by now) is documented within daysAfter.
    for (const c of coachingsBy.get(office.id) ?? []) for (const o of OUTCOME_LIST) own.compliance.ACTIVITIES[o] += c[o];

    const fromDay = localDay(from, zone);
    const toDay = localDay(to, zone);
    const asOfDay = localDay(asOf, zone);
    const loci: LocusRow[] = [];
    for (const agencyId of lociByOffice.get(office.id) ?? []) {
      const agency = agencyById.get(agencyId);
      if (!agency) continue;
      const contact = contactStatus(agency, asOf);
      const contactReported = agency.contactUpdatedAt && agency.contactUpdatedAt >= yearStart ? agency.contactUpdatedAt : null;
      const row: LocusRow = {
        agencyId,
        name: agency.name,
        contactFilled: contact.filled,
        contact: classify(contactReported, deadlines.CONTACTS.cutoff, asOf),
        epss: classify(epssFirst.get(agencyId) ?? null, deadlines.EPSS_CANDIDATES.cutoff, asOf),
        plan: classify(
          minDate(
            null,
            (plansBy.get(agencyId) ?? []).reduce<Date | null>((m, p) => minDate(m, p.createdAt), null),
          ),
          deadlines.WORK_PLAN.cutoff,
          asOf,
        ),
        planned: 0,
        done: 0,
        doneNotPlanned: 0,
        plannedNotDone: 0,
        ips: ipsBy.get(agencyId) ?? null,
        coachings: 0,
        coachingHours: 0,
      };
      for (const p of plansBy.get(agencyId) ?? []) {
        if (p.plannedDate < fromDay || p.plannedDate >= toDay) continue;
        row.planned++;
        if (p.realisations.length > 0) row.done++;
        else if (p.plannedDate < asOfDay) row.plannedNotDone++;
      }
      const stats = coachingsOfLocus.get(`${office.id}|${agencyId}`);
      if (stats) {
        row.doneNotPlanned = stats.doneNotPlanned;
        row.coachings = stats.coachings;
        row.coachingHours = Math.round(stats.hours * 10) / 10;
      }
      loci.push(row);
      own.compliance.CONTACTS[row.contact]++;
      own.compliance.EPSS_CANDIDATES[row.epss]++;
      own.compliance.WORK_PLAN[row.plan]++;
      own.contactFieldsFilled += contact.filled;
      own.contactFieldsTotal += contact.total;
      own.planned += row.planned;
      own.done += row.done;
      own.doneNotPlanned += row.doneNotPlanned;
      own.plannedNotDone += row.plannedNotDone;
      own.loci++;
      if (row.ips !== null) {
        own.lociScored++;
        own.ipsSum += row.ips;
      }
      own.coachings += row.coachings;
      own.coachingHours += row.coachingHours;
    }
    loci.sort((a, b) => a.name.localeCompare(b.name));

    const members = membersByOffice.get(office.id) ?? new Set<string>();
    own.teamMembers = members.size;
    const trained = new Set(
      attendance
        .filter((a) => members.has(a.userId) && !a.event.internalisation && a.event.heldOn >= fromDay && a.event.heldOn < toDay && a.event.heldOn <= asOfDay)
        .map((a) => a.userId),
    );
    own.membersTrained = trained.size;
    const internalisedOn = internalisations
      .filter((e) => e.officeId === office.id && e.heldOn <= asOfDay)
      .reduce<Date | null>((m, e) => minDate(m, e.heldOn), null);
    if (internalisedOn && internalisedOn <= new Date(Date.UTC(year, 0, INTERNALISATION_DAY))) own.internalisedOnTime = 1;
    return { office, year, semester: semester as Semester, from, to, asOf, deadlines, own, loci, teamDecree, internalisedOn };
  });
}

const OUTCOME_LIST: Outcome[] = ["onTime", "late", "missing", "pending"];

interface CoachingStats extends Record<Outcome, number> {
  officeId: string;
  agencyId: string | null;
  doneNotPlanned: number;
  coachings: number;
  hours: number;
}

/**
 * DONE coachings of these offices counted in the database, per office and lokus, on each office's
 * wall clock: kind-5 outcomes of those that ended this semester (documented within daysAfter of the
 * end day), those held this semester outside the plan, and the year's count and hours so far.
 * Aggregating here keeps the report fast at thousands of coachings (nothing per row reaches Node).
 */
async function coachingStats(db: Db, ids: string[], year: number, semester: Semester, now: Date, daysAfter: number | null): Promise<CoachingStats[]> {
  const yearFrom = new Date(Date.UTC(year, 0, 1) - 10 * 3600_000);
  const yearTo = new Date(Date.UTC(year + 1, 0, 1) + 10 * 3600_000);
  const fromMonth = semester === 1 ? 1 : 7;
  const toYear = semester === 1 ? year : year + 1;
  const toMonth = semester === 1 ? 7 : 1;
  // PostgreSQL's JIT would compile this query for seconds (the per-row documentation lookup inflates
  // its cost estimate), while running it takes milliseconds: switched off for this transaction only.
  const [, rows] = await db.$transaction([
    db.$executeRaw`SET LOCAL jit = off`,
    db.$queryRaw<(Omit<CoachingStats, Outcome | "doneNotPlanned" | "coachings" | "hours"> & Record<string, unknown>)[]>`
    WITH c AS (
      SELECT r."officeId", r."agencyId", r."workPlanId", r."id",
             r."startAt" + z.off AS ls, r."endAt" + z.off AS le, r."endAt" - r."startAt" AS dur,
             LEAST((${now}::timestamptz AT TIME ZONE 'UTC') + z.off, make_timestamp(${toYear}::int, ${toMonth}::int, 1, 0, 0, 0)) AS "asOf",
             make_timestamp(${year}::int, ${fromMonth}::int, 1, 0, 0, 0) AS "from",
             make_timestamp(${toYear}::int, ${toMonth}::int, 1, 0, 0, 0) AS "to",
             z.off
      FROM "CoachingRequest" r
      JOIN "Office" o ON o."id" = r."officeId"
      CROSS JOIN LATERAL (SELECT (CASE o."timeZone" WHEN 'WIB' THEN 7 WHEN 'WITA' THEN 8 ELSE 9 END) * interval '1 hour' AS off) z
      WHERE r."officeId" = ANY(${ids}::uuid[]) AND r."status" = 'DONE' AND r."deletedAt" IS NULL
        AND r."startAt" >= ${yearFrom} AND r."startAt" < ${yearTo}
    ), k AS (
      SELECT c.*,
             CASE WHEN c.le >= c."from" AND c.le < c."to" AND c.le <= c."asOf" THEN true ELSE false END AS k5,
             CASE WHEN ${daysAfter}::int IS NULL THEN NULL ELSE (c.le::date + ${daysAfter}::int + 1)::timestamp END AS cutoff
      FROM c
    ), d AS (
      SELECT k.*,
             CASE WHEN k.k5 THEN (SELECT min(x."createdAt") FROM "Documentation" x WHERE x."requestId" = k."id" AND x."deletedAt" IS NULL) + k.off END AS ldoc
      FROM k
    )
    SELECT "officeId", "agencyId",
           count(*) FILTER (WHERE k5 AND ldoc <= "asOf" AND (cutoff IS NULL OR ldoc < cutoff))::int AS "onTime",
           count(*) FILTER (WHERE k5 AND ldoc <= "asOf" AND cutoff IS NOT NULL AND ldoc >= cutoff)::int AS "late",
           count(*) FILTER (WHERE k5 AND (ldoc IS NULL OR ldoc > "asOf") AND cutoff IS NOT NULL AND "asOf" >= cutoff)::int AS "missing",
           count(*) FILTER (WHERE k5 AND (ldoc IS NULL OR ldoc > "asOf") AND (cutoff IS NULL OR "asOf" < cutoff))::int AS "pending",
           count(*) FILTER (WHERE ls <= "asOf" AND ls >= "from" AND ls < "to" AND "workPlanId" IS NULL)::int AS "doneNotPlanned",
           count(*) FILTER (WHERE ls <= "asOf" AND ls >= make_timestamp(${year}::int, 1, 1, 0, 0, 0))::int AS "coachings",
           coalesce(sum(extract(epoch FROM dur)) FILTER (WHERE ls <= "asOf" AND ls >= make_timestamp(${year}::int, 1, 1, 0, 0, 0)), 0)::float8 / 3600 AS "hours"
    FROM d GROUP BY "officeId", "agencyId"`,
  ]);
  return rows as unknown as CoachingStats[];
}

/** Ratios shown beside the counts (null when there is nothing to divide). */
export function ratios(t: Totals) {
  const pct = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 10 : null);
  return {
    completeness: pct(t.contactFieldsFilled, t.contactFieldsTotal),
    realisation: pct(t.done, t.planned),
    trained: pct(t.membersTrained, t.teamMembers),
    internalised: pct(t.internalisedOnTime, t.offices),
    ipsAverage: t.lociScored > 0 ? Math.round((t.ipsSum / t.lociScored) * 100) / 100 : null,
  };
}
