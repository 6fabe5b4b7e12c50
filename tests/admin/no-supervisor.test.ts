// A request routed to an office with no active supervisor alerts the parent office's
// supervisors, and the request page says so.
import { afterAll, beforeAll, expect, it } from "vitest";
import { submitRequest } from "../../core/requests/service.js";
import { requestInput } from "../helpers/fixtures.js";
import { emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let p: Panel;
beforeAll(async () => {
  p = await startPanel();
});
afterAll(async () => p?.close());

it("alerts the parent office's supervisors when the handling office has none, and shows it", async () => {
  const db = p.ctx.db;
  const riau = await db.office.findUniqueOrThrow({ where: { code: "1400" } });
  const dumai = await db.office.findUniqueOrThrow({ where: { code: "1473" } });
  // Dumai's supervisors (if any) leave: the office has no active supervisor.
  await db.user.updateMany({ where: { officeId: dumai.id, roles: { has: "SUPERVISOR" } }, data: { deletedAt: new Date() } });
  const agency = await db.agency.create({ data: { name: "Dinas Kominfo Kota Dumai Uji", level: "REGENCY", officeId: dumai.id } });
  const { request } = await submitRequest(db, requestInput({ agencyId: agency.id, agencyName: agency.name, agencyLevel: "REGENCY" }), {
    channel: "web",
    defaultOfficeId: riau.id,
  });
  expect(request.officeId).toBe(dumai.id);
  const rows = await db.outbox.findMany({ where: { requestId: request.id, kind: "request.submitted" }, include: { recipientUser: true } });
  const riauSupervisors = await db.user.findMany({ where: { officeId: riau.id, roles: { has: "SUPERVISOR" }, deletedAt: null } });
  expect(riauSupervisors.length).toBeGreaterThan(0);
  expect(rows.map((r) => r.recipientUserId).sort()).toEqual(riauSupervisors.map((u) => u.id).sort());

  const sup = await signedIn(p.app, emailOf("SUPERVISOR"));
  const page = await sup.get(`/requests/${request.id}`);
  expect(page.statusCode).toBe(200);
  expect(page.body).toContain("BPS Kota Dumai tidak punya supervisor aktif, jadi pemberitahuan pengajuan baru dikirim ke supervisor BPS Provinsi Riau.");
});
