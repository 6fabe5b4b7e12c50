// Column specs shared by the staff and agency imports: header names with their accepted
// spellings, and per-cell checks that say which cell is wrong and why (a message key).
import type { z } from "zod";
import type { MessageKey } from "../messages/index.js";
import { headerKey } from "./table.js";

export interface Column<K extends string> {
  key: K;
  /** The header written by exports and templates. */
  header: string;
  /** Other spellings people use (compared by headerKey). */
  aliases?: readonly string[];
  required: boolean;
}

export type HeaderCheck<K extends string> =
  | { ok: true; index: Partial<Record<K, number>> }
  | { ok: false; problem: "missing" | "unknown" | "duplicate"; column: string };

/** Maps header cells to column keys; a missing required column or an unknown one is refused. */
export function matchHeader<K extends string>(columns: readonly Column<K>[], header: readonly string[]): HeaderCheck<K> {
  const byKey = new Map<string, K>();
  for (const c of columns) for (const name of [c.header, c.key, ...(c.aliases ?? [])]) byKey.set(headerKey(name), c.key);
  const index: Partial<Record<K, number>> = {};
  for (const [i, cell] of header.entries()) {
    const key = byKey.get(headerKey(cell));
    if (!key) return { ok: false, problem: "unknown", column: cell };
    if (index[key] !== undefined) return { ok: false, problem: "duplicate", column: cell };
    index[key] = i;
  }
  const missing = columns.find((c) => c.required && index[c.key] === undefined);
  if (missing) return { ok: false, problem: "missing", column: missing.header };
  return { ok: true, index };
}

export interface CellError {
  column: string;
  key: MessageKey;
  params?: Record<string, string | number>;
}

export type Verdict = "new" | "update" | "unchanged" | "error";

export interface RowVerdict<D> {
  /** The spreadsheet's row number (the header is row 1). */
  line: number;
  verdict: Verdict;
  errors: CellError[];
  /** Human-readable values for the preview. */
  cells: string[];
  data: D | null;
  changes?: string[];
}

/** The message key of a zod issue on a cell ("invalid_email" → invalid.invalid_email). */
export function issueKey(error: z.ZodError): MessageKey {
  const m = error.issues[0]?.message ?? "generic";
  return (["invalid_phone", "invalid_nip", "invalid_email", "too_short", "too_long"].includes(m) ? `invalid.${m}` : "invalid.generic") as MessageKey;
}
