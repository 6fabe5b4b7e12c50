// Operators curate training modules (SPEKTRAL 4.3.1): list, upload, delete.

import { z } from "zod";
import type { StaffActor } from "../access/index.js";
import { auditIn } from "../audit/service.js";
import type { Db } from "../db/client.js";
import type { Topic } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { can, canOnOffice } from "../permissions.js";
import { codesOf, TOPICS } from "../reference/index.js";
import { lineText, longText } from "../validation/text.js";

export const moduleInputSchema = z.object({
  title: lineText(3, 200),
  category: lineText(2, 100),
  topic: z.preprocess((v) => (v === "" ? undefined : v), z.enum(codesOf(TOPICS)).optional()),
  description: z.preprocess((v) => (v === "" ? undefined : v), longText(3, 1000).optional()),
});
export type ModuleInput = z.infer<typeof moduleInputSchema>;

export async function listModules(db: Db, q: { keyword?: string; topic?: Topic } = {}) {
  const keyword = q.keyword?.trim();
  return db.module.findMany({
    where: {
      deletedAt: null,
      topic: q.topic,
      OR: keyword ? [{ title: { contains: keyword, mode: "insensitive" } }, { category: { contains: keyword, mode: "insensitive" } }] : undefined,
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 500,
    include: {
      attachment: { select: { id: true, fileName: true, size: true } },
      uploadedBy: { select: { name: true } },
      office: { select: { id: true, name: true } },
    },
  });
}

export async function createModule(db: Db, actor: StaffActor, input: ModuleInput, file: { attachmentId: string; fileType: string }) {
  if (!can(actor.roles, "module.manage")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const data = moduleInputSchema.parse(input);
  return db.$transaction(async (tx) => {
    const mod = await tx.module.create({
      data: {
        title: data.title,
        category: data.category,
        topic: data.topic ?? null,
        description: data.description ?? null,
        fileType: file.fileType,
        attachmentId: file.attachmentId,
        uploadedById: actor.userId,
        // The uploader's office owns the module.
        officeId: actor.officeId,
      },
    });
    await auditIn(tx, actor, "module.create", "Module", mod.id, { title: mod.title, category: mod.category, topic: mod.topic, fileType: mod.fileType });
    return mod;
  });
}

export async function getModule(db: Db, id: string) {
  const mod = await db.module.findFirst({ where: { id, deletedAt: null } });
  if (!mod) throw new DomainError("NOT_FOUND", "error.notFound");
  return mod;
}

/** Whether this staff member may manage (delete) this module: their own office's only. */
export const canManageModule = (actor: StaffActor, mod: { officeId: string }) =>
  canOnOffice(actor.roles, "module.manage", { actorOfficeId: actor.officeId, recordOfficeId: mod.officeId });

/** The module, when this staff member may manage it; FORBIDDEN for another office's module. */
export async function getModuleToManage(db: Db, actor: StaffActor, id: string) {
  const mod = await getModule(db, id);
  if (!canManageModule(actor, mod)) throw new DomainError("FORBIDDEN", "error.moduleOtherOffice");
  return mod;
}

/** Soft delete: the file stays for the audit trail but is no longer listed or offered by the bot. */
export async function deleteModule(db: Db, actor: StaffActor, id: string, now = new Date()) {
  const mod = await getModuleToManage(db, actor, id);
  // Only a row still live and still this office's is deleted (no race with another deletion).
  return db.$transaction(async (tx) => {
    const { count } = await tx.module.updateMany({ where: { id, deletedAt: null, officeId: actor.officeId }, data: { deletedAt: now } });
    if (count === 0) throw new DomainError("NOT_FOUND", "error.notFound");
    await auditIn(tx, actor, "module.delete", "Module", mod.id, { title: mod.title });
    return mod;
  });
}
