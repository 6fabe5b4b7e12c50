// Text cleaning shared by every input boundary: no control characters, bounded length.
import { z } from "zod";

// C0/C1 control characters except tab and newline, plus bidi overrides and zero-width joiners misuse.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/g;

/** Strips control characters, normalises line endings and trims. */
export function cleanText(input: string): string {
  return input.normalize("NFC").replace(/\r\n?/g, "\n").replace(CONTROL, "").trim();
}

/** Collapses all whitespace to single spaces (for one-line fields such as names). */
export const oneLine = (input: string) => cleanText(input).replace(/\s+/g, " ");

/** A bounded, cleaned single-line text field. */
export const lineText = (min: number, max: number) =>
  z
    .string()
    .transform(oneLine)
    .pipe(z.string().min(min, { message: "too_short" }).max(max, { message: "too_long" }));

/** A bounded, cleaned multi-line text field. */
export const longText = (min: number, max: number) =>
  z
    .string()
    .transform(cleanText)
    .pipe(z.string().min(min, { message: "too_short" }).max(max, { message: "too_long" }));

export const LIMITS = {
  name: 100,
  agency: 200,
  description: 2000,
  location: 300,
  reason: 1000,
  testimonial: 1000,
  message: 2000,
  /** What we keep of any raw chat message before parsing it. */
  rawMessage: 4000,
} as const;

/** Truncates raw inbound chat text to a safe size before anything else reads it. */
export const boundRaw = (text: string) => cleanText(text.slice(0, LIMITS.rawMessage * 2)).slice(0, LIMITS.rawMessage);
