// Request services: the only way to change a request's state. Each runs in one transaction
// and writes its audit trail and notification intents alongside the change.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { getRequestForStaff, officeTree, type StaffActor } from "../access/index.js";
import { auditIn } from "../audit/service.js";
import { loadCalendar } from "../calendar/index.js";
import type { Db, Tx } from "../db/client.js";
import type { Channel, RequestStatus, TimeZone } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import {
  alertedSupervisorsOf,
  assignmentIntents,
  cancelPendingReminders,
  documentationReminderIntents,
  escalatedIntent,
  letterIntents,
  picReminderIntent,
  receiptIntent,
  requesterIntent,
  submittedIntents,
  supervisorIntents,
  supervisorsOf,
} from "../notifications/intents.js";
import { writePanelNotices } from "../notifications/panel.js";
import { can, requesterOwns } from "../permissions.js";
import { codesOf, SERVICE_TYPES, TIME_ZONES } from "../reference/index.js";
import { formatDateTime } from "../validation/datetime.js";
import { type RequestInput, requestInputSchema } from "../validation/request.js";
import { cleanText, LIMITS } from "../validation/text.js";
import { AWAITING_DECISION, checkTransition, OPEN_STATUSES, WITH_COACHES } from "./lifecycle.js";
import { routeRequest, selfAndAncestorIds } from "./routing.js";
import { assignTicketCode, provisionalTicketCode } from "./tickets.js";

export interface SubmitOptions {
  channel: Channel;
  identityId?: string | null;
  requesterId?: string | null;
  /** Chat form id; the same form can never create two requests. */
  submissionKey?: string | null;
  consentAt?: Date | null;
  locale?: string;
  /** This deployment's office, for agencies without a known region. */
  defaultOfficeId: string;
  /** Staff who added it in the panel (audited with their address). */
  actorUserId?: string | null;
  actorIp?: string | null;
  /** Files uploaded with the form, linked to the request in the same transaction. */
  attachmentIds?: readonly string[];
  now?: Date;
}

