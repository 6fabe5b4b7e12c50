// Coaching documentation: only the assigned coach, only once the coaching is DONE (SPEKTRAL 4.3.2).
import { z } from "zod";
import type { StaffActor } from "../access/index.js";
import { auditIn } from "../audit/service.js";
import type { Db } from "../db/client.js";
import type { DocumentationKind, TimeZone } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { addWorkingDays, alertedSupervisorsOf } from "../notifications/intents.js";
import { writePanelNotices } from "../notifications/panel.js";
import { canUploadDocumentation } from "../permissions.js";
import { codesOf, DOCUMENTATION_KINDS, REQUIRED_DOCUMENTATION, TIME_ZONES } from "../reference/index.js";
import { cleanText, LIMITS } from "../validation/text.js";

export interface DocumentationInput {
  requestId: string;
  kind: DocumentationKind;
  attachmentId?: string | null;
  link?: string | null;
  note?: string | null;
}

const documentationSchema = z
  .object({
    requestId: z.guid(),
    kind: z.enum(codesOf(DOCUMENTATION_KINDS)),
    attachmentId: z.guid().nullish(),
    link: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .nullish(),
    note: z.string().transform(cleanText).pipe(z.string().max(LIMITS.message)).nullish(),
  })
  .refine((d) => Boolean(d.attachmentId || d.link));

/** One documentation entry: a file or a link. */
export async function addDocumentation(db: Db, actor: StaffActor, input: DocumentationInput) {
  const { attachmentId, link, ...rest } = input;
  const [doc] = await addDocumentationSet(db, actor, { ...rest, attachmentIds: attachmentId ? [attachmentId] : [], link });
  return doc!;
}

export interface DocumentationSetInput {
  requestId: string;
  kind: DocumentationKind;
  attachmentIds: readonly string[];
  link?: string | null;
  note?: string | null;
}

/**
 * Files (and at most one link) of one kind for one coaching, added together: the files are
 * linked to the request, the entries created and the audit row written in one transaction.
 */
export async function addDocumentationSet(db: Db, actor: StaffActor, input: DocumentationSetInput) {
  const items = [
    ...input.attachmentIds.map((attachmentId) => ({ attachmentId, link: null })),
    ...(input.link ? [{ attachmentId: null, link: input.link }] : []),
  ];
  const parsed = items.map((item) => documentationSchema.safeParse({ requestId: input.requestId, kind: input.kind, note: input.note, ...item }));
  if (parsed.length === 0 || parsed.some((p) => !p.success)) throw new DomainError("VALIDATION", "error.validation");
  const entries = parsed.map((p) => p.data!);
  return db.$transaction(async (tx) => {
    const request = await tx.coachingRequest.findFirst({ where: { id: input.requestId, deletedAt: null } });
    if (!request) throw new DomainError("NOT_FOUND", "error.notFound");
    const isAssignedCoach = (await tx.assignment.count({ where: { requestId: request.id, coachId: actor.userId } })) > 0;
    if (!canUploadDocumentation(actor.roles, { isAssignedCoach, status: request.status })) {
      // Only the assigned coach learns that the coaching is simply not done yet.
      const mayEverUpload = isAssignedCoach && canUploadDocumentation(actor.roles, { isAssignedCoach, status: "DONE" });
      throw mayEverUpload ? new DomainError("NOT_DONE", "error.notDone") : new DomainError("FORBIDDEN", "error.forbidden");
    }
    const fileIds = entries.flatMap((e) => (e.attachmentId ? [e.attachmentId] : []));
    // A file belongs to this coaching or to none yet; another coaching's file cannot be claimed.
    const usable = await tx.attachment.count({ where: { id: { in: fileIds }, OR: [{ requestId: null }, { requestId: request.id }] } });
    if (usable !== new Set(fileIds).size) throw new DomainError("VALIDATION", "error.validation");
    if (fileIds.length) await tx.attachment.updateMany({ where: { id: { in: fileIds }, requestId: null }, data: { requestId: request.id } });
    const docs = [];
    for (const data of entries) {
      docs.push(
        await tx.documentation.create({
          data: {
            requestId: request.id,
            kind: data.kind,
            attachmentId: data.attachmentId ?? null,
            link: data.link ?? null,
            note: data.note || null,
            uploadedById: actor.userId,
          },
        }),
      );
    }
    // The supervisors of the coaching's office see it in the bell (no chat notice for this).
    const supervisors = await alertedSupervisorsOf(tx, request.officeId);
    const cause = docs.map((d) => d.id).join(",");
    await writePanelNotices(
      tx,
      supervisors.ids.map((id) => ({ kind: "documentation.uploaded", dedupeKey: `${cause}:doc:${id}`, requestId: request.id, recipientUserId: id })),
    );
    // Once every required kind is in, pending documentation reminders are no longer needed.
    const have = new Set((await tx.documentation.findMany({ where: { requestId: request.id, deletedAt: null }, select: { kind: true } })).map((d) => d.kind));
    if (REQUIRED_DOCUMENTATION.every((k) => have.has(k))) {
      await tx.outbox.updateMany({
        where: { requestId: request.id, kind: "reminder.documentation", status: { in: ["PENDING", "QUEUED"] } },
        data: { status: "CANCELLED" },
      });
    }
    await auditIn(tx, actor, "documentation.upload", "CoachingRequest", request.id, {
      kind: input.kind,
      files: fileIds.length,
      link: Boolean(input.link),
      documentationIds: docs.map((d) => d.id),
    });
    return docs;
  });
}

/** Which required kinds a done coaching still lacks. */
export function missingDocumentation(kinds: readonly DocumentationKind[]): DocumentationKind[] {
  return REQUIRED_DOCUMENTATION.filter((k) => !kinds.includes(k));
}

/** Working days after the coaching's end within which its documentation is reported. */
export const REPORTING_WORKING_DAYS = 5;

/**
 * The reporting deadline: five working days after the coaching ends, on the office's clock
 * (the guideline leaves the number to the coaching secretariat; this is Sibina's default).
 */
export function reportingDeadline(endAt: Date, zone: TimeZone): Date {
  return addWorkingDays(endAt, REPORTING_WORKING_DAYS, TIME_ZONES[zone].offsetMinutes);
}

/**
 * A coach removes their own upload (to correct a mistake), until the reporting deadline.
 * `replacedBy` names the new entries when it is a replacement. Audited in the same transaction.
 */
export async function removeOwnDocumentation(db: Db, actor: StaffActor, id: string, opts: { replacedBy?: string[]; now?: Date } = {}) {
  const now = opts.now ?? new Date();
  return db.$transaction(async (tx) => {
    const doc = await tx.documentation.findFirst({
      where: { id, deletedAt: null },
      include: { request: { select: { id: true, code: true, status: true, endAt: true, office: { select: { timeZone: true } } } } },
    });
    if (!doc || doc.uploadedById !== actor.userId) throw new DomainError("NOT_FOUND", "error.notFound");
    const deadline = reportingDeadline(doc.request.endAt, doc.request.office.timeZone);
    if (now > deadline) throw new DomainError("DEADLINE_PASSED", "error.doc.deadlinePassed");
    await tx.documentation.update({ where: { id }, data: { deletedAt: now } });
    await auditIn(tx, actor, opts.replacedBy ? "documentation.replace" : "documentation.delete", "CoachingRequest", doc.request.id, {
      code: doc.request.code,
      kind: doc.kind,
      attachmentId: doc.attachmentId,
      replacedBy: opts.replacedBy,
    });
    return doc;
  });
}
