// Working days in Indonesia: Monday to Friday, minus national public holidays (bundled,
// generated from date-holidays) and cuti bersama (collective leave, set by decree each year and
// kept by admins in the panel). Days are judged on the office's own wall clock: 23:30 WIB on a
// Friday is already Saturday 01:30 in a WIT office.
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { Db, Tx } from "../db/client.js";
import type { TimeZone } from "../db/generated/enums.js";
import { TIME_ZONES } from "../reference/index.js";

const fileSchema = z.object({
  source: z.string(),
  years: z.string(),
  holidays: z.array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), name: z.string() })),
});

let bundled: Map<string, string> | undefined;
/** National public holidays by date (YYYY-MM-DD). */
export function nationalHolidays(): Map<string, string> {
  bundled ??= new Map(fileSchema.parse(JSON.parse(readFileSync(new URL("./holidays-id.json", import.meta.url), "utf8"))).holidays.map((h) => [h.date, h.name]));
  return bundled;
}

export interface Calendar {
  /** Days off besides weekends: national holidays and cuti bersama (YYYY-MM-DD). */
  isDayOff(date: string): boolean;
}

export const calendarOf = (leaveDays: Iterable<string> = []): Calendar => {
  const leave = new Set(leaveDays);
  const holidays = nationalHolidays();
  return { isDayOff: (d) => holidays.has(d) || leave.has(d) };
};

/** The calendar with the cuti bersama days admins have entered. */
export async function loadCalendar(db: Db | Tx): Promise<Calendar> {
  const rows = await db.leaveDay.findMany({ select: { date: true } });
  return calendarOf(rows.map((r) => r.date.toISOString().slice(0, 10)));
}

const offsetOf = (zone: TimeZone | number) => (typeof zone === "number" ? zone : TIME_ZONES[zone].offsetMinutes) * 60_000;
const dayKey = (d: Date) => d.toISOString().slice(0, 10);

export function isWorkingDay(localMidnight: Date, calendar: Calendar): boolean {
  const wd = localMidnight.getUTCDay();
  return wd !== 0 && wd !== 6 && !calendar.isDayOff(dayKey(localMidnight));
}

/** Adds working days, keeping the time of day, counted on the zone's wall clock. */
export function addWorkingDays(from: Date, days: number, zone: TimeZone | number, calendar: Calendar = calendarOf()): Date {
  const shift = offsetOf(zone);
  const d = new Date(from.getTime() + shift);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (isWorkingDay(d, calendar)) left--;
  }
  return new Date(d.getTime() - shift);
}

/** Working days between two instants, on the zone's wall clock (the supervisor's queue age). */
export function workingDaysBetween(from: Date, to: Date, zone: TimeZone | number, calendar: Calendar = calendarOf()): number {
  const shift = offsetOf(zone);
  const a = new Date(from.getTime() + shift);
  const b = new Date(to.getTime() + shift);
  let n = 0;
  const d = new Date(Date.UTC(a.getUTCFullYear(), a.getUTCMonth(), a.getUTCDate()));
  const end = Date.UTC(b.getUTCFullYear(), b.getUTCMonth(), b.getUTCDate());
  while (d.getTime() < end) {
    d.setUTCDate(d.getUTCDate() + 1);
    if (isWorkingDay(d, calendar)) n++;
  }
  return n;
}

/** The first working moment at or after `at` (a reminder that would fall on a day off moves on). */
export function nextWorkingTime(at: Date, zone: TimeZone | number, calendar: Calendar = calendarOf()): Date {
  const shift = offsetOf(zone);
  const d = new Date(at.getTime() + shift);
  while (!isWorkingDay(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())), calendar)) d.setUTCDate(d.getUTCDate() + 1);
  return new Date(d.getTime() - shift);
}
