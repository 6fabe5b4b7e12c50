// Cuti bersama (collective leave days), set by joint ministerial decree each year: admins add
// and remove them in the panel, and every working-day count skips them.
import { z } from "zod";
import { writeAudit } from "../audit/service.js";
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { nationalHolidays } from "./index.js";

export const leaveDaySchema = z.object({
  date: z.iso.date(),
  name: z.string().trim().min(3).max(150),
});

const asDate = (day: string) => new Date(`${day}T00:00:00Z`);

export async function listYear(db: Db, year: number) {
  const leave = await db.leaveDay.findMany({ where: { date: { gte: asDate(`${year}-01-01`), lte: asDate(`${year}-12-31`) } }, orderBy: { date: "asc" } });
  const holidays = [...nationalHolidays()].filter(([d]) => d.startsWith(`${year}-`)).map(([date, name]) => ({ date, name }));
  return { leave: leave.map((l) => ({ date: l.date.toISOString().slice(0, 10), name: l.name })), holidays };
}

export async function addLeaveDay(db: Db, actor: { userId: string; ip?: string | null }, input: { date: string; name: string }) {
  const data = leaveDaySchema.parse(input);
  return db.$transaction(async (tx) => {
    if (await tx.leaveDay.findUnique({ where: { date: asDate(data.date) } })) throw new DomainError("ALREADY_EXISTS", "calendar.exists", { date: data.date });
    const row = await tx.leaveDay.create({ data: { date: asDate(data.date), name: data.name } });
    await writeAudit(tx, {
      actorUserId: actor.userId,
      action: "calendar.addLeave",
      entity: "LeaveDay",
      entityId: data.date,
      ip: actor.ip ?? null,
      changes: data,
    });
    return row;
  });
}

export async function removeLeaveDay(db: Db, actor: { userId: string; ip?: string | null }, day: string) {
  const date = z.iso.date().parse(day);
  return db.$transaction(async (tx) => {
    const { count } = await tx.leaveDay.deleteMany({ where: { date: asDate(date) } });
    if (count === 0) throw new DomainError("NOT_FOUND", "error.notFound");
    await writeAudit(tx, { actorUserId: actor.userId, action: "calendar.removeLeave", entity: "LeaveDay", entityId: date, ip: actor.ip ?? null });
  });
}