/** Submits a request; returns it with its ticket code. Idempotent on submissionKey. */
export async function submitRequest(db: Db, input: RequestInput, opts: SubmitOptions) {
  const data = requestInputSchema.parse(input);
  if (opts.submissionKey) {
    const existing = await db.coachingRequest.findUnique({ where: { submissionKey: opts.submissionKey } });
    if (existing) return { request: existing, created: false };
  }
  try {
    return await db.$transaction(async (tx) => {
      const offices = await officeTree(tx);
      const agency = data.agencyId ? await tx.agency.findUnique({ where: { id: data.agencyId } }) : null;
      // A known agency's own level decides the route; the typed level only counts for free-text agencies.
      const agencyLevel = agency?.level ?? data.agencyLevel;
      const officeId = routeRequest({ level: agencyLevel, agencyOfficeId: agency?.officeId }, offices, opts.defaultOfficeId);
      const zone = offices.find((o) => o.id === officeId)?.timeZone ?? "WIB";
      const now = opts.now ?? new Date();
      const year = new Date(now.getTime() + TIME_ZONES[zone].offsetMinutes * 60_000).getUTCFullYear();
      const id = randomUUID();
      // Reads and the requester's own row first: creating the request locks its office's
      // dashboard counters (RequestTally) until the commit, so that window stays short.
      // No active supervisor in the handling office: the office above is alerted instead.
      const alerted = await alertedSupervisorsOf(tx, officeId, offices);
      // A returning requester's details are remembered as they last gave them.
      if (opts.requesterId) {
        await tx.requester.update({
          where: { id: opts.requesterId },
          data: {
            name: data.requesterName,
            nip: data.requesterNip ?? null,
            phone: data.requesterPhone,
            email: data.requesterEmail,
            locale: opts.locale ?? "id",
          },
        });
      }
      const request = await tx.coachingRequest.create({
        data: {
          id,
          code: provisionalTicketCode(id),
          requesterName: data.requesterName,
          requesterNip: data.requesterNip ?? null,
          requesterPhone: data.requesterPhone,
          requesterEmail: data.requesterEmail,
          agencyId: agency?.id ?? null,
          agencyName: agency?.name ?? data.agencyName,
          agencyLevel,
          isDataProducer: data.isDataProducer,
          serviceType: data.serviceType,
          topics: data.topics,
          description: data.description,
          location: data.location,
          mode: data.mode,
          startAt: data.startAt,
          endAt: data.endAt,
          picName: data.picName,
          picPhone: data.picPhone,
          officeId,
          channel: opts.channel,
          identityId: opts.identityId ?? null,
          requesterId: opts.requesterId ?? null,
          submissionKey: opts.submissionKey ?? null,
          consentAt: opts.consentAt ?? null,
          locale: opts.locale ?? "id",
        },
      });
      await tx.statusChange.create({
        data: {
          requestId: request.id,
          fromStatus: null,
          toStatus: "SUBMITTED",
          actorRequesterId: opts.requesterId ?? null,
          actorUserId: opts.actorUserId ?? null,
        },
      });
      // The requester's receipt: a chat submission was already answered by the bot's own reply,
      // so it is only recorded; a request added in the panel is delivered like any other notice.
      const answeredInChat = Boolean(opts.identityId);
      const alerts = submittedIntents(request, alerted.ids, alerted.via);
      await tx.outbox.createMany({ data: [receiptIntent(request, answeredInChat, now), ...alerts], skipDuplicates: true });
      await writePanelNotices(tx, alerts);
      // Only files not yet linked elsewhere: an id from another form cannot be captured.
      if (opts.attachmentIds?.length)
        await tx.attachment.updateMany({ where: { id: { in: [...opts.attachmentIds] }, requestId: null }, data: { requestId: id } });
      // Last: the counter row stays locked from here to the commit (see tickets.ts).
      const code = await assignTicketCode(tx, id, year);
      if (opts.actorUserId) {
        await auditIn(tx, { userId: opts.actorUserId, ip: opts.actorIp }, "request.create", "CoachingRequest", id, {
          code,
          agencyName: request.agencyName,
          attachments: opts.attachmentIds?.length ?? 0,
        });
      }
      return { request: { ...request, code }, created: true };
    });
  } catch (e) {
    // Two deliveries of the same form raced: the loser returns the winner's request.
    if (opts.submissionKey && (e as { code?: string }).code === "P2002") {
      const existing = await db.coachingRequest.findUnique({ where: { submissionKey: opts.submissionKey } });
      if (existing) return { request: existing, created: false };
    }
    throw e;
  }
}

/** Coaches who may be assigned to a request: COACH role, in the handling office or above. */
export async function eligibleCoaches(db: Db | Tx, officeId: string) {
  const ids = selfAndAncestorIds(officeId, await officeTree(db));
  return db.user.findMany({ where: { roles: { has: "COACH" }, officeId: { in: ids }, deletedAt: null }, orderBy: { name: "asc" } });
}

/** Assignments of these coaches that overlap the given time (for the picker's warning). */
export async function coachConflicts(db: Db | Tx, coachIds: readonly string[], startAt: Date, endAt: Date, exceptRequestId?: string) {
  return db.assignment.findMany({
    where: {
      coachId: { in: [...coachIds] },
      requestId: exceptRequestId ? { not: exceptRequestId } : undefined,
      request: { deletedAt: null, status: { in: [...WITH_COACHES] }, startAt: { lt: endAt }, endAt: { gt: startAt } },
    },
    include: { request: { select: { code: true, startAt: true, endAt: true } }, coach: { select: { name: true } } },
  });
}

export interface ChangeStatusInput {
  requestId: string;
  to: RequestStatus;
  coachIds?: string[];
  reason?: string | null;
  note?: string | null;
  /** An admin's written reason to mark a coaching Selesai before its start (audited). */
  override?: string | null;
  now?: Date;
}

/** Free text on the trail (reason, note): control characters stripped, length bounded. */
function trailText(text: string | null | undefined, max: number): string | null {
  const cleaned = cleanText(text ?? "");
  if (cleaned.length > max) throw new DomainError("VALIDATION", "error.validation");
  return cleaned || null;
}

