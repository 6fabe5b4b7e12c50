// Coaching documentation: only the assigned coach, only once the coaching is DONE (SPEKTRAL 4.3.2).
import type { Db } from "../db/client.js";
import type { DocumentationKind } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { canUploadDocumentation } from "../permissions.js";
import { REQUIRED_DOCUMENTATION } from "../reference/index.js";
import type { StaffActor } from "../requests/service.js";

export interface DocumentationInput {
  requestId: string;
  kind: DocumentationKind;
  attachmentId?: string | null;
  link?: string | null;
  note?: string | null;
}

export async function addDocumentation(db: Db, actor: StaffActor, input: DocumentationInput) {
  if (!input.attachmentId && !input.link) throw new DomainError("VALIDATION", "error.validation");
  return db.$transaction(async (tx) => {
    const request = await tx.coachingRequest.findFirst({ where: { id: input.requestId, deletedAt: null } });
    if (!request) throw new DomainError("NOT_FOUND", "error.notFound");
    const isAssignedCoach = (await tx.assignment.count({ where: { requestId: request.id, coachId: actor.userId } })) > 0;
    if (!canUploadDocumentation(actor.roles, { isAssignedCoach, status: request.status })) {
      throw isAssignedCoach ? new DomainError("NOT_DONE", "error.notDone") : new DomainError("FORBIDDEN", "error.forbidden");
    }
    const doc = await tx.documentation.create({
      data: {
        requestId: request.id,
        kind: input.kind,
        attachmentId: input.attachmentId ?? null,
        link: input.link ?? null,
        note: input.note ?? null,
        uploadedById: actor.userId,
      },
    });
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
