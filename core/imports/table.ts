// Reading an uploaded CSV or XLSX into a header and rows of plain text, and writing them back.
// Refused with a clear reason: not CSV/XLSX, empty, a formula anywhere (its stored result may be
// stale and it would import what a spreadsheet computed, not what a person typed), a number
// too long to be exact (an 18-digit NIP typed as a number has already lost its last digits).
import { loadExcel, loadFileType } from "../runtime/libraries.js";

export type TableProblem = "empty" | "bad_type" | "formula" | "inexact_number" | "too_many_rows" | "bad_encoding";
export type ReadTable = { ok: true; header: string[]; rows: string[][]; format: "csv" | "xlsx" } | { ok: false; problem: TableProblem; cell?: string };

export const MAX_ROWS = 5000;
const XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/** A header cell as a comparable key: "Kode Kantor" → "kode_kantor", "E-mail" → "email". */
export const headerKey = (h: string) =>
  h
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\*/g, "")
    .replace(/e-mail/g, "email")
    .trim()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

/** RFC 4180 CSV, with the delimiter Excel used (comma or semicolon, from the header line). */
export function parseCsv(text: string): string[][] {
  const body = text.replace(/^\uFEFF/, "");
  const firstLine = body.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ";" : ",";
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

const columnName = (n: number): string => (n <= 0 ? "" : columnName(Math.floor((n - 1) / 26)) + String.fromCharCode(65 + ((n - 1) % 26)));

async function readXlsx(bytes: Buffer): Promise<ReadTable> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0];
  if (!sheet) return { ok: false, problem: "empty" };
  const rows: string[][] = [];
  let problem: { problem: TableProblem; cell: string } | null = null;
  sheet.eachRow({ includeEmpty: true }, (r, rowNumber) => {
    if (problem) return;
    const out: string[] = [];
    r.eachCell({ includeEmpty: true }, (cell, col) => {
      if (problem) return;
      const where = `${columnName(col)}${rowNumber}`;
      const v = cell.value;
      if (cell.type === ExcelJS.ValueType.Formula || cell.formula || (v && typeof v === "object" && ("formula" in v || "sharedFormula" in v))) {
        problem = { problem: "formula", cell: where };
        return;
      }
      let text = "";
      if (v === null || v === undefined) text = "";
      else if (typeof v === "number") {
        if (!Number.isSafeInteger(v) && Number.isInteger(v)) problem = { problem: "inexact_number", cell: where };
        text = String(v);
      } else if (typeof v === "string") text = v;
      else if (typeof v === "boolean") text = v ? "TRUE" : "FALSE";
      else if (v instanceof Date) text = v.toISOString().slice(0, 10);
      else if (typeof v === "object" && "richText" in v) text = v.richText.map((p) => p.text).join("");
      else if (typeof v === "object" && "text" in v) text = String(v.text);
      else text = String(cell.text ?? "");
      out[col - 1] = text;
    });
    rows[rowNumber - 1] = Array.from(out, (c) => c ?? "");
  });
  if (problem) return { ok: false, ...(problem as { problem: TableProblem; cell: string }) };
  return finish(
    Array.from(rows, (r) => r ?? []),
    "xlsx",
  );
}

function finish(all: string[][], format: "csv" | "xlsx"): ReadTable {
  const rows = all.map((r) => r.map((c) => c.trim())).filter((r) => r.some((c) => c !== ""));
  const [header, ...data] = rows;
  if (!header || data.length === 0) return { ok: false, problem: "empty" };
  if (data.length > MAX_ROWS) return { ok: false, problem: "too_many_rows" };
  return { ok: true, header, rows: data, format };
}

/** Reads an upload: XLSX when its bytes say so, else UTF-8 CSV text. */
export async function readTable(bytes: Buffer): Promise<ReadTable> {
  if (bytes.length === 0) return { ok: false, problem: "empty" };
  const type = await (await loadFileType()).fileTypeFromBuffer(bytes);
  if (type?.mime === XLSX_MIME) {
    try {
      return await readXlsx(bytes);
    } catch {
      return { ok: false, problem: "bad_type" };
    }
  }
  if (type) return { ok: false, problem: "bad_type" }; // a PDF, an image, an old .xls …
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (text.includes("\u0000")) return { ok: false, problem: "bad_type" };
  if (text.includes("\uFFFD")) return { ok: false, problem: "bad_encoding" };
  return finish(parseCsv(text), "csv");
}

/** CSV text (UTF-8 with BOM so Excel reads it) that readTable() reads back unchanged. */
export function writeCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (c: string) => (/[",;\r\n]/.test(c) || /^\s|\s$/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return `\uFEFF${[header, ...rows].map((r) => r.map(esc).join(",")).join("\r\n")}\r\n`;
}

/** An XLSX workbook with every cell as text (so NIPs and phone numbers stay exact). */
export async function writeXlsx(sheetName: string, header: readonly string[], rows: readonly (readonly string[])[]): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  ws.addRow([...header]).font = { bold: true };
  for (const r of rows) ws.addRow([...r]);
  ws.columns.forEach((c) => {
    c.numFmt = "@";
    c.width = 22;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
