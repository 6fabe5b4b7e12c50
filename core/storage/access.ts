// Who may download a stored file: decided by what the file belongs to (a module, a coaching's
// documentation, or a request's attachment), never by knowing its id.

import type { StaffActor } from "../access/index.js";
import { visibleOfficeIds } from "../access/index.js";
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { can } from "../permissions.js";

export async function attachmentForStaff(db: Db, actor: StaffActor, attachmentId: string) {
  const notFound = new DomainError("NOT_FOUND", "error.notFound");
  if (!/^[0-9a-f-]{36}$/i.test(attachmentId)) throw notFound;
  const file = await db.attachment.findUnique({
    where: { id: attachmentId },
    include: {
      modules: { where: { deletedAt: null }, select: { id: true } },
      teamDecrees: { select: { officeId: true } },
      request: { select: { id: true, officeId: true, deletedAt: true, assignments: { select: { coachId: true } } } },
    },
  });
  if (!file) throw notFound;
  if (file.modules.length > 0 && can(actor.roles, "module.view")) return file;
  // A Tim Pembina's penetapan document: whoever sees that office's programme pages.
  if (file.teamDecrees.length > 0 && can(actor.roles, "programme.view")) {
    const visible = await visibleOfficeIds(db, actor);
    if (file.teamDecrees.some((t) => visible.includes(t.officeId))) return file;
  }
  const request = file.request;
  if (!request || request.deletedAt) throw notFound;
  const inOffice = (await visibleOfficeIds(db, actor)).includes(request.officeId);
  const assigned = request.assignments.some((a) => a.coachId === actor.userId);
  // Same scope as the lists: staff who see the office's requests, or the request's own coaches.
  if ((inOffice && can(actor.roles, "request.view")) || assigned) return file;
  throw notFound;
}
