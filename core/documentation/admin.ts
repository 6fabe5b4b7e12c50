// The back office's coachings and documentation lists (SPEKTRAL 4.2.2 and 4.3.2).

import type { StaffActor } from "../access/index.js";
import { visibleOfficeIds } from "../access/index.js";
import { auditIn } from "../audit/service.js";
import type { Db, Prisma } from "../db/client.js";
import type { DocumentationKind } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { can, canUploadDocumentation } from "../permissions.js";
import { REQUIRED_DOCUMENTATION } from "../reference/index.js";
import { missingDocumentation, reportingDeadline } from "./service.js";

/** Requests a staff member may see in coaching lists: their offices', or a coach's own. */
async function coachingScope(db: Db, actor: StaffActor): Promise<Prisma.CoachingRequestWhereInput> {
  if (can(actor.roles, "request.view")) return { officeId: { in: await visibleOfficeIds(db, actor) } };
  return { assignments: { some: { coachId: actor.userId } } };
}

export interface CoachingFilters {
  q?: string;
  missingOnly?: boolean;
}

/** DONE coachings with which documentation kinds are in and which required ones are missing. */
export async function listCoachings(db: Db, actor: StaffActor, f: CoachingFilters, opts: { skip?: number; take?: number } = {}) {
  if (!can(actor.roles, "coaching.view")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const q = f.q?.trim();
  const rows = await db.coachingRequest.findMany({
    where: {
      AND: [
        await coachingScope(db, actor),
        { deletedAt: null, status: "DONE" },
        q
          ? { OR: [{ agencyName: { contains: q, mode: "insensitive" } }, { code: q.toUpperCase() }, { description: { contains: q, mode: "insensitive" } }] }
          : {},
        // "Missing" = not every required kind is present (filtered in the database, so pages stay full).
        f.missingOnly ? { NOT: { AND: REQUIRED_DOCUMENTATION.map((kind) => ({ documentation: { some: { kind, deletedAt: null } } })) } } : {},
      ],
    },
    orderBy: [{ startAt: "desc" }, { id: "desc" }],
    skip: opts.skip ?? 0,
    take: (opts.take ?? 50) + 1,
    include: {
      assignments: { select: { coachId: true, coach: { select: { name: true } } } },
      documentation: { where: { deletedAt: null }, select: { kind: true } },
      office: { select: { timeZone: true } },
    },
  });
  const take = opts.take ?? 50;
  const withStatus = rows.slice(0, take).map((r) => {
    const kinds = [...new Set(r.documentation.map((d) => d.kind))];
    return { ...r, kinds, missing: missingDocumentation(kinds), isMine: r.assignments.some((a) => a.coachId === actor.userId) };
  });
  return { rows: withStatus, more: rows.length > take };
}

/**
 * A coach's own assignments: done coachings still missing documentation first (soonest
 * reporting deadline first), then upcoming ones (soonest first), then the rest (newest first).
 */
export async function myAssignments(db: Db, coachId: string, now = new Date()) {
  const rows = await db.coachingRequest.findMany({
    where: { deletedAt: null, assignments: { some: { coachId } } },
    orderBy: [{ startAt: "desc" }],
    take: 200,
    include: {
      assignments: { select: { coach: { select: { name: true } } } },
      documentation: { where: { deletedAt: null }, select: { kind: true } },
      office: { select: { timeZone: true, name: true } },
    },
  });
  const shaped = rows.map((r) => {
    const kinds = [...new Set(r.documentation.map((d) => d.kind))];
    const missing = r.status === "DONE" ? missingDocumentation(kinds) : [];
    const deadline = reportingDeadline(r.endAt, r.office.timeZone);
    return { ...r, kinds, missing, deadline, overdue: missing.length > 0 && deadline < now };
  });
  const group = (r: (typeof shaped)[number]) => (r.missing.length > 0 ? 0 : r.status === "APPROVED" && r.endAt >= now ? 1 : 2);
  return shaped.sort((a, b) => {
    const g = group(a) - group(b);
    if (g !== 0) return g;
    if (group(a) === 0) return a.deadline.getTime() - b.deadline.getTime();
    if (group(a) === 1) return a.startAt.getTime() - b.startAt.getTime();
    return b.startAt.getTime() - a.startAt.getTime();
  });
}

/** How many of a coach's done coachings still miss documentation (for the home page). */
export async function missingDocumentationCount(db: Db, coachId: string): Promise<number> {
  return db.coachingRequest.count({
    where: {
      deletedAt: null,
      status: "DONE",
      assignments: { some: { coachId } },
      NOT: { AND: REQUIRED_DOCUMENTATION.map((kind) => ({ documentation: { some: { kind, deletedAt: null } } })) },
    },
  });
}

/** The upload page's data; only the assigned coach of a DONE request gets it (else FORBIDDEN / NOT_DONE). */
export async function documentationWorkspace(db: Db, actor: StaffActor, requestId: string) {
  const request = await db.coachingRequest.findFirst({
    where: { id: requestId, deletedAt: null },
    include: {
      office: { select: { timeZone: true, name: true } },
      documentation: { where: { deletedAt: null }, include: { attachment: true, uploadedBy: { select: { name: true } } }, orderBy: { createdAt: "asc" } },
      assignments: { select: { coachId: true, coach: { select: { name: true } } } },
    },
  });
  if (!request) throw new DomainError("NOT_FOUND", "error.notFound");
  const isAssignedCoach = request.assignments.some((a) => a.coachId === actor.userId);
  if (!canUploadDocumentation(actor.roles, { isAssignedCoach, status: request.status })) {
    throw isAssignedCoach && can(actor.roles, "documentation.upload")
      ? new DomainError("NOT_DONE", "error.notDone")
      : new DomainError("FORBIDDEN", "error.forbidden");
  }
  const kinds = [...new Set(request.documentation.map((d) => d.kind))];
  const deadline = reportingDeadline(request.endAt, request.office.timeZone);
  return { request, kinds, missing: missingDocumentation(kinds), deadline, open: new Date() <= deadline };
}

export interface DocumentationFilters {
  kind?: DocumentationKind;
  q?: string;
}

/** All uploaded documentation the actor may see, newest first. */
export async function listDocumentation(db: Db, actor: StaffActor, f: DocumentationFilters, opts: { skip?: number; take?: number } = {}) {
  if (!can(actor.roles, "documentation.view")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const q = f.q?.trim();
  const take = opts.take ?? 50;
  const rows = await db.documentation.findMany({
    where: {
      deletedAt: null,
      kind: f.kind,
      request: {
        AND: [
          { deletedAt: null },
          await coachingScope(db, actor),
          q ? { OR: [{ agencyName: { contains: q, mode: "insensitive" } }, { code: q.toUpperCase() }] } : {},
        ],
      },
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: opts.skip ?? 0,
    take: take + 1,
    include: {
      attachment: { select: { id: true, fileName: true, size: true, mimeType: true } },
      uploadedBy: { select: { name: true } },
      request: { select: { id: true, code: true, agencyName: true, serviceType: true, startAt: true, office: { select: { timeZone: true } } } },
    },
  });
  return { rows: rows.slice(0, take), more: rows.length > take };
}

/** An operator removes a documentation entry (soft delete). */
export async function deleteDocumentation(db: Db, actor: StaffActor, id: string, now = new Date()) {
  if (!can(actor.roles, "documentation.manage")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const doc = await db.documentation.findFirst({ where: { id, deletedAt: null }, include: { request: { select: { officeId: true } } } });
  if (!doc || !(await visibleOfficeIds(db, actor)).includes(doc.request.officeId)) throw new DomainError("NOT_FOUND", "error.notFound");
  await db.$transaction(async (tx) => {
    await tx.documentation.update({ where: { id }, data: { deletedAt: now } });
    await auditIn(tx, actor, "documentation.delete", "Documentation", doc.id, { requestId: doc.requestId, kind: doc.kind });
  });
  return doc;
}
