// What admins and the Tim Monev enter for monitoring: reporting deadlines per year and kind,
// fullday allocations, capacity-building events with attendance, and IPS scores per lokus.
import { z } from "zod";
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { can } from "../permissions.js";
import { loadExcel } from "../runtime/libraries.js";
import { audited, type ProgrammeActor, requireAgency, requireOffice } from "./access.js";
import { allocationSchema, capacityEventSchema, deadlineSchema, ipsSchema } from "./validation.js";

export const deadlinesOf = (db: Db, year: number) => db.reportingDeadline.findMany({ where: { year } });

/** The sekretariat's deadlines hold for every office: admins only. */
export async function setDeadline(db: Db, actor: ProgrammeActor, input: z.input<typeof deadlineSchema>) {
  if (!can(actor.roles, "programme.settings")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const data = deadlineSchema.parse(input);
  const value = data.kind === "ACTIVITIES" ? { dueDate: null, daysAfter: data.daysAfter ?? null } : { dueDate: data.dueDate ?? null, daysAfter: null };
  if (value.dueDate === null && value.daysAfter === null) throw new DomainError("VALIDATION", "admin.programme.deadline.missing");
  return audited(db, actor, { action: "deadline.set", entity: "ReportingDeadline" }, async (tx) => {
    const row = await tx.reportingDeadline.upsert({
      where: { year_kind: { year: data.year, kind: data.kind } },
      create: { year: data.year, kind: data.kind, ...value },
      update: value,
    });
    return { result: row, entityId: `${data.year}:${data.kind}`, changes: value };
  });
}

export async function setAllocation(db: Db, actor: ProgrammeActor, input: z.input<typeof allocationSchema>) {
  if (!can(actor.roles, "programme.settings")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const data = allocationSchema.parse(input);
  await requireOffice(db, actor, "programme.settings", data.officeId);
  return audited(db, actor, { action: "allocation.set", entity: "Office" }, async (tx) => {
    const row = await tx.fulldayAllocation.upsert({
      where: { officeId_year: { officeId: data.officeId, year: data.year } },
      create: data,
      update: { count: data.count },
    });
    return { result: row, entityId: data.officeId, changes: { year: data.year, count: data.count } };
  });
}

export async function addCapacityEvent(db: Db, actor: ProgrammeActor, input: z.input<typeof capacityEventSchema>) {
  const data = capacityEventSchema.parse(input);
  await requireOffice(db, actor, "monitoring.manage", data.officeId);
  const attendees = [...new Set(data.attendeeIds)];
  const known = await db.user.count({ where: { id: { in: attendees }, deletedAt: null } });
  if (known !== attendees.length) throw new DomainError("NOT_FOUND", "error.notFound");
  return audited(db, actor, { action: "capacity.create", entity: "CapacityEvent" }, async (tx) => {
    const event = await tx.capacityEvent.create({
      data: {
        officeId: data.officeId,
        title: data.title,
        heldOn: data.heldOn,
        internalisation: data.internalisation,
        attendees: { create: attendees.map((userId) => ({ userId })) },
      },
    });
    return { result: event, entityId: event.id, changes: { title: data.title, heldOn: data.heldOn, attendees: attendees.length } };
  });
}

export async function listCapacityEvents(db: Db, officeId: string, year: number) {
  return db.capacityEvent.findMany({
    where: { officeId, heldOn: { gte: new Date(Date.UTC(year, 0, 1)), lt: new Date(Date.UTC(year + 1, 0, 1)) } },
    orderBy: { heldOn: "asc" },
    include: { attendees: { include: { user: { select: { name: true } } } } },
  });
}

/** The Tim Monev enters (or corrects) the IPS score of a lokus for a year. */
export async function setIpsScore(db: Db, actor: ProgrammeActor, input: z.input<typeof ipsSchema>) {
  const data = ipsSchema.parse(input);
  const agency = await requireAgency(db, actor, "monitoring.manage", data.agencyId);
  return audited(db, actor, { action: "ips.set", entity: "Agency" }, async (tx) => {
    const row = await tx.ipsScore.upsert({
      where: { agencyId_year: { agencyId: agency.id, year: data.year } },
      create: data,
      update: { score: data.score },
    });
    return { result: row, entityId: agency.id, changes: { year: data.year, score: data.score } };
  });
}

export const letterFormatSchema = z.object({
  officeId: z.uuid(),
  format: z
    .string()
    .trim()
    .min(5)
    .max(100)
    .refine((v) => v.includes("{seq}"), { message: "letter_seq" }),
});

/** The office's Surat Tugas number format ({seq} {code} {month} {roman} {year}); admins only. */
export async function setLetterFormat(db: Db, actor: ProgrammeActor, input: z.input<typeof letterFormatSchema>) {
  if (!can(actor.roles, "programme.settings")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const data = letterFormatSchema.parse(input);
  await requireOffice(db, actor, "programme.settings", data.officeId);
  return audited(db, actor, { action: "letter.format", entity: "Office" }, async (tx) => {
    await tx.office.update({ where: { id: data.officeId }, data: { letterNumberFormat: data.format } });
    return { result: null, entityId: data.officeId, changes: { format: data.format } };
  });
}

/**
 * IPS scores from a spreadsheet (columns "Instansi" and "Nilai IPS", header row first): every row
 * must name a lokus of the office and a score 0-5, or nothing is saved. Returns how many were set.
 */
export async function importIpsScores(db: Db, actor: ProgrammeActor, officeId: string, year: number, bytes: Buffer) {
  await requireOffice(db, actor, "monitoring.manage", officeId);
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new DomainError("VALIDATION", "admin.programme.import.unreadable");
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new DomainError("VALIDATION", "admin.programme.import.unreadable");
  const agencies = await db.agency.findMany({ where: { officeId }, select: { id: true, name: true } });
  const byName = new Map(agencies.map((a) => [a.name.trim().toLowerCase(), a.id]));
  const rows: { agencyId: string; score: number }[] = [];
  const bad: number[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    const name = String(row.getCell(1).text ?? "").trim();
    const raw = row.getCell(2).value;
    if (!name && (raw === null || raw === undefined || raw === "")) return;
    const score = typeof raw === "number" ? raw : Number(String(raw ?? "").replace(",", "."));
    const agencyId = byName.get(name.toLowerCase());
    if (!agencyId || !Number.isFinite(score) || score < 0 || score > 5) bad.push(n);
    else rows.push({ agencyId, score });
  });
  if (bad.length > 0) throw new DomainError("VALIDATION", "admin.monitoring.ips.importRefused", { rows: bad.slice(0, 20).join(", ") });
  return audited(db, actor, { action: "ips.import", entity: "Office" }, async (tx) => {
    for (const r of rows)
      await tx.ipsScore.upsert({ where: { agencyId_year: { agencyId: r.agencyId, year } }, create: { ...r, year }, update: { score: r.score } });
    return { result: rows.length, entityId: officeId, changes: { year, rows: rows.length } };
  });
}
