// Operators curate training modules (SPEKTRAL 4.3.1): list, upload, delete.
import { z } from "zod";
import type { Db } from "../db/client.js";
import type { Topic } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { can } from "../permissions.js";
import { codesOf, TOPICS } from "../reference/index.js";
import type { StaffActor } from "../requests/service.js";
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
    include: { attachment: { select: { id: true, fileName: true, size: true } }, uploadedBy: { select: { name: true } } },
  });
}

export async function createModule(db: Db, actor: StaffActor, input: ModuleInput, file: { attachmentId: string; fileType: string }) {
  if (!can(actor.roles, "module.manage")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const data = moduleInputSchema.parse(input);
  return db.module.create({
    data: {
      title: data.title,
      category: data.category,
      topic: data.topic ?? null,
      description: data.description ?? null,
      fileType: file.fileType,
      attachmentId: file.attachmentId,
      uploadedById: actor.userId,
    },
  });
}

export async function getModule(db: Db, id: string) {
  const mod = await db.module.findFirst({ where: { id, deletedAt: null } });
  if (!mod) throw new DomainError("NOT_FOUND", "error.notFound");
  return mod;
}

/** Soft delete: the file stays for the audit trail but is no longer listed or offered by the bot. */
export async function deleteModule(db: Db, actor: StaffActor, id: string, now = new Date()) {
  if (!can(actor.roles, "module.manage")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const mod = await getModule(db, id);
  await db.module.update({ where: { id }, data: { deletedAt: now } });
  return mod;
}