/** A supervisor moves a request along the lifecycle. */
export async function changeStatus(db: Db, actor: StaffActor, input: ChangeStatusInput) {
  const override = trailText(input.override, LIMITS.reason);
  const overriding = input.to === "DONE" && override !== null && can(actor.roles, "request.completeEarly");
  if (!can(actor.roles, "request.changeStatus") && !overriding) throw new DomainError("FORBIDDEN", "error.forbidden");
  const now = input.now ?? new Date();
  const reason = trailText(input.reason, LIMITS.reason);
  const note = trailText(input.note, LIMITS.message);
  return db.$transaction(async (tx) => {
    const request = await getRequestForStaff(tx, actor, input.requestId);
    const coachIds = [...new Set(input.coachIds ?? [])];
    checkTransition({ from: request.status, to: input.to, by: "SUPERVISOR", coachIds, reason });
    // A coaching cannot be done before it has started (it would thank the PIC and count it as done);
    // only an admin, with a written reason, may record it early.
    const early = input.to === "DONE" && now < request.startAt;
    if (early && !overriding) {
      const office = await tx.office.findUniqueOrThrow({ where: { id: request.officeId }, select: { timeZone: true } });
      throw new DomainError("NOT_STARTED", "error.coachingNotStarted", { date: formatDateTime(request.startAt, office.timeZone) });
    }
    if (input.to === "APPROVED") {
      const eligible = new Set((await eligibleCoaches(tx, request.officeId)).map((c) => c.id));
      if (coachIds.some((id) => !eligible.has(id))) throw new DomainError("COACH_NOT_ELIGIBLE", "error.coachNotEligible");
    }
    // Optimistic guard: a concurrent change of the same request makes this one fail cleanly.
    const updated = await tx.coachingRequest.updateMany({
      where: { id: request.id, status: request.status },
      data: { status: input.to, rejectionReason: input.to === "REJECTED" ? reason : undefined },
    });
    if (updated.count !== 1) throw new DomainError("INVALID_TRANSITION", "error.invalidTransition", { from: request.status, to: input.to });
    const change = await tx.statusChange.create({
      data: {
        requestId: request.id,
        fromStatus: request.status,
        toStatus: input.to,
        actorUserId: actor.userId,
        note: input.to === "REJECTED" ? reason : early ? override : note,
      },
    });
    const rows = [requesterIntent(request, change.id, input.to)];
    if (input.to === "APPROVED") {
      await tx.assignment.createMany({
        data: coachIds.map((coachId) => ({ requestId: request.id, coachId, assignedById: actor.userId })),
        skipDuplicates: true,
      });
      const assigned = assignmentIntents(request, coachIds, now);
      rows.push(...assigned, ...letterIntents(request, coachIds), ...picReminderIntent(request, now));
      await writePanelNotices(tx, assigned);
    }
    if (input.to === "DONE") {
      const coaches = await tx.assignment.findMany({ where: { requestId: request.id }, select: { coachId: true } });
      // The "after 3 working days" reminder counts the handling office's own days (zone, holidays).
      const office = await tx.office.findUniqueOrThrow({ where: { id: request.officeId }, select: { timeZone: true } });
      rows.push(
        ...documentationReminderIntents(
          request,
          coaches.map((c) => c.coachId),
          now,
          { timeZone: office.timeZone, calendar: await loadCalendar(tx) },
        ),
      );
    }
    if (input.to === "REJECTED" || input.to === "CANCELLED") await cancelPendingReminders(tx, request.id);
    await tx.outbox.createMany({ data: rows, skipDuplicates: true });
    // Selesai before the start is its own action in the log, with the admin's reason.
    await auditIn(tx, actor, early ? "request.completeEarly" : "request.status", "CoachingRequest", request.id, {
      status: { from: request.status, to: input.to },
      coachIds: input.to === "APPROVED" ? coachIds : undefined,
      reason: input.to === "REJECTED" ? reason : early ? override : undefined,
    });
    return { request: await tx.coachingRequest.findUniqueOrThrow({ where: { id: request.id } }), change };
  });
}

