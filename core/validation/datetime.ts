// Dates and times as people type them in chat ("12/01/2027 09:00", "12-1-2027 9.00",
// "12 Januari 2027 pukul 09.30"), read in the handling office's time zone.
import type { TimeZone } from "../db/generated/enums.js";
import { TIME_ZONES } from "../reference/index.js";

const MONTHS: Record<string, number> = {
  jan: 1,
  januari: 1,
  january: 1,
  feb: 2,
  februari: 2,
  february: 2,
  mar: 3,
  maret: 3,
  march: 3,
  apr: 4,
  april: 4,
  mei: 5,
  may: 5,
  jun: 6,
  juni: 6,
  june: 6,
  jul: 7,
  juli: 7,
  july: 7,
  agu: 8,
  agt: 8,
  agus: 8,
  agustus: 8,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  okt: 10,
  oktober: 10,
  oct: 10,
  october: 10,
  nov: 11,
  nopember: 11,
  november: 11,
  des: 12,
  desember: 12,
  dec: 12,
  december: 12,
};

export type DateTimeError = "invalid_datetime" | "missing_time" | "in_past" | "too_far" | "invalid_duration" | "end_before_start";
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: DateTimeError };

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const zoneOf = (text: string): TimeZone | null => {
  const m = /\b(WIB|WITA|WIT)\b/i.exec(text);
  return m ? (m[1]!.toUpperCase() as TimeZone) : null;
};

function parseTime(text: string): { hour: number; minute: number } | null {
  const m = /^(?:pukul|jam|pkl\.?|at)?\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:WIB|WITA|WIT)?$/i.exec(text.trim());
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  if (hour > 23 || minute > 59) return null;
  return { hour, minute };
}

function parseDate(text: string): { year: number; month: number; day: number } | null {
  const t = text.trim().toLowerCase().replace(/,/g, " ").replace(/\s+/g, " ");
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  if (m) return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(t);
  if (m) return { day: Number(m[1]), month: Number(m[2]), year: fullYear(m[3]!) };
  m = /^(?:[a-z]+ )?(\d{1,2}) ([a-z]+)\.? (\d{4})$/.exec(t); // "Senin 12 Januari 2027"
  if (m && MONTHS[m[2]!] !== undefined) return { day: Number(m[1]), month: MONTHS[m[2]!]!, year: Number(m[3]) };
  return null;
}

const fullYear = (y: string) => (y.length === 2 ? 2000 + Number(y) : Number(y));

function splitDateAndTime(text: string): { date: string; time: string | null } {
  const t = text.trim().replace(/\s+/g, " ");
  const m = /^(.*?)(?:\s*(?:,|\bpukul\b|\bpkl\.?|\bjam\b|\bat\b))?\s+((?:\d{1,2})(?:[:.]\d{2})?(?:\s*(?:WIB|WITA|WIT))?)$/i.exec(t);
  if (m && parseDate(m[1]!.replace(/\s*(pukul|pkl\.?|jam|at|,)\s*$/i, "")) && parseTime(m[2]!)) {
    return { date: m[1]!.replace(/\s*(pukul|pkl\.?|jam|at|,)\s*$/i, ""), time: m[2]! };
  }
  return { date: t, time: null };
}

function validParts(p: LocalParts): boolean {
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day));
  return d.getUTCFullYear() === p.year && d.getUTCMonth() === p.month - 1 && d.getUTCDate() === p.day;
}

/** The UTC instant of a wall-clock time in an Indonesian time zone. */
export function fromLocal(p: LocalParts, zone: TimeZone): Date {
  return new Date(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - TIME_ZONES[zone].offsetMinutes * 60_000);
}

