// The programme pages over HTTP on the demo data: every page renders for the people who may see
// it, forms change data through core, and a coach of another office gets nothing of Riau's.
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVENTORY_COLUMNS } from "../../core/programme/inventory-import.js";
import { type Client, type Panel, signedIn, startPanel } from "../admin/helpers.js";
import { pdfText } from "./pdf-text.js";

let p: Panel;
let sup: Client;
let monev: Client;
let other: Client;
let riauId = "";
let lokusId = "";

beforeAll(async () => {
  p = await startPanel({ maxUploadMb: 5 });
  sup = await signedIn(p.app, "supervisor@sibina.test");
  monev = await signedIn(p.app, "monev@sibina.test");
  other = await signedIn(p.app, "pembina.pekanbaru@sibina.test");
  riauId = (await p.ctx.db.office.findUniqueOrThrow({ where: { code: "1400" } })).id;
  lokusId = (await p.ctx.db.agency.findFirstOrThrow({ where: { name: "Dinas Kesehatan Provinsi Riau" } })).id;
});
afterAll(async () => p?.close());

describe("pages", () => {
  it("shows the office's teams, loci, flags and the fullday allocation", async () => {
    const res = await sup.get(`/programme?office=${riauId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("Tim Pembina Statistik Sektoral BPS Provinsi Riau");
    expect(res.body).toContain('data-testid="contact-flag"');
    expect(res.body).toMatch(/Fullday meeting dibiayai BPS yang direncanakan kantor ini: \d+ dari alokasi 2/);
    const team = /href="\/programme\/teams\/([0-9a-f-]{36})"/.exec(res.body)![1]!;
    const teamPage = await sup.get(`/programme/teams/${team}`);
    expect(teamPage.statusCode).toBe(200);
    expect(teamPage.body).toContain("Tim Monev");
    const locus = await sup.get(`/programme/loci/${lokusId}`);
    expect(locus.statusCode).toBe(200);
    for (const label of [
      "Nama Pimpinan K/L/Pemda",
      "Nomor WhatsApp Narahubung Walidata",
      "Rencana Kerja Pembinaan",
      "Kandidat kegiatan EPSS",
      "Inventaris kegiatan statistik",
    ])
      expect(locus.body).toContain(label);
    expect((await sup.get("/programme/settings")).statusCode).toBe(403);
    const admin = await signedIn(p.app, "admin@sibina.test");
    expect((await admin.get("/programme/settings")).body).toContain("Aktivitas Pembinaan Statistik");
    // The Surat Tugas number format is the office's own; a format without {seq} is refused.
    expect((await admin.post("/programme/settings/letter", { officeId: riauId, year: "2026", format: "B-{roman}/{year}" })).statusCode).toBe(302);
    expect((await p.ctx.db.office.findUniqueOrThrow({ where: { id: riauId } })).letterNumberFormat).toBeNull();
    await admin.post("/programme/settings/letter", { officeId: riauId, year: "2026", format: "ST-{seq}/{code}/{roman}/{year}" });
    expect((await p.ctx.db.office.findUniqueOrThrow({ where: { id: riauId } })).letterNumberFormat).toBe("ST-{seq}/{code}/{roman}/{year}");
    expect(await p.ctx.db.auditLog.count({ where: { action: "letter.format", entityId: riauId } })).toBe(1);
  });

  it("saves a contact record with E.164 numbers, and refuses a bad email", async () => {
    await sup.get(`/programme/loci/${lokusId}`);
    const bad = await sup.post(`/programme/loci/${lokusId}/contact`, { leaderName: "dr. Zainal Arifin", email: "bukan email" });
    expect(bad.statusCode).toBe(302);
    expect((await sup.get(`/programme/loci/${lokusId}`)).body).toContain('data-testid="flash"');
    const ok = await sup.post(`/programme/loci/${lokusId}/contact`, {
      leaderName: "dr. Zainal Arifin",
      email: "dinkes@riau.go.id",
      epssContactWhatsapp: "0812-7700-1003",
    });
    expect(ok.statusCode).toBe(302);
    const agency = await p.ctx.db.agency.findUniqueOrThrow({ where: { id: lokusId } });
    expect(agency.epssContactWhatsapp).toBe("+6281277001003");
    expect(agency.walidataHeadName).toBeNull();
    const page = await sup.get(`/programme/loci/${lokusId}`);
    expect(page.body).toContain("Terakhir diperbarui");
    expect(page.body).toContain("Hendra Gunawan");
    expect(page.body).toContain('data-testid="contact-incomplete"');
  });

  it("imports the inventory from XLSX with a preview, and the second time changes nothing", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Inventaris");
    ws.addRow([...INVENTORY_COLUMNS]);
    ws.addRow([1, "Dinas Kesehatan Provinsi Riau", "Kompilasi Data Fasilitas Kesehatan", "Tahunan", 2025, "Bidang Yankes", 3, "Jumlah puskesmas", 1, 3]);
    const bytes = Buffer.from(await wb.xlsx.writeBuffer());
    const file = { field: "file", name: "inventaris.xlsx", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes };
    for (const expected of ["new", "same"]) {
      await sup.get(`/programme/import?office=${riauId}`);
      const preview = await sup.upload("/programme/import", { officeId: riauId }, [file]);
      expect(preview.statusCode).toBe(200);
      expect(preview.body).toContain(`data-status="${expected}"`);
      const attachmentId = /name="attachmentId" value="([0-9a-f-]{36})"/.exec(preview.body)![1]!;
      const applied = await sup.post("/programme/import/apply", { officeId: riauId, attachmentId });
      expect(applied.statusCode).toBe(302);
      expect(await p.ctx.db.inventoryItem.count({ where: { agencyId: lokusId } })).toBe(1);
    }
  });
  it("records a BPS-initiated coaching from a plan item, with its coaches and notices, and links a chat request", async () => {
    const year = new Date().getUTCFullYear();
    const item = await p.ctx.db.workPlan.findFirstOrThrow({ where: { agencyId: lokusId, year }, orderBy: { plannedDate: "desc" } });
    const coach = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "pembina2@sibina.test" } });
    await sup.get(`/programme/loci/${lokusId}`);
    const res = await sup.post(`/programme/loci/${lokusId}/coachings`, {
      workPlanId: item.id,
      serviceType: "ASISTENSI",
      mode: "OFFLINE",
      start: `${year - 1}-11-03T09:00`,
      end: `${year - 1}-11-03T12:00`,
      location: "Kantor Dinas Kesehatan",
      topics: ["DATA_QUALITY"],
      description: "Pendampingan kualitas data fasilitas kesehatan (pencatatan susulan).",
      coachIds: [coach.id],
    });
    expect(res.statusCode).toBe(302);
    const made = await p.ctx.db.coachingRequest.findFirstOrThrow({
      where: { workPlanId: item.id, description: { startsWith: "Pendampingan kualitas data" } },
      include: { assignments: true },
    });
    expect(made).toMatchObject({ initiative: "BPS", status: "DONE", agencyId: lokusId });
    // 09:00 WIB typed in the form is 02:00 UTC.
    expect(made.startAt.toISOString()).toBe(`${year - 1}-11-03T02:00:00.000Z`);
    expect(made.assignments.map((a) => a.coachId)).toEqual([coach.id]);
    expect(await p.ctx.db.outbox.count({ where: { requestId: made.id, kind: "coach.assigned" } })).toBe(1);
    expect((await sup.get(`/programme/loci/${lokusId}`)).body).toContain(made.code);

    // A chat request for the same lokus is linked to a plan item.
    const chat = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { initiative: "NON_BPS", officeId: riauId, deletedAt: null } });
    await p.ctx.db.coachingRequest.update({ where: { id: chat.id }, data: { agencyId: lokusId } });
    await sup.post(`/programme/requests/${chat.id}/plan`, { agencyId: lokusId, workPlanId: item.id });
    expect((await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: chat.id } })).workPlanId).toBe(item.id);
  });
});

describe("monitoring", () => {
  it("opens for the Tim Monev, with both downloads", async () => {
    const page = await monev.get(`/monitoring?office=${riauId}&year=${new Date().getUTCFullYear()}&semester=1`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("BPS Provinsi Riau");
    expect(page.body).toContain("Semester I (Januari–Juni)");
    expect(page.body).toContain('data-testid="monitoring-children"');
    const q = `?office=${riauId}&year=${new Date().getUTCFullYear()}&semester=1`;
    const xlsx = await monev.get(`/monitoring/report.xlsx${q}`);
    expect(xlsx.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.getRow(2).getCell(2).value).toBe("BPS Provinsi Riau");
    const pdf = await monev.get(`/monitoring/report.pdf${q}`);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdfText(pdf.rawPayload)).toContain("BPS Provinsi Riau - Semester I");
  });

  it("gives another office's coach nothing of Riau's, on any page or form", async () => {
    const before = await p.ctx.db.auditLog.count();
    expect((await other.get(`/monitoring?office=${riauId}`)).statusCode).toBe(403);
    expect((await other.get(`/monitoring/report.xlsx?office=${riauId}`)).statusCode).toBe(403);
    expect((await other.get(`/programme/loci/${lokusId}`)).statusCode).toBe(404);
    const list = await other.get(`/programme?office=${riauId}`);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain("Tim Pembina Statistik Sektoral BPS Provinsi Riau");
    expect(list.body).not.toContain("Dinas Kesehatan Provinsi Riau");
    await other.get("/programme");
    for (const [url, form] of [
      [`/programme/loci/${lokusId}/contact`, { leaderName: "Penyusup" }],
      [
        `/programme/loci/${lokusId}/plan`,
        { year: "2026", activity: "Rapat", plannedDate: "2026-12-01", mechanism: "ONLINE", organiser: "BPS", expectedOutput: "Notulen" },
      ],
      ["/programme/teams", { officeId: riauId, year: "2026", name: "Tim tandingan" }],
    ] as const)
      expect((await other.post(url, form)).statusCode).toBe(404);
    expect(await p.ctx.db.auditLog.count()).toBe(before);
  });
});
