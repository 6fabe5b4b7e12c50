// A lokus binaan's records: Informasi Narahubung (16 fields), inventaris kegiatan statistik and
// kandidat kegiatan EPSS (seed 002, "Pembinaan inisiatif BPS").
import type { z } from "zod";
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { audited, type ProgrammeActor, requireAgency } from "./access.js";
import { CONTACT_FIELDS, type ContactInput, contactSchema, type EpssInput, epssSchema, type InventoryInput, inventorySchema } from "./validation.js";

const YEAR_MS = 365 * 24 * 3600_000;

/** How complete a contact record is, and whether it needs attention (incomplete or a year old). */
export function contactStatus(agency: Record<string, unknown> & { contactUpdatedAt: Date | null }, now = new Date()) {
  const filled = CONTACT_FIELDS.filter((f) => typeof agency[f] === "string" && (agency[f] as string).trim() !== "").length;
  const stale = !agency.contactUpdatedAt || now.getTime() - agency.contactUpdatedAt.getTime() > YEAR_MS;
  return { filled, total: CONTACT_FIELDS.length, complete: filled === CONTACT_FIELDS.length, stale, flagged: filled < CONTACT_FIELDS.length || stale };
}

export async function getLocus(db: Db, actor: ProgrammeActor, agencyId: string) {
  const agency = await requireAgency(db, actor, "programme.view", agencyId);
  const updatedBy = agency.contactUpdatedById ? await db.user.findUnique({ where: { id: agency.contactUpdatedById }, select: { name: true } }) : null;
  return { agency, updatedBy };
}

/** Saves the whole contact record (every field as submitted; an empty field clears it). */
export async function updateContact(db: Db, actor: ProgrammeActor, agencyId: string, input: ContactInput, now = new Date()) {
  const data = contactSchema.parse(input);
  const before = await requireAgency(db, actor, "programme.manage", agencyId);
  const values = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, data[f] ?? null])) as Record<(typeof CONTACT_FIELDS)[number], string | null>;
  return audited(db, actor, { action: "locus.contact", entity: "Agency" }, async (tx) => {
    const agency = await tx.agency.update({ where: { id: agencyId }, data: { ...values, contactUpdatedAt: now, contactUpdatedById: actor.userId } });
    const changed = CONTACT_FIELDS.filter((f) => (before[f] ?? null) !== values[f]);
    return { result: agency, entityId: agencyId, changes: { fields: changed } };
  });
}

export async function listInventory(db: Db, actor: ProgrammeActor, agencyId: string) {
  await requireAgency(db, actor, "programme.view", agencyId);
  return db.inventoryItem.findMany({ where: { agencyId }, orderBy: [{ title: "asc" }, { producerUnit: "asc" }] });
}

export async function addInventoryItem(db: Db, actor: ProgrammeActor, agencyId: string, input: InventoryInput) {
  const data = inventorySchema.parse(input);
  await requireAgency(db, actor, "programme.manage", agencyId);
  const exists = await db.inventoryItem.findUnique({
    where: { agencyId_title_producerUnit: { agencyId, title: data.title, producerUnit: data.producerUnit } },
  });
  if (exists) throw new DomainError("ALREADY_EXISTS", "admin.programme.inventory.exists");
  return audited(db, actor, { action: "inventory.create", entity: "InventoryItem" }, async (tx) => {
    const item = await tx.inventoryItem.create({ data: { ...data, agencyId } });
    return { result: item, entityId: item.id, changes: data };
  });
}

export async function deleteInventoryItem(db: Db, actor: ProgrammeActor, itemId: string) {
  const item = await db.inventoryItem.findUnique({ where: { id: itemId } });
  if (!item) throw new DomainError("NOT_FOUND", "error.notFound");
  await requireAgency(db, actor, "programme.manage", item.agencyId);
  return audited(db, actor, { action: "inventory.delete", entity: "InventoryItem" }, async (tx) => {
    await tx.epssCandidate.updateMany({ where: { inventoryItemId: itemId }, data: { inventoryItemId: null } });
    await tx.inventoryItem.delete({ where: { id: itemId } });
    return { result: item, entityId: itemId, changes: { title: item.title } };
  });
}

export async function listEpss(db: Db, actor: ProgrammeActor, agencyId: string, year: number) {
  await requireAgency(db, actor, "programme.view", agencyId);
  return db.epssCandidate.findMany({ where: { agencyId, year }, orderBy: { createdAt: "asc" } });
}

/** A candidate, typed in or picked from the lokus inventory (its fields are copied as defaults). */
export async function addEpssCandidate(db: Db, actor: ProgrammeActor, input: EpssInput) {
  const data = epssSchema.parse(input);
  const agency = await requireAgency(db, actor, "programme.manage", data.agencyId);
  if (data.inventoryItemId) {
    const item = await db.inventoryItem.findUnique({ where: { id: data.inventoryItemId } });
    if (item?.agencyId !== data.agencyId) throw new DomainError("NOT_FOUND", "error.notFound");
  }
  return audited(db, actor, { action: "epss.create", entity: "EpssCandidate" }, async (tx) => {
    const row = await tx.epssCandidate.create({
      data: { ...data, note: data.note ?? null, inventoryItemId: data.inventoryItemId ?? null, officeId: agency.officeId },
    });
    return { result: row, entityId: row.id, changes: { activityName: data.activityName, year: data.year } };
  });
}

export async function deleteEpssCandidate(db: Db, actor: ProgrammeActor, id: string) {
  const row = await db.epssCandidate.findUnique({ where: { id } });
  if (!row) throw new DomainError("NOT_FOUND", "error.notFound");
  await requireAgency(db, actor, "programme.manage", row.agencyId);
  return audited(db, actor, { action: "epss.delete", entity: "EpssCandidate" }, async (tx) => {
    await tx.epssCandidate.delete({ where: { id } });
    return { result: row, entityId: id, changes: { activityName: row.activityName } };
  });
}

export type InventoryRow = z.output<typeof inventorySchema>;
