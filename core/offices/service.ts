// The offices this deployment serves (admin): contact details shown to PICs by "Kontak kantor",
// time zone, active or not, and offices below added from the bundled list of BPS offices.
import { z } from "zod";
import { visibleOfficeIds } from "../access/index.js";
import { writeAudit } from "../audit/service.js";
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { emailSchema, phoneSchema } from "../validation/identity.js";
import { catalogChain, catalogDescendants } from "./catalog.js";

const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

export const officeInputSchema = z.object({
  name: z.string().trim().min(3).max(150),
  address: optional(z.string().trim().max(300)),
  phone: optional(
    z
      .string()
      .trim()
      .regex(/^[0-9+()\-\s]{5,30}$/, "invalid_phone"),
  ),
  email: optional(emailSchema),
  whatsapp: optional(phoneSchema),
  website: optional(z.url().max(200)),
  timeZone: z.enum(["WIB", "WITA", "WIT"]),
  active: z.boolean(),
});
export type OfficeInput = z.infer<typeof officeInputSchema>;

interface Actor {
  userId: string;
  officeId: string;
}

/** The actor's office and every office below it, top first. */
export async function listOffices(db: Db, actor: { officeId: string }) {
  const ids = await visibleOfficeIds(db, actor);
  return db.office.findMany({
    where: { id: { in: ids } },
    orderBy: { code: "asc" },
    include: { parent: { select: { name: true, code: true } }, _count: { select: { users: { where: { deletedAt: null } } } } },
  });
}

export async function getOffice(db: Db, actor: { officeId: string }, officeId: string) {
  if (!(await visibleOfficeIds(db, actor)).includes(officeId)) throw new DomainError("NOT_FOUND", "error.notFound");
  return db.office.findUniqueOrThrow({ where: { id: officeId } });
}

export async function updateOffice(db: Db, actor: Actor & { ip?: string | null }, officeId: string, input: OfficeInput) {
  const data = officeInputSchema.parse(input);
  const before = await getOffice(db, actor, officeId);
  // The actor's own office stays active: deactivating it would lock the deployment out of itself.
  if (officeId === actor.officeId && !data.active) throw new DomainError("FORBIDDEN", "office.error.ownInactive");
  return db.$transaction(async (tx) => {
    const after = await tx.office.update({
      where: { id: officeId },
      data: {
        name: data.name,
        address: data.address ?? null,
        phone: data.phone ?? null,
        email: data.email ?? null,
        whatsapp: data.whatsapp ?? null,
        website: data.website ?? null,
        timeZone: data.timeZone,
        active: data.active,
      },
    });
    const changes: Record<string, unknown> = {};
    for (const key of ["name", "address", "phone", "email", "whatsapp", "website", "timeZone", "active"] as const)
      if (before[key] !== after[key]) changes[key] = { from: before[key], to: after[key] };
    await writeAudit(tx, { actorUserId: actor.userId, action: "office.edit", entity: "Office", entityId: officeId, ip: actor.ip ?? null, changes });
    return after;
  });
}

/** Bundled offices below the actor's office that this deployment does not have yet. */
export async function addableOffices(db: Db, actor: { officeId: string }) {
  const own = await db.office.findUniqueOrThrow({ where: { id: actor.officeId } });
  const rows = await db.office.findMany({ select: { code: true, name: true } });
  // By code, and by name too: BPS numbers a few kabupaten/kota differently from Kemendagri.
  const codes = new Set(rows.map((o) => o.code));
  const names = new Set(rows.map((o) => o.name.toLowerCase()));
  return catalogDescendants(own.code).filter((o) => !codes.has(o.code) && !names.has(o.name.toLowerCase()));
}

/** Adds bundled offices below the actor's office (and any missing office between). */
export async function addOffices(db: Db, actor: Actor & { ip?: string | null }, codes: readonly string[]) {
  const own = await db.office.findUniqueOrThrow({ where: { id: actor.officeId } });
  const allowed = new Set(catalogDescendants(own.code).map((o) => o.code));
  const wanted = [...new Set(codes)];
  if (wanted.length === 0 || wanted.some((c) => !allowed.has(c))) throw new DomainError("VALIDATION", "office.error.notBelow");
  return db.$transaction(async (tx) => {
    const added: string[] = [];
    for (const code of wanted) {
      let parentId = own.id;
      for (const o of catalogChain(code)) {
        if (!allowed.has(o.code)) continue; // at or above the actor's office
        const existing = await tx.office.findUnique({ where: { code: o.code } });
        if (existing) {
          parentId = existing.id;
          continue;
        }
        const row = await tx.office.create({ data: { code: o.code, name: o.name, level: o.level, timeZone: o.timeZone, parentId } });
        added.push(o.code);
        parentId = row.id;
      }
    }
    await writeAudit(tx, {
      actorUserId: actor.userId,
      action: "office.add",
      entity: "Office",
      entityId: null,
      ip: actor.ip ?? null,
      changes: { codes: added },
    });
    return added;
  });
}
