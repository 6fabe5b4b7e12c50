// Offices page (admin): contacts, zone and activity of the offices in scope, and offices below
// added from the bundled list of BPS offices.
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeUser } from "../helpers/fixtures.js";
import { Client, emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let p: Panel;
beforeAll(async () => {
  p = await startPanel();
});
afterAll(async () => p?.close());

it("edits an office's contacts, zone and activity, with an audit row", async () => {
  const admin = await signedIn(p.app, emailOf("ADMIN"));
  const page = await admin.get("/offices");
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain('data-code="1471"');
  const pekanbaru = await p.ctx.db.office.findUniqueOrThrow({ where: { code: "1471" } });
  await admin.get(`/offices/${pekanbaru.id}/edit`);
  const bad = await admin.post(`/offices/${pekanbaru.id}/edit`, { name: pekanbaru.name, whatsapp: "12", timeZone: "WIB", active: "on" });
  expect(bad.statusCode).toBe(422);
  const res = await admin.post(`/offices/${pekanbaru.id}/edit`, {
    name: pekanbaru.name,
    address: "Jl. Rawa Indah No. 1, Pekanbaru",
    phone: "0761-21530",
    email: "bps1471@bps.go.id",
    whatsapp: "0812-7000-1471",
    website: "",
    timeZone: "WIB",
  });
  expect(res.statusCode).toBe(302);
  const after = await p.ctx.db.office.findUniqueOrThrow({ where: { id: pekanbaru.id } });
  expect(after).toMatchObject({ whatsapp: "+6281270001471", address: "Jl. Rawa Indah No. 1, Pekanbaru", active: false });
  expect(await p.ctx.db.auditLog.count({ where: { action: "office.edit", entityId: pekanbaru.id } })).toBe(1);
  // The admin's own office cannot be switched off.
  const own = await p.ctx.db.office.findUniqueOrThrow({ where: { code: "1400" } });
  await admin.get(`/offices/${own.id}/edit`);
  expect((await admin.post(`/offices/${own.id}/edit`, { name: own.name, timeZone: "WIB" })).statusCode).toBe(409);
});

it("adds offices below from the bundled list, with the offices between, and nothing outside its tree", async () => {
  const db = p.ctx.db;
  const riauAdmin = await signedIn(p.app, emailOf("ADMIN"));
  // Riau has every kabupaten/kota already (Kota Dumai under its BPS code 1473, not Kemendagri's 1472).
  expect((await riauAdmin.get("/offices")).body).not.toContain("BPS Kota Dumai (WIB)");
  expect((await riauAdmin.post("/offices/add", { codes: ["9171"] })).statusCode).toBe(302);
  expect(await db.office.findUnique({ where: { code: "9171" } })).toBeNull();

  const ri = await db.office.findUniqueOrThrow({ where: { code: "0000" } });
  const national = await makeUser(db, ri.id, ["ADMIN"], "admin-ri");
  const admin = new Client(p.app);
  await admin.login(national.email, "test-password-123");
  const page = await admin.get("/offices");
  expect(page.body).toContain("9171 · BPS Kota Jayapura (WIT)");
  await admin.post("/offices/add", { codes: ["9171"] });
  const jayapura = await db.office.findUniqueOrThrow({ where: { code: "9171" }, include: { parent: { include: { parent: true } } } });
  expect(jayapura).toMatchObject({ name: "BPS Kota Jayapura", level: "REGENCY", timeZone: "WIT" });
  expect(jayapura.parent).toMatchObject({ code: "9100", name: "BPS Provinsi Papua", timeZone: "WIT" });
  expect(jayapura.parent?.parent?.code).toBe("0000");
});