/** The wall-clock parts of an instant in an Indonesian time zone. */
export function toLocal(instant: Date, zone: TimeZone): LocalParts {
  const shifted = new Date(instant.getTime() + TIME_ZONES[zone].offsetMinutes * 60_000);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "12/01/2027 09:00 WIB", the format of the SPEKTRAL assignment notice. */
export function formatDateTime(instant: Date, zone: TimeZone): string {
  const p = toLocal(instant, zone);
  return `${pad(p.day)}/${pad(p.month)}/${p.year} ${pad(p.hour)}:${pad(p.minute)} ${zone}`;
}
export function formatDate(instant: Date, zone: TimeZone): string {
  const p = toLocal(instant, zone);
  return `${pad(p.day)}/${pad(p.month)}/${p.year}`;
}
export function formatTime(instant: Date, zone: TimeZone): string {
  const p = toLocal(instant, zone);
  return `${pad(p.hour)}:${pad(p.minute)} ${zone}`;
}

const MAX_AHEAD_MS = 2 * 366 * 24 * 3600_000;

/**
 * Parses a start date and time. The zone is the office's, unless the person typed WIB/WITA/WIT.
 * Rejects times in the past and more than two years ahead.
 */
export function parseStart(text: string, officeZone: TimeZone, now: Date = new Date()): Parsed<Date> {
  const zone = zoneOf(text) ?? officeZone;
  const { date, time } = splitDateAndTime(text);
  const d = parseDate(date);
  if (!d) return { ok: false, error: "invalid_datetime" };
  if (!time) return { ok: false, error: "missing_time" };
  const t = parseTime(time);
  if (!t) return { ok: false, error: "invalid_datetime" };
  const parts = { ...d, ...t };
  if (!validParts(parts)) return { ok: false, error: "invalid_datetime" };
  const instant = fromLocal(parts, zone);
  if (instant.getTime() <= now.getTime()) return { ok: false, error: "in_past" };
  if (instant.getTime() - now.getTime() > MAX_AHEAD_MS) return { ok: false, error: "too_far" };
  return { ok: true, value: instant };
}

const HOURS_PER_UNIT: Record<string, number> = {
  jam: 1,
  j: 1,
  hour: 1,
  hours: 1,
  hr: 1,
  hrs: 1,
  h: 1,
  menit: 1 / 60,
  mnt: 1 / 60,
  minute: 1 / 60,
  minutes: 1 / 60,
  min: 1 / 60,
  m: 1 / 60,
};

/**
 * A duration in days ("1 hari", "2 days") is ambiguous: a working day of 8 hours, or until
 * the same time the next day? The reading is shown to the person to confirm.
 */
export function isDayDuration(text: string): boolean {
  return /^\s*\d+(?:[.,]\d+)? ?(?:hari|days?)\s*$/i.test(text);
}

/**
 * Parses how long a coaching lasts: a duration ("2 jam", "90 menit", "1,5 jam", "2 hari"),
 * an end time on the same day ("15:00", "sampai 15.30") or a full end date and time.
 */
export function parseEnd(text: string, start: Date, officeZone: TimeZone): Parsed<Date> {
  const t = text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, " ")
    .replace(/^(?:(?:sampai(?: dengan)?|hingga|until|to|selesai|sd)\s+|(?:s\/d|s\.d\.?|-)\s*)/, "");
  const mixed = /^(\d{1,2}) ?(?:jam|j|hours?|hrs?|h) ?(\d{1,3}) ?(?:menit|mnt|minutes?|min|m)$/.exec(t); // "1 jam 30 menit"
  if (mixed) {
    const minutes = Number(mixed[1]) * 60 + Number(mixed[2]);
    if (minutes < 15 || minutes > 24 * 60) return { ok: false, error: "invalid_duration" };
    return { ok: true, value: new Date(start.getTime() + minutes * 60_000) };
  }
  const dur = /^(\d+(?:[.,]\d+)?) ?([a-z]+)$/.exec(t);
  if (dur) {
    const amount = Number(dur[1]!.replace(",", "."));
    const unit = dur[2]!;
    let end: Date | null = null;
    if (unit === "hari" || unit === "day" || unit === "days") {
      if (!Number.isInteger(amount) || amount < 1 || amount > 14) return { ok: false, error: "invalid_duration" };
      end = new Date(start.getTime() + (amount - 1) * 24 * 3600_000 + 8 * 3600_000);
    } else if (HOURS_PER_UNIT[unit] !== undefined) {
      const hours = amount * HOURS_PER_UNIT[unit]!;
      if (hours < 0.25 || hours > 24) return { ok: false, error: "invalid_duration" };
      end = new Date(start.getTime() + Math.round(hours * 60) * 60_000);
    }
    if (end) return { ok: true, value: end };
  }
  const sameDay = parseTime(t);
  if (sameDay) {
    const s = toLocal(start, officeZone);
    const end = fromLocal({ ...s, ...sameDay }, zoneOf(t) ?? officeZone);
    return end > start ? { ok: true, value: end } : { ok: false, error: "end_before_start" };
  }
  const full = parseStart(t, officeZone, start);
  if (full.ok) {
    if (full.value.getTime() - start.getTime() > 14 * 24 * 3600_000) return { ok: false, error: "invalid_duration" };
    return full;
  }
  return { ok: false, error: full.error === "in_past" ? "end_before_start" : "invalid_duration" };
}
