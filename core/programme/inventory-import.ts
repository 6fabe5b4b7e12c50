// Inventaris kegiatan statistik from a spreadsheet: every row is checked and shown first (new,
// unchanged, changed, or refused with the reason), then applied all-or-nothing. Rows are keyed by
// (instansi, judul, unit produsen), so importing the same file twice changes nothing.
import type ExcelJS from "exceljs";
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { loadExcel } from "../runtime/libraries.js";
import { audited, type ProgrammeActor, requireOffice } from "./access.js";
import { COLLECTION_METHODS, DATA_USES } from "./reference.js";
import { inventorySchema } from "./validation.js";

/** The seed's table columns, in order (column A is "No"). */
export const INVENTORY_COLUMNS = [
  "No",
  "Instansi",
  "Judul Kegiatan Statistik",
  "Periode Kegiatan",
  "Waktu Kegiatan Terakhir",
  "Unit Kerja Produsen Data",
  "Cara Pengumpulan Data",
  "Data/Indikator Utama yang Dihasilkan",
  "Data Prioritas (1 Ya, 2 Tidak)",
  "Pemanfaatan Data",
] as const;

const FIELDS = ["title", "period", "lastHeld", "producerUnit", "method", "mainIndicator", "priority", "dataUse"] as const;

export type PreviewRow =
  | { line: number; agency: string; status: "new" | "same" | "changed"; agencyId: string; data: ReturnType<typeof inventorySchema.parse>; changed: string[] }
  | { line: number; agency: string; status: "error"; problems: string[] };

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") {
    if (v instanceof Date) return String(v.getUTCFullYear());
    if ("richText" in v) return v.richText.map((r) => r.text).join("");
    if ("result" in v) return cellText(v.result as ExcelJS.CellValue);
    if ("text" in v) return String(v.text);
  }
  return String(v);
}

/** Reads the first sheet: the header row is found by its "Judul Kegiatan Statistik" cell. */
export async function readInventorySheet(bytes: Buffer) {
  const wb = new (await loadExcel()).Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new DomainError("VALIDATION", "admin.programme.import.unreadable");
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new DomainError("VALIDATION", "admin.programme.import.unreadable");
  let header = 0;
  ws.eachRow((row, n) => {
    if (!header && row.values && (row.values as ExcelJS.CellValue[]).some((v) => cellText(v).trim().toLowerCase() === "judul kegiatan statistik")) header = n;
  });
  if (!header) throw new DomainError("VALIDATION", "admin.programme.import.noHeader");
  const rows: { line: number; cells: string[] }[] = [];
  for (let n = header + 1; n <= ws.rowCount; n++) {
    const row = ws.getRow(n);
    const cells = Array.from({ length: 10 }, (_, i) => cellText(row.getCell(i + 1).value).trim());
    if (cells.slice(1).every((c) => c === "")) continue;
    rows.push({ line: n, cells });
    if (rows.length > 5000) throw new DomainError("VALIDATION", "admin.programme.import.tooMany");
  }
  return rows;
}

/** Checks every row against the office's agencies and what is already stored. */
export async function previewInventoryImport(db: Db, actor: ProgrammeActor, officeId: string, bytes: Buffer): Promise<PreviewRow[]> {
  await requireOffice(db, actor, "programme.manage", officeId);
  const rows = await readInventorySheet(bytes);
  const agencies = await db.agency.findMany({ where: { officeId }, select: { id: true, name: true } });
  const byName = new Map(agencies.map((a) => [a.name.trim().toLowerCase(), a.id]));
  const existing = await db.inventoryItem.findMany({ where: { agencyId: { in: agencies.map((a) => a.id) } } });
  const byKey = new Map(existing.map((e) => [`${e.agencyId}|${e.title}|${e.producerUnit}`, e]));
  const seen = new Set<string>();
  return rows.map(({ line, cells }) => {
    const agencyName = cells[1] ?? "";
    const agencyId = byName.get(agencyName.toLowerCase());
    const parsed = inventorySchema.safeParse({
      title: cells[2],
      period: cells[3],
      lastHeld: cells[4],
      producerUnit: cells[5],
      method: cells[6],
      mainIndicator: cells[7],
      priority: cells[8],
      dataUse: cells[9],
    });
    const problems: string[] = [];
    if (!agencyId) problems.push("agency");
    if (!parsed.success) for (const issue of parsed.error.issues) problems.push(String(issue.path[0] ?? "row"));
    if (problems.length || !agencyId || !parsed.success) return { line, agency: agencyName, status: "error" as const, problems: [...new Set(problems)] };
    const key = `${agencyId}|${parsed.data.title}|${parsed.data.producerUnit}`;
    if (seen.has(key)) return { line, agency: agencyName, status: "error" as const, problems: ["duplicate"] };
    seen.add(key);
    const before = byKey.get(key);
    const changed = before ? FIELDS.filter((f) => before[f] !== parsed.data[f]) : [];
    const status = !before ? "new" : changed.length ? "changed" : "same";
    return { line, agency: agencyName, status, agencyId, data: parsed.data, changed };
  });
}

/** Applies a preview with no refused row, in one transaction; unchanged rows are not touched. */
export async function applyInventoryImport(db: Db, actor: ProgrammeActor, officeId: string, bytes: Buffer) {
  const preview = await previewInventoryImport(db, actor, officeId, bytes);
  if (preview.some((r) => r.status === "error")) throw new DomainError("VALIDATION", "admin.programme.import.hasErrors");
  const counts = { created: 0, updated: 0, unchanged: 0 };
  await audited(db, actor, { action: "inventory.import", entity: "Office" }, async (tx) => {
    for (const r of preview) {
      if (r.status === "error") continue;
      if (r.status === "same") counts.unchanged++;
      else if (r.status === "new") {
        await tx.inventoryItem.create({ data: { ...r.data, agencyId: r.agencyId } });
        counts.created++;
      } else {
        await tx.inventoryItem.update({
          where: { agencyId_title_producerUnit: { agencyId: r.agencyId, title: r.data.title, producerUnit: r.data.producerUnit } },
          data: r.data,
        });
        counts.updated++;
      }
    }
    return { result: null, entityId: officeId, changes: counts };
  });
  return counts;
}

/** An empty sheet with the columns (and the numbered choices as a reminder). */
export async function inventoryTemplate(): Promise<Buffer> {
  const wb = new (await loadExcel()).Workbook();
  const ws = wb.addWorksheet("Inventaris");
  ws.addRow([...INVENTORY_COLUMNS]).font = { bold: true };
  ws.columns.forEach((c, i) => {
    c.width = i === 0 ? 5 : 28;
  });
  const help = wb.addWorksheet("Kode");
  help.addRow(["Cara Pengumpulan Data"]).font = { bold: true };
  for (const [i, m] of COLLECTION_METHODS.entries()) help.addRow([i + 1, m.id]);
  help.addRow([]);
  help.addRow(["Pemanfaatan Data"]).font = { bold: true };
  for (const [i, m] of DATA_USES.entries()) help.addRow([i + 1, m.id]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
