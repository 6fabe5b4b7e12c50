// The back office's view of requests: filtered keyset lists that stay fast at 100k rows,
// the full detail with its trail and notices, admin edits and soft deletes.

import { getRequestForStaff, type StaffActor, visibleOfficeIds } from "../access/index.js";
import { auditIn } from "../audit/service.js";
import type { Db, Prisma } from "../db/client.js";
import type { RequestStatus, ServiceType } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { cancelPendingReminders } from "../notifications/intents.js";
import { can } from "../permissions.js";
import { type RequestInput, requestInputSchema } from "../validation/request.js";

export interface RequestFilters {
  status?: RequestStatus;
  officeId?: string;
  serviceType?: ServiceType;
  /** Coaching start on or after this instant. */
  from?: Date;
  /** Coaching start before this instant. */
  to?: Date;
  agency?: string;
  q?: string;
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

export const encodeCursor = (c: Cursor) => Buffer.from(`${c.createdAt.toISOString()}|${c.id}`).toString("base64url");
export function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  const [iso, id] = Buffer.from(raw, "base64url").toString("utf8").split("|");
  const createdAt = new Date(iso ?? "");
  if (Number.isNaN(createdAt.getTime()) || !id || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  return { createdAt, id };
}

/** The WHERE clause for a staff member's filtered view (never outside their offices). */
export async function requestWhere(
  db: Db,
  actor: { officeId: string },
  f: RequestFilters,
  /** The actor's visible offices, when the caller already has them (saves a query). */
  known?: readonly string[],
): Promise<Prisma.CoachingRequestWhereInput> {
  const visible = known ?? (await visibleOfficeIds(db, actor));
  const officeIds = f.officeId ? visible.filter((id) => id === f.officeId) : visible;
  const q = f.q?.trim();
  const and: Prisma.CoachingRequestWhereInput[] = [];
  if (q) {
    const like = { contains: q, mode: "insensitive" as const };
    and.push({
      OR: [
        { code: q.toUpperCase() },
        { requesterName: like },
        { agencyName: like },
        { description: like },
        { location: like },
        { picName: like },
        { requesterEmail: like },
      ],
    });
  }
  return {
    deletedAt: null,
    officeId: officeIds.length === 1 ? officeIds[0] : { in: [...officeIds] },
    status: f.status,
    serviceType: f.serviceType,
    startAt: f.from || f.to ? { gte: f.from, lt: f.to } : undefined,
    agencyName: f.agency ? { contains: f.agency, mode: "insensitive" } : undefined,
    AND: and.length ? and : undefined,
  };
}

const listInclude = {
  assignments: { select: { coach: { select: { id: true, name: true } } } },
  attachments: { select: { id: true, fileName: true } },
  office: { select: { name: true, code: true, timeZone: true } },
} satisfies Prisma.CoachingRequestInclude;

const afterCursor = (c: Cursor | null): Prisma.CoachingRequestWhereInput =>
  c ? { OR: [{ createdAt: { lt: c.createdAt } }, { createdAt: c.createdAt, id: { lt: c.id } }] } : {};

async function pageOf(db: Db, where: Prisma.CoachingRequestWhereInput, cursor: Cursor | null, take: number) {
  const rows = await db.coachingRequest.findMany({
    where: cursor ? { AND: [where, afterCursor(cursor)] } : where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: take + 1,
    include: listInclude,
  });
  const more = rows.length > take;
  const page = more ? rows.slice(0, take) : rows;
  const last = page[page.length - 1];
  return { rows: page, next: more && last ? { createdAt: last.createdAt, id: last.id } : null };
}

/** One page, newest first, by keyset (no OFFSET, so page 2,000 costs what page 1 costs). */
export async function listRequests(
  db: Db,
  actor: StaffActor,
  f: RequestFilters,
  opts: { cursor?: Cursor | null; take?: number; officeIds?: readonly string[] } = {},
) {
  if (!can(actor.roles, "request.view")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const page = await pageOf(db, await requestWhere(db, actor, f, opts.officeIds), opts.cursor ?? null, opts.take ?? 50);
  return { rows: page.rows, next: page.next ? encodeCursor(page.next) : null };
}
export type RequestRow = Awaited<ReturnType<typeof listRequests>>["rows"][number];

/** How many requests match, counted only up to a cap so a count never costs more than the page. */
export async function countRequests(
  db: Db,
  actor: StaffActor,
  f: RequestFilters,
  opts: { cap?: number; officeIds?: readonly string[] } = {},
): Promise<{ count: number; capped: boolean }> {
  const cap = opts.cap ?? 1000;
  if (!can(actor.roles, "request.view")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const rows = await db.coachingRequest.findMany({ where: await requestWhere(db, actor, f, opts.officeIds), select: { id: true }, take: cap + 1 });
  return { count: Math.min(rows.length, cap), capped: rows.length > cap };
}

/** Every matching request (up to limit), in batches, for CSV/XLSX export. */
export async function* exportRequests(db: Db, actor: StaffActor, f: RequestFilters, limit = Number.POSITIVE_INFINITY) {
  if (!can(actor.roles, "request.export")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const where = await requestWhere(db, actor, f);
  let cursor: Cursor | null = null;
  let sent = 0;
  while (sent < limit) {
    const page = await pageOf(db, where, cursor, Math.min(1000, limit - sent));
    for (const row of page.rows) yield row;
    sent += page.rows.length;
    if (!page.next) return;
    cursor = page.next;
  }
}

/** Everything the detail page shows; NOT_FOUND outside the actor's scope. */
export async function requestDetail(db: Db, actor: StaffActor, id: string) {
  const base = await getRequestForStaff(db, actor, id);
  return db.coachingRequest.findUniqueOrThrow({
    where: { id: base.id },
    include: {
      office: true,
      agency: { select: { id: true, name: true, region: true } },
      attachments: { orderBy: { createdAt: "asc" }, where: { documentation: { none: {} } } },
      assignments: { include: { coach: { select: { id: true, name: true, whatsapp: true, email: true } } }, orderBy: { createdAt: "asc" } },
      statusChanges: {
        orderBy: { createdAt: "asc" },
        include: {
          actorUser: { select: { name: true } },
          actorRequester: { select: { name: true } },
          fromOffice: { select: { name: true } },
          toOffice: { select: { name: true } },
        },
      },
      messages: { orderBy: { createdAt: "asc" }, include: { authorUser: { select: { name: true } } } },
      outbox: {
        orderBy: { createdAt: "asc" },
        include: {
          deliveries: { orderBy: { createdAt: "asc" } },
          recipientUser: { select: { name: true } },
          recipientRequester: { select: { name: true } },
        },
      },
      documentation: { where: { deletedAt: null }, include: { attachment: true, uploadedBy: { select: { name: true } } }, orderBy: { createdAt: "asc" } },
      testimonial: true,
    },
  });
}

const EDITABLE = [
  "requesterName",
  "requesterNip",
  "requesterPhone",
  "requesterEmail",
  "agencyName",
  "agencyLevel",
  "isDataProducer",
  "serviceType",
  "topics",
  "description",
  "location",
  "mode",
  "startAt",
  "endAt",
  "picName",
  "picPhone",
] as const;

/** An admin corrects a request's form data; the trail records which fields changed. */
export async function editRequest(db: Db, actor: StaffActor, id: string, input: RequestInput) {
  if (!can(actor.roles, "request.edit")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const data = requestInputSchema.parse(input);
  return db.$transaction(async (tx) => {
    const before = await getRequestForStaff(tx, actor, id);
    const next: Record<string, unknown> = {};
    for (const key of EDITABLE) next[key] = key === "requesterNip" ? (data.requesterNip ?? null) : data[key];
    if (data.agencyId) next.agencyId = data.agencyId;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(next)) {
      const a = (before as Record<string, unknown>)[key];
      const b = next[key];
      if (JSON.stringify(a) !== JSON.stringify(b)) changes[key] = { from: a ?? null, to: b ?? null };
    }
    if (Object.keys(changes).length === 0) return { request: before, changes };
    const request = await tx.coachingRequest.update({ where: { id }, data: next as Prisma.CoachingRequestUncheckedUpdateInput });
    await tx.statusChange.create({
      data: {
        requestId: id,
        kind: "EDIT",
        fromStatus: before.status,
        toStatus: before.status,
        actorUserId: actor.userId,
        note: Object.keys(changes).join(", "),
      },
    });
    await auditIn(tx, actor, "request.edit", "CoachingRequest", id, changes);
    return { request, changes };
  });
}

/** Soft delete (the row stays for the audit trail); pending reminders are cancelled. */
export async function softDeleteRequest(db: Db, actor: StaffActor, id: string, now = new Date()) {
  if (!can(actor.roles, "request.delete")) throw new DomainError("FORBIDDEN", "error.forbidden");
  return db.$transaction(async (tx) => {
    const request = await getRequestForStaff(tx, actor, id);
    await tx.coachingRequest.update({ where: { id }, data: { deletedAt: now } });
    await cancelPendingReminders(tx, id);
    await auditIn(tx, actor, "request.delete", "CoachingRequest", id, { code: request.code, status: request.status });
    return request;
  });
}
