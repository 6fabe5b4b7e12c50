// Coaching documentation: only the assigned coach, only once the coaching is DONE (SPEKTRAL 4.3.2).
import { z } from "zod";
import type { Db } from "../db/client.js";
import type { DocumentationKind } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { alertedSupervisorsOf } from "../notifications/intents.js";
import { writePanelNotices } from "../notifications/panel.js";
import { canUploadDocumentation } from "../permissions.js";
import { codesOf, DOCUMENTATION_KINDS, REQUIRED_DOCUMENTATION } from "../reference/index.js";
import type { StaffActor } from "../requests/service.js";
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

export async function addDocumentation(db: Db, actor: StaffActor, input: DocumentationInput) {
  const parsed = documentationSchema.safeParse(input);
  if (!parsed.success) throw new DomainError("VALIDATION", "error.validation");
  const data = parsed.data;
  return db.$transaction(async (tx) => {
    const request = await tx.coachingRequest.findFirst({ where: { id: data.requestId, deletedAt: null } });
    if (!request) throw new DomainError("NOT_FOUND", "error.notFound");
    const isAssignedCoach = (await tx.assignment.count({ where: { requestId: request.id, coachId: actor.userId } })) > 0;
    if (!canUploadDocumentation(actor.roles, { isAssignedCoach, status: request.status })) {
      // Only the assigned coach learns that the coaching is simply not done yet.
      const mayEverUpload = isAssignedCoach && canUploadDocumentation(actor.roles, { isAssignedCoach, status: "DONE" });
      throw mayEverUpload ? new DomainError("NOT_DONE", "error.notDone") : new DomainError("FORBIDDEN", "error.forbidden");
    }
    if (data.attachmentId && (await tx.attachment.count({ where: { id: data.attachmentId } })) === 0) throw new DomainError("VALIDATION", "error.validation");
    const doc = await tx.documentation.create({
      data: {
        requestId: request.id,
        kind: data.kind,
        attachmentId: data.attachmentId ?? null,
        link: data.link ?? null,
        note: data.note || null,
        uploadedById: actor.userId,
      },
    });
    // The supervisors of the coaching's office see it in the bell (no chat notice for this).
    const supervisors = await alertedSupervisorsOf(tx, request.officeId);
    await writePanelNotices(
      tx,
      supervisors.ids.map((id) => ({ kind: "documentation.uploaded", dedupeKey: `${doc.id}:doc:${id}`, requestId: request.id, recipientUserId: id })),
    );
    // Once every required kind is in, pending documentation reminders are no longer needed.
    const have = new Set((await tx.documentation.findMany({ where: { requestId: request.id, deletedAt: null }, select: { kind: true } })).map((d) => d.kind));
    if (REQUIRED_DOCUMENTATION.every((k) => have.has(k))) {
      await tx.outbox.updateMany({
        where: { requestId: request.id, kind: "reminder.documentation", status: { in: ["PENDING", "QUEUED"] } },
        data: { status: "CANCELLED" },
      });
    }
    return doc;
  });
}

/** Which required kinds a done coaching still lacks. */
export function missingDocumentation(kinds: readonly DocumentationKind[]): DocumentationKind[] {
  return REQUIRED_DOCUMENTATION.filter((k) => !kinds.includes(k));
}
