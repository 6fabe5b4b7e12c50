// Agencies see the documentation of their own coachings (seed 000, step 5): the PIC who made a
// request gets, in chat, the files staff marked shareable once the coaching is DONE. Ownership is
// judged exactly as for status lookups, so a stranger learns nothing (not even that it exists).
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { can } from "../permissions.js";
import { lookupByCode, type RequesterRef } from "../requests/service.js";
import { audited, type ProgrammeActor, requireOffice } from "./access.js";

export async function sharedDocumentation(db: Db, code: string, who: RequesterRef) {
  const request = await lookupByCode(db, code, who);
  if (request?.status !== "DONE") return [];
  return db.documentation.findMany({
    where: { requestId: request.id, shareable: true, deletedAt: null },
    orderBy: { createdAt: "asc" },
    select: { id: true, kind: true, link: true, attachment: { select: { id: true, fileName: true, mimeType: true } } },
  });
}

/** Operators (documentation.manage) of the coaching's office mark a file shareable, or not. */
export async function setShareable(db: Db, actor: ProgrammeActor, documentationId: string, shareable: boolean) {
  if (!can(actor.roles, "documentation.manage")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const doc = await db.documentation.findFirst({ where: { id: documentationId, deletedAt: null }, include: { request: { select: { officeId: true } } } });
  if (!doc) throw new DomainError("NOT_FOUND", "error.notFound");
  await requireOffice(db, actor, "programme.view", doc.request.officeId);
  return audited(db, actor, { action: "documentation.share", entity: "Documentation" }, async (tx) => {
    await tx.documentation.update({ where: { id: documentationId }, data: { shareable } });
    return { result: null, entityId: documentationId, changes: { shareable } };
  });
}