/** Adds coaches to an approved request (e.g. a second coach later). */
export async function assignCoaches(db: Db, actor: StaffActor, requestId: string, coachIds: string[], now = new Date()) {
  if (!can(actor.roles, "request.assignCoaches")) throw new DomainError("FORBIDDEN", "error.forbidden");
  return db.$transaction(async (tx) => {
    const request = await getRequestForStaff(tx, actor, requestId);
    if (request.status !== "APPROVED") throw new DomainError("INVALID_TRANSITION", "error.invalidTransition", { from: request.status, to: "APPROVED" });
    const eligible = new Set((await eligibleCoaches(tx, request.officeId)).map((c) => c.id));
    const fresh = [...new Set(coachIds)];
    if (fresh.length === 0) throw new DomainError("COACH_REQUIRED", "error.coachRequired");
    if (fresh.some((id) => !eligible.has(id))) throw new DomainError("COACH_NOT_ELIGIBLE", "error.coachNotEligible");
    const existing = new Set((await tx.assignment.findMany({ where: { requestId } })).map((a) => a.coachId));
    const added = fresh.filter((id) => !existing.has(id));
    await tx.assignment.createMany({ data: added.map((coachId) => ({ requestId, coachId, assignedById: actor.userId })), skipDuplicates: true });
    if (added.length > 0) {
      await tx.statusChange.create({
        data: { requestId, kind: "ASSIGNMENT", fromStatus: "APPROVED", toStatus: "APPROVED", actorUserId: actor.userId, note: added.join(",") },
      });
      const assigned = assignmentIntents(request, added, now);
      await tx.outbox.createMany({ data: [...assigned, ...letterIntents(request, added)], skipDuplicates: true });
      await writePanelNotices(tx, assigned);
      await auditIn(tx, actor, "request.assign", "CoachingRequest", requestId, { added });
    }
    return added;
  });
}

