// Staff and agency imports from spreadsheets written with exceljs: preview per row, all or
// nothing, idempotent, temporary passwords, export → import unchanged, bad files refused with
// a clear message and nothing written; a PIC's request routes to an imported agency's office.
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAgencies } from "../../core/imports/agencies.js";
import { readTable } from "../../core/imports/table.js";
import { submitRequest } from "../../core/requests/service.js";
import { requestInput } from "../helpers/fixtures.js";
import { type Client, emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let p: Panel;
let admin: Client;
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

beforeAll(async () => {
  p = await startPanel({ maxUploadMb: 1 });
  admin = await signedIn(p.app, emailOf("ADMIN"));
});
afterAll(async () => p?.close());

async function xlsx(rows: (string | number | { formula: string })[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Data");
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const STAFF_HEADER = ["Nama", "NIP", "Email", "HP", "Kode Kantor", "Peran"];
const staffRows = (n: number) =>
  Array.from({ length: n }, (_, i) => [
    `Pegawai Uji ${String(i + 1).padStart(2, "0")}`,
    `19850101 201001 1 ${String(i + 1).padStart(3, "0")}`,
    `pegawai${i + 1}@bps.go.id`,
    `0812-7700-${String(1000 + i)}`,
    i % 2 === 0 ? "1400" : "1471",
    i % 3 === 0 ? "Supervisor, Pembina" : "Pembina",
  ]);

const AGENCY_HEADER = ["Nama Instansi", "Tingkat", "Wilayah", "Kode Kantor", "Nama Pimpinan K/L/Pemda", "E-mail K/L/Pemda", "Nomor Whatsapp Narahubung EPSS"];
const agencyRows = (n: number) =>
  Array.from({ length: n }, (_, i) => [
    `Dinas Uji ${i + 1} Kota Pekanbaru`,
    "REGENCY",
    "Kota Pekanbaru",
    "1471",
    `Kepala Dinas ${i + 1}`,
    `dinas${i + 1}@pekanbaru.go.id`,
    `0813-6500-${String(1000 + i)}`,
  ]);

async function upload(url: string, bytes: Buffer, name = "data.xlsx", type = XLSX) {
  await admin.get(url);
  return admin.upload(url, {}, [{ field: "file", name, type, bytes }]);
}
const idOf = (html: string) => /name="id" value="([\w-]+)"/.exec(html)?.[1] ?? "";
const summaryOf = (html: string) => /data-testid="import-summary">([^<]+)</.exec(html)?.[1] ?? "";

describe("staff import", () => {
  it("imports 30 staff from XLSX after a preview; the same file again changes nothing", async () => {
    const before = await p.ctx.db.user.count();
    const file = await xlsx([STAFF_HEADER, ...staffRows(30)]);
    const preview = await upload("/users/import", file);
    expect(preview.statusCode).toBe(200);
    expect(summaryOf(preview.body)).toBe("30 baru, 0 diperbarui, 0 tidak berubah, 0 salah.");
    expect(await p.ctx.db.user.count()).toBe(before); // a preview writes nothing
    const applied = await admin.post("/users/import/apply", { id: idOf(preview.body) });
    expect(applied.statusCode).toBe(200);
    expect(applied.body).toContain("30 akun baru");
    expect(await p.ctx.db.user.count()).toBe(before + 30);
    const u = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "pegawai1@bps.go.id" }, include: { office: true } });
    expect(u).toMatchObject({ nip: "198501012010011001", whatsapp: "+6281277001000", roles: ["SUPERVISOR", "COACH"], mustChangePassword: true });
    expect(u.office.code).toBe("1400");
    // The temporary password shown once works, and leads straight to the password page.
    const password = /pegawai1@bps.go.id<\/td><td class="mono">([^<]+)</.exec(applied.body)?.[1] ?? "";
    expect(password.length).toBeGreaterThanOrEqual(12);
    const c = new (admin.constructor as new (app: typeof p.app) => Client)(p.app);
    const login = await c.login("pegawai1@bps.go.id", password);
    expect(login.statusCode).toBe(302);
    expect((await c.get("/dashboard")).headers.location).toBe("/profile/password?required=1");
    // The same preview cannot be applied twice; the same file again is all unchanged.
    expect((await admin.post("/users/import/apply", { id: idOf(preview.body) })).statusCode).toBe(422);
    const again = await upload("/users/import", file);
    expect(summaryOf(again.body)).toBe("0 baru, 0 diperbarui, 30 tidak berubah, 0 salah.");
    const hashes = await p.ctx.db.user.findMany({ where: { email: { endsWith: "@bps.go.id" } }, select: { email: true, passwordHash: true, updatedAt: true } });
    await admin.post("/users/import/apply", { id: idOf(again.body) });
    expect(
      await p.ctx.db.user.findMany({ where: { email: { endsWith: "@bps.go.id" } }, select: { email: true, passwordHash: true, updatedAt: true } }),
    ).toEqual(hashes);
  });

  it("exports a file that imports back unchanged (XLSX and CSV)", async () => {
    const x = await admin.get("/users/import/export.xlsx");
    expect(x.headers["content-type"]).toContain("spreadsheetml");
    const back = await upload("/users/import", x.rawPayload);
    expect(summaryOf(back.body)).toMatch(/^0 baru, 0 diperbarui, \d+ tidak berubah, 0 salah\.$/);
    const csv = await admin.get("/users/import/export.csv");
    const backCsv = await upload("/users/import", csv.rawPayload, "pegawai.csv", "text/csv");
    expect(summaryOf(backCsv.body)).toBe(summaryOf(back.body));
  });

  it("refuses bad files clearly and writes nothing", async () => {
    const count = await p.ctx.db.user.count();
    const wrongHeader = await upload(
      "/users/import",
      await xlsx([
        ["Nama", "Surel", "Kode Kantor", "Peran"],
        ["A B C", "x@y.id", "1400", "Pembina"],
      ]),
    );
    expect(wrongHeader.statusCode).toBe(422);
    expect(wrongHeader.body).toContain("Kepala kolom &quot;Surel&quot; tidak dikenal");

    const rows = staffRows(3).map((r) => r.map((c) => c.replace("pegawai", "baru")));
    rows[1]![4] = "1499";
    rows[2]![2] = rows[0]![2]!;
    const mixed = await upload("/users/import", await xlsx([STAFF_HEADER, ...rows]));
    expect(summaryOf(mixed.body)).toBe("1 baru, 0 diperbarui, 0 tidak berubah, 2 salah.");
    expect(mixed.body).toContain("Kode kantor &quot;1499&quot; tidak dikenal");
    expect(mixed.body).toContain("Email yang sama sudah ada di baris 2.");
    expect(mixed.body).not.toContain('data-testid="import-apply"');
    expect((await admin.post("/users/import/apply", { id: idOf(mixed.body) })).statusCode).toBe(422);

    const formula = await upload("/users/import", await xlsx([STAFF_HEADER, ["Pegawai Rumus", "", "rumus@bps.go.id", "", { formula: "1400+0" }, "Pembina"]]));
    expect(formula.statusCode).toBe(422);
    expect(formula.body).toContain("Sel E2 berisi rumus");

    const numberNip = await upload(
      "/users/import",
      await xlsx([STAFF_HEADER, ["Pegawai Angka", Number("198501012010011001"), "angka@bps.go.id", "", "1400", "Pembina"]]),
    );
    expect(numberNip.body).toContain("Sel B2 berisi angka yang terlalu panjang");

    const pdf = await upload("/users/import", Buffer.from("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF"), "x.pdf", "application/pdf");
    expect(pdf.body).toContain("Berkas harus CSV (UTF-8) atau XLSX.");

    const big = Buffer.from(`${STAFF_HEADER.join(",")}\r\n${"Pegawai Besar,,besar@bps.go.id,,1400,Pembina\r\n".repeat(30_000)}`);
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const tooBig = await upload("/users/import", big, "besar.csv", "text/csv");
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.body).toContain("1 MB");
    expect(await p.ctx.db.user.count()).toBe(count);
  });
});

