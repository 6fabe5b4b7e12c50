// Phone numbers, NIPs and emails, as Indonesian agency contacts type them.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";

/** Normalises an Indonesian phone number to E.164 (+62…), or returns null when it is not one. */
export function normalisePhone(input: string): string | null {
  const raw = input.trim();
  if (!/^[+\d\s().-]{6,24}$/.test(raw)) return null;
  const parsed = parsePhoneNumberFromString(raw, "ID");
  if (parsed?.countryCallingCode !== "62" || !parsed.isValid()) return null;
  return parsed.number;
}

export const phoneSchema = z.string().transform((v, ctx) => {
  const phone = normalisePhone(v);
  if (!phone) {
    ctx.addIssue({ code: "custom", message: "invalid_phone" });
    return z.NEVER;
  }
  return phone;
});

/**
 * NIP (Nomor Induk Pegawai): 18 digits, commonly written with spaces
 * (e.g. "19850101 201001 1 001"): birth date (8), appointment year and month (6; PPPK
 * contract staff have the code 21 instead of a month), sex code 1 or 2, and a sequence number.
 */
export function normaliseNip(input: string, now: Date = new Date()): string | null {
  const digits = input.replace(/[\s.-]/g, "");
  if (!/^\d{18}$/.test(digits)) return null;
  const year = Number(digits.slice(0, 4));
  const month = Number(digits.slice(4, 6));
  const day = Number(digits.slice(6, 8));
  const hiredYear = Number(digits.slice(8, 12));
  const hiredMonth = Number(digits.slice(12, 14));
  const sex = digits[14];
  const birth = new Date(Date.UTC(year, month - 1, day));
  // A real calendar date (no 31 February), of someone old enough to have been appointed.
  if (birth.getUTCFullYear() !== year || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day) return null;
  if (year < 1940 || hiredYear < year + 15 || hiredYear > now.getUTCFullYear() + 1) return null;
  if (!((hiredMonth >= 1 && hiredMonth <= 12) || hiredMonth === 21) || (sex !== "1" && sex !== "2")) return null;
  if (digits.slice(15) === "000") return null;
  return digits;
}

export const nipSchema = z.string().transform((v, ctx) => {
  const nip = normaliseNip(v);
  if (!nip) {
    ctx.addIssue({ code: "custom", message: "invalid_nip" });
    return z.NEVER;
  }
  return nip;
});

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: "invalid_email" }).max(254, { message: "too_long" }));

/** Masks personal data for logs: +62812****7890, a***@x.go.id. */
export function maskPhone(phone: string): string {
  return phone.length <= 6 ? "***" : `${phone.slice(0, 5)}****${phone.slice(-3)}`;
}
export function maskEmail(email: string): string {
  const [user = "", domain = ""] = email.split("@");
  return `${user.slice(0, 1)}***@${domain}`;
}
