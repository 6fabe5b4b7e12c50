// Admins review and remove testimonials (SPEKTRAL 4.2.3).

import type { StaffActor } from "../access/index.js";
import { visibleOfficeIds } from "../access/index.js";
import { auditIn } from "../audit/service.js";
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { can } from "../permissions.js";

export async function listTestimonials(db: Db, actor: StaffActor, opts: { skip?: number; take?: number } = {}) {
  if (!can(actor.roles, "testimonial.view")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const take = opts.take ?? 50;
  const rows = await db.testimonial.findMany({
    where: { deletedAt: null, request: { deletedAt: null, officeId: { in: await visibleOfficeIds(db, actor) } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip: opts.skip ?? 0,
    take: take + 1,
    include: { request: { select: { id: true, code: true, agencyName: true, serviceType: true } } },
  });
  return { rows: rows.slice(0, take), more: rows.length > take };
}

export async function getTestimonial(db: Db, actor: StaffActor, id: string) {
  const row = await db.testimonial.findFirst({
    where: { id, deletedAt: null, request: { officeId: { in: await visibleOfficeIds(db, actor) } } },
    include: { request: { select: { code: true, agencyName: true } } },
  });
  if (!row) throw new DomainError("NOT_FOUND", "error.notFound");
  return row;
}

export async function deleteTestimonial(db: Db, actor: StaffActor, id: string, now = new Date()) {
  if (!can(actor.roles, "testimonial.manage")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const row = await getTestimonial(db, actor, id);
  await db.$transaction(async (tx) => {
    await tx.testimonial.update({ where: { id }, data: { deletedAt: now } });
    await auditIn(tx, actor, "testimonial.delete", "Testimonial", row.id, { requestId: row.requestId, rating: row.rating, authorName: row.authorName });
  });
  return row;
}