describe("agency import", () => {
  it("imports 200 agencies with their contact fields; a PIC's request routes to an imported agency's office", async () => {
    const file = await xlsx([AGENCY_HEADER, ...agencyRows(200)]);
    const preview = await upload("/agencies/import", file);
    expect(summaryOf(preview.body)).toBe("200 baru, 0 diperbarui, 0 tidak berubah, 0 salah.");
    const applied = await admin.post("/agencies/import/apply", { id: idOf(preview.body) });
    expect(applied.body).toContain("200 instansi baru");
    const a = await p.ctx.db.agency.findFirstOrThrow({ where: { name: "Dinas Uji 7 Kota Pekanbaru" }, include: { office: true } });
    expect(a).toMatchObject({
      level: "REGENCY",
      region: "Kota Pekanbaru",
      leaderName: "Kepala Dinas 7",
      email: "dinas7@pekanbaru.go.id",
      epssContactWhatsapp: "+6281365001006",
    });
    expect(a.office?.code).toBe("1471");

    const again = await upload("/agencies/import", file);
    expect(summaryOf(again.body)).toBe("0 baru, 0 diperbarui, 200 tidak berubah, 0 salah.");
    const exported = await admin.get("/agencies/import/export.xlsx");
    const back = await upload("/agencies/import", exported.rawPayload);
    expect(summaryOf(back.body)).toMatch(/^0 baru, 0 diperbarui, \d+ tidak berubah, 0 salah\.$/);

    const riau = await p.ctx.db.office.findUniqueOrThrow({ where: { code: "1400" } });
    const { request } = await submitRequest(p.ctx.db, requestInput({ agencyId: a.id, agencyName: a.name, agencyLevel: "REGENCY" }), {
      channel: "web",
      defaultOfficeId: riau.id,
    });
    expect(request.officeId).toBe(a.officeId);
  });

  it("refuses a file with a row in error as a whole", async () => {
    const count = await p.ctx.db.agency.count();
    const rows = agencyRows(3).map((r) => r.map((c) => c.replace("Dinas Uji", "Badan Baru")));
    rows[2]![1] = "KECAMATAN";
    const file = await xlsx([AGENCY_HEADER, ...rows]);
    const preview = await upload("/agencies/import", file);
    expect(summaryOf(preview.body)).toBe("2 baru, 0 diperbarui, 0 tidak berubah, 1 salah.");
    expect(preview.body).toContain("Tingkat &quot;KECAMATAN&quot; tidak dikenal");
    expect(preview.body).not.toContain('data-testid="import-apply"');
    // Applied anyway (the service itself), the valid rows are not written either.
    const table = await readTable(file);
    if (!table.ok) throw new Error("unreadable");
    const adminUser = await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("ADMIN") } });
    await expect(applyAgencies(p.ctx.db, { userId: adminUser.id, officeId: adminUser.officeId }, table)).rejects.toThrow("import.error.rowsInError");
    expect(await p.ctx.db.agency.count()).toBe(count);
  });
});
