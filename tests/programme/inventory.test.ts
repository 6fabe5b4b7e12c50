// Inventaris kegiatan statistik from XLSX: a per-row preview, then all-or-nothing; the same file
// twice changes nothing; a refused row saves nothing; and numbered choices read as the seed's table.
import ExcelJS from "exceljs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ZodError } from "zod";
import { applyInventoryImport, INVENTORY_COLUMNS, inventoryTemplate, previewInventoryImport } from "../../core/programme/inventory-import.js";
import { contactStatus, updateContact } from "../../core/programme/loci.js";
import { importIpsScores } from "../../core/programme/monev.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, codeOf, makeUser, seedOffices } from "../helpers/fixtures.js";

let t: TestDb;
let riauId = "";
let pekanbaruId = "";
let sup: ReturnType<typeof actorOf>;
let coachPku: ReturnType<typeof actorOf>;
let agencyId = "";

beforeAll(async () => {
  t = await createTestDb();
  const o = await seedOffices(t.db);
  riauId = o.riau.id;
  pekanbaruId = o.pekanbaru.id;
  sup = actorOf(await makeUser(t.db, riauId, ["SUPERVISOR"]));
  coachPku = actorOf(await makeUser(t.db, pekanbaruId, ["COACH"]));
  agencyId = (await t.db.agency.create({ data: { name: "Kejaksaan Tinggi Riau", level: "PROVINCE", officeId: riauId } })).id;
});
afterAll(async () => t?.drop());

