// Reporting-deadline notices (seed 002, "batas waktu pelaporan"): the team's coaches and
// coordinators are told a few days before a kind is due while it is still unreported, and again
// once the deadline has passed without it; for coaching activities (kind 5) the coaches of each
// undocumented coaching are told too. A daily job calls scanDeadlines; it only writes outbox rows
// (one per cause, stage and person, thanks to dedupeKey), which the delivery pipeline sends.
import type { Db, Prisma } from "../db/client.js";
import type { ReportKind, TeamRole } from "../db/generated/enums.js";
import { formatDate } from "../validation/datetime.js";
import { endOfLocalDay, localDay } from "./monitoring.js";

export const DEADLINE_KIND = "programme.deadline";
/** How long before a deadline the first notice goes out. */
export const SOON_DAYS = 3;
/** After this, a passed deadline is old news and nobody is told any more. */
const PASSED_WINDOW_DAYS = 30;
const DAY_MS = 24 * 3600_000;
/** Who hears about an office's deadlines: the coaches and coordinators of its teams. */
const NOTIFIED_ROLES: readonly TeamRole[] = ["KETUA_PELAKSANA", "KOORDINATOR", "ANGGOTA"];

export type Stage = "soon" | "passed";

export function stageAt(cutoff: Date, now: Date): Stage | null {
  if (now < cutoff) return cutoff.getTime() - now.getTime() <= SOON_DAYS * DAY_MS ? "soon" : null;
  return now.getTime() - cutoff.getTime() <= PASSED_WINDOW_DAYS * DAY_MS ? "passed" : null;
}

/** Writes the notices due now; returns how many new outbox rows were written. */
export async function scanDeadlines(db: Db, now = new Date()): Promise<number> {
  const years = [...new Set([now.getUTCFullYear() - 1, now.getUTCFullYear()])];
  const rows: Prisma.OutboxCreateManyInput[] = [];
  for (const year of years) {
    const deadlines = await db.reportingDeadline.findMany({ where: { year } });
    if (deadlines.length === 0) continue;
    const teams = await db.coachingTeam.findMany({
      where: { year },
      select: {
        officeId: true,
        decreeUploadedAt: true,
        office: { select: { name: true, timeZone: true } },
        members: { where: { role: { in: [...NOTIFIED_ROLES] } }, select: { userId: true, role: true } },
        loci: { select: { agencyId: true } },
      },
    });
    const offices = new Map<
      string,
      { name: string; zone: (typeof teams)[number]["office"]["timeZone"]; members: Map<string, TeamRole>; loci: Set<string>; decree: boolean }
    >();
    for (const t of teams) {
      const o = offices.get(t.officeId) ?? { name: t.office.name, zone: t.office.timeZone, members: new Map(), loci: new Set(), decree: false };
      for (const m of t.members) if (!o.members.has(m.userId) || m.role === "KOORDINATOR") o.members.set(m.userId, m.role);
      for (const l of t.loci) o.loci.add(l.agencyId);
      o.decree ||= Boolean(t.decreeUploadedAt && t.decreeUploadedAt <= now);
      offices.set(t.officeId, o);
    }
    const loci = [...new Set([...offices.values()].flatMap((o) => [...o.loci]))];
    const [contacts, epss, plans] = await Promise.all([
      db.agency.findMany({ where: { id: { in: loci } }, select: { id: true, contactUpdatedAt: true } }),
      db.epssCandidate.groupBy({ by: ["agencyId"], where: { agencyId: { in: loci }, year } }),
      db.workPlan.groupBy({ by: ["agencyId"], where: { agencyId: { in: loci }, year } }),
    ]);
    const hasEpss = new Set(epss.map((e) => e.agencyId));
    const hasPlan = new Set(plans.map((p) => p.agencyId));
    const contactAt = new Map(contacts.map((c) => [c.id, c.contactUpdatedAt]));

    for (const d of deadlines) {
      if (d.kind === "ACTIVITIES" || !d.dueDate) continue;
      for (const [officeId, o] of offices) {
        const stage = stageAt(endOfLocalDay(d.dueDate, o.zone), now);
        if (!stage || reported(d.kind, o, { year, contactAt, hasEpss, hasPlan })) continue;
        for (const userId of o.members.keys())
          rows.push({
            kind: `${DEADLINE_KIND}.${stage}`,
            dedupeKey: `deadline:${year}:${d.kind}:${officeId}:${stage}:${userId}`,
            recipientKind: "COACH",
            recipientUserId: userId,
            payload: { year, reportKind: d.kind, due: formatDate(d.dueDate, "WIB"), officeId, office: o.name },
          });
      }
    }

    // Kind 5: each DONE coaching of these offices still without documentation.
    const activities = deadlines.find((d) => d.kind === "ACTIVITIES" && d.daysAfter);
    if (activities?.daysAfter) {
      const since = new Date(now.getTime() - (activities.daysAfter + PASSED_WINDOW_DAYS + 1) * DAY_MS);
      const undocumented = await db.coachingRequest.findMany({
        where: {
          officeId: { in: [...offices.keys()] },
          status: "DONE",
          deletedAt: null,
          endAt: { gte: since, lte: now },
          documentation: { none: { deletedAt: null } },
        },
        select: { id: true, officeId: true, endAt: true, assignments: { select: { coachId: true } } },
      });
      for (const c of undocumented) {
        const o = offices.get(c.officeId)!;
        const cutoff = endOfLocalDay(localDay(c.endAt, o.zone), o.zone, activities.daysAfter);
        const stage = stageAt(cutoff, now);
        if (!stage) continue;
        const coordinators = [...o.members].filter(([, role]) => role === "KOORDINATOR").map(([id]) => id);
        for (const userId of new Set([...c.assignments.map((a) => a.coachId), ...coordinators]))
          rows.push({
            kind: `${DEADLINE_KIND}.${stage}`,
            dedupeKey: `deadline:${c.id}:ACTIVITIES:${stage}:${userId}`,
            requestId: c.id,
            recipientKind: "COACH",
            recipientUserId: userId,
            payload: {
              year,
              reportKind: "ACTIVITIES",
              due: formatDate(new Date(cutoff.getTime() - 1), o.zone),
              officeId: c.officeId,
              office: o.name,
              requestId: c.id,
            },
          });
      }
    }
  }
  if (rows.length === 0) return 0;
  const { count } = await db.outbox.createMany({ data: rows, skipDuplicates: true });
  return count;
}

function reported(
  kind: ReportKind,
  o: { loci: Set<string>; decree: boolean },
  s: { year: number; contactAt: Map<string, Date | null>; hasEpss: Set<string>; hasPlan: Set<string> },
): boolean {
  const all = (test: (id: string) => boolean) => [...o.loci].every(test);
  switch (kind) {
    case "TEAM_DECREE":
      return o.decree;
    case "CONTACTS":
      return all((id) => (s.contactAt.get(id)?.getUTCFullYear() ?? 0) >= s.year);
    case "EPSS_CANDIDATES":
      return all((id) => s.hasEpss.has(id));
    case "WORK_PLAN":
      return all((id) => s.hasPlan.has(id));
    default:
      return true;
  }
}
