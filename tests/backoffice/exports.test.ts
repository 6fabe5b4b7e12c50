// Exports people can open (issue 13): XLSX with typed cells, a frozen bold header and widths,
// phone numbers as text without an apostrophe; CSV with ";" and a BOM for Indonesian Excel ("," on
// request); exports of coachings (with their documentation status) and of documentation,
// scoped like their pages.
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDocumentation } from "../../core/documentation/service.js";
import { emailOf, type Panel, signedIn, startPanel } from "../admin/helpers.js";
import { actorOf } from "../helpers/fixtures.js";

let p: Panel;
beforeAll(async () => {
  p = await startPanel();
});
afterAll(async () => {
  await p?.close();
});

async function sheetOf(bytes: Buffer) {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return book.worksheets[0]!;
}

const headerIndex = (sheet: ExcelJS.Worksheet, name: string) => {
  const row = sheet.getRow(1).values as unknown[];
  const i = row.indexOf(name);
  expect(i, name).toBeGreaterThan(0);
  return i;
};

describe("requests", () => {
  it("XLSX: frozen bold header, widths, dates as dates, numbers as numbers, phones as text without an apostrophe", async () => {
    const sup = await signedIn(p.app, emailOf("SUPERVISOR"));
    const res = await sup.get("/requests/export.xlsx");
    expect(res.statusCode).toBe(200);
    const sheet = await sheetOf(res.rawPayload);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.getRow(1).font?.bold).toBe(true);
    expect(sheet.getColumn(1).width).toBeGreaterThanOrEqual(12);
    const row = sheet.getRow(2);
    expect(row.getCell(headerIndex(sheet, "Tanggal pengajuan")).value).toBeInstanceOf(Date);
    expect(row.getCell(headerIndex(sheet, "Mulai")).numFmt).toBe("dd/mm/yyyy hh:mm");
    expect(typeof row.getCell(headerIndex(sheet, "Lampiran")).value).toBe("number");
    const phone = row.getCell(headerIndex(sheet, "Telepon")).value;
    expect(typeof phone).toBe("string");
    expect(phone).toMatch(/^\+62\d+$/);
    // The start as the office's clock shows it.
    const code = row.getCell(1).value as string;
    const r = await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { code } });
    const shown = row.getCell(headerIndex(sheet, "Mulai")).value as Date;
    expect(shown.getTime() - r.startAt.getTime()).toBe(7 * 3600_000);
  });

  it("CSV: UTF-8 with a BOM and ';' for Indonesian Excel, or ',' when asked", async () => {
    const sup = await signedIn(p.app, emailOf("SUPERVISOR"));
    const semi = (await sup.get("/requests/export.csv")).rawPayload;
    expect([...semi.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const first = semi
      .toString("utf8")
      .replace(/^\uFEFF/, "")
      .split("\r\n")[0]!;
    expect(first.split(";").length).toBeGreaterThan(15);
    const comma = (await sup.get("/requests/export.csv?sep=comma")).body.replace(/^\uFEFF/, "").split("\r\n")[0]!;
    expect(comma.startsWith("Kode,Tanggal pengajuan,")).toBe(true);
  });
});

describe("coachings and documentation", () => {
  it("coachings with their documentation status, scoped like the page", async () => {
    const sup = await signedIn(p.app, emailOf("SUPERVISOR"));
    const sheet = await sheetOf((await sup.get("/coachings/export.xlsx")).rawPayload);
    const status = headerIndex(sheet, "Status dokumentasi");
    const values = new Set<string>();
    sheet.eachRow((row, n) => {
      if (n > 1) values.add(String(row.getCell(status).value));
    });
    expect([...values].every((v) => v === "Lengkap" || v === "Belum lengkap")).toBe(true);
    const page = (await sup.get("/coachings")).body;
    const onPage = [...page.matchAll(/data-code="(PB-[^"]+)"/g)].map((m) => m[1]);
    const inSheet: string[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) inSheet.push(String(row.getCell(1).value));
    });
    expect(inSheet.sort()).toEqual([...new Set(onPage)].sort());
    // A coach exports only their own coachings.
    const coach = await signedIn(p.app, emailOf("COACH"));
    const mine = (await coach.get("/coachings/export.csv")).body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n")
      .slice(1);
    const coachId = (await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("COACH") } })).id;
    const own = await p.ctx.db.coachingRequest.findMany({
      where: { status: "DONE", deletedAt: null, assignments: { some: { coachId } } },
      select: { code: true },
    });
    expect(mine.map((l) => l.split(";")[0]).sort()).toEqual(own.map((o) => o.code).sort());
  });

  it("documentation, with files, uploaders and dates", async () => {
    const coach = await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("COACH") } });
    const done = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { status: "DONE", assignments: { some: { coachId: coach.id } } } });
    await addDocumentation(p.ctx.db, actorOf(coach), { requestId: done.id, kind: "MINUTES", link: "https://drive.example/notulen" });
    const op = await signedIn(p.app, emailOf("OPERATOR"));
    const res = await op.get("/documentation/export.xlsx");
    const sheet = await sheetOf(res.rawPayload);
    expect(sheet.rowCount).toBe((await p.ctx.db.documentation.count({ where: { deletedAt: null } })) + 1);
    expect(sheet.getRow(2).getCell(headerIndex(sheet, "Diunggah")).value).toBeInstanceOf(Date);
    expect(await p.ctx.db.auditLog.count({ where: { action: "documentation.export" } })).toBe(1);
  });
});