async function sheet(rows: (string | number)[][]) {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Inventaris");
  ws.addRow(["Identifikasi kegiatan statistik"]);
  ws.addRow([...INVENTORY_COLUMNS]);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const ROWS = [
  [1, "Kejaksaan Tinggi Riau", "Kompilasi Data Kepegawaian", "Tahunan", 2023, "Bagian Kepegawaian", "3", "Jumlah jaksa", "1", "3"],
  [2, "kejaksaan tinggi riau", "Survei Kepuasan Layanan", "Tahunan", "2024", "Bidang Pembinaan", "2. Survei", "Indeks kepuasan", "Tidak", "1"],
];

it("previews every row, applies all at once, and a second import changes nothing", async () => {
  const file = await sheet(ROWS);
  const first = await previewInventoryImport(t.db, sup, riauId, file);
  expect(first.map((r) => r.status)).toEqual(["new", "new"]);
  expect(first[0]).toMatchObject({ line: 3, data: { method: "ADMINISTRATIVE", priority: true, dataUse: "OPEN", lastHeld: "2023" } });
  expect(first[1]).toMatchObject({ data: { method: "SURVEY", priority: false, dataUse: "INTERNAL" } });
  expect(await applyInventoryImport(t.db, sup, riauId, file)).toEqual({ created: 2, updated: 0, unchanged: 0 });
  const before = await t.db.inventoryItem.findMany({ orderBy: { title: "asc" } });
  const audits = await t.db.auditLog.count({ where: { action: "inventory.import" } });

  expect((await previewInventoryImport(t.db, sup, riauId, file)).map((r) => r.status)).toEqual(["same", "same"]);
  expect(await applyInventoryImport(t.db, sup, riauId, file)).toEqual({ created: 0, updated: 0, unchanged: 2 });
  expect(await t.db.inventoryItem.findMany({ orderBy: { title: "asc" } })).toEqual(before);
  expect(await t.db.auditLog.count({ where: { action: "inventory.import" } })).toBe(audits + 1);
});

it("refuses the whole file when one row is wrong, saving nothing", async () => {
  const file = await sheet([
    [1, "Kejaksaan Tinggi Riau", "Statistik Perkara Pidana", "Bulanan", 2025, "Bidang Pidum", "1", "Jumlah perkara", "1", "2"],
    [2, "Instansi Tak Dikenal", "Survei Lain", "Tahunan", 2025, "Bagian Umum", "9", "Indikator", "mungkin", "3"],
  ]);
  const preview = await previewInventoryImport(t.db, sup, riauId, file);
  expect(preview[0]!.status).toBe("new");
  expect(preview[1]).toMatchObject({ status: "error", problems: ["agency", "method", "priority"] });
  const count = await t.db.inventoryItem.count();
  expect(await codeOf(applyInventoryImport(t.db, sup, riauId, file))).toBe("VALIDATION");
  expect(await t.db.inventoryItem.count()).toBe(count);
});

it("a changed row is shown as such, and another office's coach cannot import", async () => {
  const changed = ROWS.map((r) => [...r]);
  changed[0]![7] = "Jumlah jaksa dan pegawai";
  const file = await sheet(changed);
  const preview = await previewInventoryImport(t.db, sup, riauId, file);
  expect(preview[0]).toMatchObject({ status: "changed", changed: ["mainIndicator"] });
  expect(await codeOf(previewInventoryImport(t.db, coachPku, riauId, file))).toBe("NOT_FOUND");
  expect(await codeOf(applyInventoryImport(t.db, coachPku, riauId, file))).toBe("NOT_FOUND");
  // The template reads back as an empty import (header only).
  expect(await previewInventoryImport(t.db, sup, riauId, await inventoryTemplate())).toEqual([]);
});

it("validates the contact record: emails, E.164 WhatsApp, who updated it and when", async () => {
  const refused = await updateContact(t.db, sup, agencyId, { email: "bukan-email", epssContactWhatsapp: "12345" }).then(
    () => null,
    (e: ZodError) => e,
  );
  expect(refused).toBeInstanceOf(ZodError);
  expect(refused?.issues.map((i) => i.path[0])).toEqual(["email", "epssContactWhatsapp"]);
  const when = new Date("2026-02-01T02:00:00Z");
  const saved = await updateContact(t.db, sup, agencyId, { leaderName: "Dr. Akmal", epssContactWhatsapp: "0812-6600-1122" }, when);
  expect(saved.epssContactWhatsapp).toBe("+6281266001122");
  expect(saved.contactUpdatedById).toBe(sup.userId);
  expect(saved.contactUpdatedAt?.toISOString()).toBe(when.toISOString());
  expect(contactStatus(saved, new Date("2026-03-01T00:00:00Z"))).toMatchObject({ filled: 2, complete: false, stale: false, flagged: true });
  expect(contactStatus(saved, new Date("2027-02-02T00:00:00Z")).stale).toBe(true);
});

it("imports IPS scores all or nothing, by the office's own loci", async () => {
  const wb = async (rows: (string | number)[][]) => {
    const book = new ExcelJS.Workbook();
    const ws = book.addWorksheet("IPS");
    ws.addRow(["Instansi", "Nilai IPS"]);
    for (const r of rows) ws.addRow(r);
    return Buffer.from(await book.xlsx.writeBuffer());
  };
  expect(
    await codeOf(
      importIpsScores(
        t.db,
        sup,
        riauId,
        2026,
        await wb([
          ["Kejaksaan Tinggi Riau", 3.4],
          ["Instansi Lain", 2],
        ]),
      ),
    ),
  ).toBe("VALIDATION");
  expect(await t.db.ipsScore.count()).toBe(0);
  expect(await codeOf(importIpsScores(t.db, sup, riauId, 2026, await wb([["Kejaksaan Tinggi Riau", 7]])))).toBe("VALIDATION");
  expect(await importIpsScores(t.db, sup, riauId, 2026, await wb([["kejaksaan tinggi riau", "3,4"]]))).toBe(1);
  expect((await t.db.ipsScore.findUniqueOrThrow({ where: { agencyId_year: { agencyId, year: 2026 } } })).score).toBe(3.4);
  // A coach of another office (no Tim Monev role there) cannot import.
  expect(await codeOf(importIpsScores(t.db, coachPku, riauId, 2026, await wb([["Kejaksaan Tinggi Riau", 1]])))).toBe("NOT_FOUND");
});