/** A supervisor hands a request to the parent office; recorded in the trail. */
export async function escalate(db: Db, actor: StaffActor, requestId: string, note?: string | null) {
  if (!can(actor.roles, "request.escalate")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const cleanNote = trailText(note, LIMITS.message);
  return db.$transaction(async (tx) => {
    const request = await getRequestForStaff(tx, actor, requestId);
    if (!AWAITING_DECISION.includes(request.status)) {
      throw new DomainError("INVALID_TRANSITION", "error.invalidTransition", { from: request.status, to: request.status });
    }
    const office = await tx.office.findUniqueOrThrow({ where: { id: request.officeId } });
    if (!office.parentId) throw new DomainError("NO_PARENT_OFFICE", "error.noParentOffice");
    await tx.coachingRequest.update({ where: { id: request.id }, data: { officeId: office.parentId } });
    const change = await tx.statusChange.create({
      data: {
        requestId,
        kind: "ESCALATION",
        fromStatus: request.status,
        toStatus: request.status,
        actorUserId: actor.userId,
        note: cleanNote,
        fromOfficeId: office.id,
        toOfficeId: office.parentId,
      },
    });
    const supervisors = await supervisorsOf(tx, office.parentId);
    const parent = await tx.office.findUniqueOrThrow({ where: { id: office.parentId }, select: { name: true } });
    const alerts = supervisorIntents(
      "request.escalated",
      request.id,
      supervisors.map((s) => s.id),
      change.id,
    );
    // The requester hears who handles their request now.
    await tx.outbox.createMany({ data: [...alerts, escalatedIntent(request, change.id, parent.name)], skipDuplicates: true });
    await writePanelNotices(tx, alerts);
    await auditIn(tx, actor, "request.escalate", "CoachingRequest", requestId, { fromOfficeId: office.id, toOfficeId: office.parentId, note: cleanNote });
    return change;
  });
}

export interface RequesterRef {
  identityId?: string | null;
  requesterId?: string | null;
  phones?: string[];
}

function ownedWhere(who: RequesterRef) {
  const or: object[] = [];
  if (who.identityId) or.push({ identityId: who.identityId });
  if (who.requesterId) or.push({ requesterId: who.requesterId });
  for (const phone of who.phones ?? []) or.push({ requesterPhone: phone }, { picPhone: phone });
  return or.length ? { deletedAt: null, OR: or } : { id: "00000000-0000-0000-0000-000000000000" };
}

/** The requests a chat identity may see (its own, or those naming its phone), newest first. */
export async function findRequestsFor(db: Db, who: RequesterRef, take = 10) {
  return db.coachingRequest.findMany({
    where: ownedWhere(who),
    orderBy: { createdAt: "desc" },
    take,
    include: { assignments: { include: { coach: { select: { name: true } } } } },
  });
}

// What the status reply shows and what ownership is judged by; nothing more. The requesters' most
// frequent read, so it is one hand-written statement (Prisma's findFirst with a relation join
// spent about as long building and decoding the query as PostgreSQL spent answering it), and its
// row is checked against this schema instead of trusted.
const lookupRow = z.object({
  id: z.string(),
  code: z.string(),
  status: z.enum(["SUBMITTED", "IN_REVIEW", "APPROVED", "REJECTED", "DONE", "CANCELLED"] satisfies RequestStatus[]),
  serviceType: z.enum(codesOf(SERVICE_TYPES)),
  agencyName: z.string(),
  startAt: z.date(),
  endAt: z.date(),
  location: z.string(),
  rejectionReason: z.string().nullable(),
  identityId: z.string().nullable(),
  requesterId: z.string().nullable(),
  requesterPhone: z.string(),
  picPhone: z.string(),
  timeZone: z.enum(["WIB", "WITA", "WIT"] satisfies TimeZone[]),
  coaches: z.array(z.string()),
});

/** A request by code, only when it belongs to the asker; otherwise null, exactly as for an unknown code. */
export async function lookupByCode(db: Db, code: string, who: RequesterRef) {
  const rows = await db.$queryRaw<unknown[]>`
    SELECT r.id::text, r.code, r.status::text, r."serviceType"::text, r."agencyName", r."startAt", r."endAt", r.location,
           r."rejectionReason", r."identityId"::text, r."requesterId"::text, r."requesterPhone", r."picPhone", o."timeZone"::text,
           ARRAY(SELECT u.name FROM "Assignment" a JOIN "User" u ON u.id = a."coachId" WHERE a."requestId" = r.id) AS coaches
      FROM "CoachingRequest" r JOIN "Office" o ON o.id = r."officeId"
     WHERE r.code = ${code.trim().toUpperCase()} AND r."deletedAt" IS NULL
     LIMIT 1`;
  if (rows.length === 0) return null;
  const { timeZone, coaches, ...request } = lookupRow.parse(rows[0]);
  if (!requesterOwns(request, who)) return null;
  return { ...request, office: { timeZone }, assignments: coaches.map((name) => ({ coach: { name } })) };
}

/** The requester cancels their own request before approval. */
export async function cancelByRequester(db: Db, who: RequesterRef, requestId: string) {
  return db.$transaction(async (tx) => {
    const request = await tx.coachingRequest.findFirst({ where: { id: requestId, deletedAt: null } });
    if (!request || !requesterOwns(request, who)) throw new DomainError("NOT_FOUND", "error.notFound");
    checkTransition({ from: request.status, to: "CANCELLED", by: "REQUESTER" });
    const updated = await tx.coachingRequest.updateMany({ where: { id: request.id, status: request.status }, data: { status: "CANCELLED" } });
    if (updated.count !== 1) throw new DomainError("INVALID_TRANSITION", "error.invalidTransition", { from: request.status, to: "CANCELLED" });
    const change = await tx.statusChange.create({
      data: { requestId, fromStatus: request.status, toStatus: "CANCELLED", actorRequesterId: who.requesterId ?? null },
    });
    await cancelPendingReminders(tx, request.id);
    const alerted = await alertedSupervisorsOf(tx, request.officeId);
    await tx.outbox.createMany({
      data: supervisorIntents("request.cancelled", request.id, alerted.ids, change.id, alerted.via ? { viaOfficeId: alerted.via } : {}),
      skipDuplicates: true,
    });
    return change;
  });
}

/**
 * Open requests from the same agency for the same service within ±7 days of the proposed
 * start (SPEKTRAL: avoid duplicate coaching). Matches the agency by id, or by name when typed.
 */
export async function findDuplicates(db: Db, q: { agencyId?: string | null; agencyName: string; serviceType: RequestInput["serviceType"]; startAt: Date }) {
  const window = 7 * 24 * 3600_000;
  return db.coachingRequest.findMany({
    where: {
      deletedAt: null,
      status: { in: [...OPEN_STATUSES] },
      serviceType: q.serviceType,
      startAt: { gte: new Date(q.startAt.getTime() - window), lte: new Date(q.startAt.getTime() + window) },
      OR: [...(q.agencyId ? [{ agencyId: q.agencyId }] : []), { agencyName: { equals: q.agencyName.trim(), mode: "insensitive" as const } }],
    },
    orderBy: { startAt: "asc" },
    select: { id: true, code: true, startAt: true, status: true },
  });
}
