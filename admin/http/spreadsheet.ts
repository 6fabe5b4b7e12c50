// Exports people can open: XLSX with typed cells (dates as dates in the office's clock, numbers as
// numbers, phone numbers and codes as text), a frozen header row and column widths; CSV for
// Indonesian-locale Excel (";" between fields, UTF-8 with a BOM), "," on request.
import type { TimeZone } from "../../core/db/generated/enums.js";
import { TIME_ZONES } from "../../core/reference/index.js";
import { loadExcel } from "../../core/runtime/libraries.js";
import { formatDateTime } from "../../core/validation/datetime.js";

export type Cell = string | number | Date | null;

export interface Column<R> {
  header: string;
  /** Width in characters. */
  width: number;
  get(row: R): Cell;
}

/** A date as the office's wall clock, for a spreadsheet cell (spreadsheets have no time zones). */
export const wallClock = (instant: Date, zone: TimeZone) => new Date(instant.getTime() + TIME_ZONES[zone].offsetMinutes * 60_000);

const DATE_FORMAT = "dd/mm/yyyy hh:mm";

/** One sheet: bold, frozen header with a filter; dates formatted; text stays text (no leading apostrophe). */
export async function xlsxOf<R>(sheetName: string, columns: readonly Column<R>[], rows: AsyncIterable<R> | Iterable<R>, zone: TimeZone): Promise<Buffer> {
  const book = new (await loadExcel()).Workbook();
  book.creator = "Sibina";
  const sheet = book.addWorksheet(sheetName.slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((c, i) => ({ header: c.header, key: String(i), width: c.width }));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  for await (const row of rows) {
    const added = sheet.addRow(
      columns.map((c) => {
        const v = c.get(row);
        return v instanceof Date ? wallClock(v, zone) : v;
      }),
    );
    added.eachCell((cell) => {
      if (cell.value instanceof Date) cell.numFmt = DATE_FORMAT;
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

export type CsvSeparator = ";" | ",";

// Cells that start with = + - @ are read as formulas by spreadsheets: neutralised in CSV, where
// every cell is text anyway (XLSX cells are typed and need no such prefix).
function csvCell(v: Cell, sep: CsvSeparator, zone: TimeZone): string {
  const text = v === null ? "" : v instanceof Date ? formatDateTime(v, zone).replace(/ \w+$/, "") : typeof v === "number" ? String(v) : v;
  const safe = typeof v === "string" && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return safe.includes(sep) || /["\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV lines, the first with the BOM (Excel then reads UTF-8); dates on the office's clock. */
export async function* csvLines<R>(columns: readonly Column<R>[], rows: AsyncIterable<R> | Iterable<R>, sep: CsvSeparator, zone: TimeZone) {
  yield `\uFEFF${columns.map((c) => csvCell(c.header, sep, zone)).join(sep)}\r\n`;
  for await (const r of rows) yield `${columns.map((c) => csvCell(c.get(r), sep, zone)).join(sep)}\r\n`;
}

/** ";" unless the person asked for "," (Excel outside the Indonesian locale). */
export const separatorOf = (query: unknown): CsvSeparator => ((query as { sep?: unknown } | null)?.sep === "comma" ? "," : ";");
