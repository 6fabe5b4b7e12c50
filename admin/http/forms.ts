// Reading HTML form bodies: strings, checkbox arrays, and zod issues turned into field messages.
import type { z } from "zod";
import { hasMessage, type MessageKey } from "../../core/messages/index.js";

export type FormBody = Record<string, unknown>;

/** One field as a string (multipart fields arrive as { value }). */
export function str(body: FormBody | undefined, key: string): string {
  const v = body?.[key];
  const one = Array.isArray(v) ? v[0] : v;
  if (one && typeof one === "object" && "value" in one) return String((one as { value: unknown }).value ?? "");
  return typeof one === "string" ? one : one === undefined || one === null ? "" : String(one);
}

/** A repeated field (checkboxes, multi-selects) as a string array. */
export function list(body: FormBody | undefined, key: string): string[] {
  const v = body?.[key];
  const items = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return items.map((i) => (i && typeof i === "object" && "value" in i ? String((i as { value: unknown }).value) : String(i))).filter((s) => s !== "");
}

export const bool = (body: FormBody | undefined, key: string) => ["on", "true", "1", "yes"].includes(str(body, key));

/** zod issues → { field: message key } (first issue per field). */
export function fieldErrors(error: z.ZodError): Record<string, MessageKey> {
  const out: Record<string, MessageKey> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "_");
    if (out[field]) continue;
    const key = `invalid.${issue.message}`;
    out[field] = hasMessage(key) ? key : "invalid.generic";
  }
  return out;
}

/** Query-string values as a plain record of strings (first value wins). */
export function queryOf(query: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) {
    const one = Array.isArray(v) ? v[0] : v;
    if (typeof one === "string") out[k] = one;
  }
  return out;
}

/** Builds a query string from the non-empty values. */
export function qs(params: Record<string, string | number | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : "";
}
