// Reachability is visible: the users page lists each person's channels, and the approve form
// warns before approval when a chosen coach cannot be reached.
import { afterAll, beforeAll, expect, it } from "vitest";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { channelsOf } from "../../core/users/reachability.js";
import { actorOf, makeUser, requestInput } from "../helpers/fixtures.js";
import { emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let p: Panel;
beforeAll(async () => {
  p = await startPanel({ env: { WHATSAPP_ENABLED: "true", TELEGRAM_BOT_TOKEN: "123456:reach-test" } });
});
afterAll(async () => p?.close());

it("judges channels the way delivery does", () => {
  const all = new Set(["telegram", "whatsapp", "email"] as const);
  expect(channelsOf({ email: "a@b.id", whatsapp: null, identities: [] }, new Set(["telegram", "whatsapp"]))).toEqual([]);
  expect(channelsOf({ email: "a@b.id", whatsapp: "+628123", identities: [] }, all)).toEqual(["whatsapp", "email"]);
  expect(channelsOf({ email: "a@b.id", whatsapp: null, identities: [{ channel: "telegram" }] }, new Set(["telegram"]))).toEqual(["telegram"]);
});

it("shows channels on the users page and warns about an unreachable coach on the approve form", async () => {
  const db = p.ctx.db;
  const riau = await db.office.findUniqueOrThrow({ where: { code: "1400" } });
  const silent = await makeUser(db, riau.id, ["COACH"], "pembina-sunyi");
  const phone = await makeUser(db, riau.id, ["COACH"], "pembina-wa");
  await db.user.update({ where: { id: phone.id }, data: { whatsapp: "+6281277009999" } });

  const admin = await signedIn(p.app, emailOf("ADMIN"));
  const users = await admin.get("/users?q=pembina-");
  const rowOf = (email: string) => new RegExp(`<tr data-email="${email}">[\\s\\S]*?</tr>`).exec(users.body)?.[0] ?? "";
  expect(rowOf(silent.email)).toContain('data-reach="none"');
  expect(rowOf(phone.email)).toContain('data-reach="whatsapp"');

  const supUser = await db.user.findUniqueOrThrow({ where: { email: emailOf("SUPERVISOR") } });
  const { request } = await submitRequest(db, requestInput(), { channel: "web", defaultOfficeId: riau.id });
  await changeStatus(db, actorOf(supUser), { requestId: request.id, to: "IN_REVIEW" });
  const sup = await signedIn(p.app, emailOf("SUPERVISOR"));
  const form = await sup.get(`/requests/${request.id}/status`);
  const coachOf = (id: string) => new RegExp(`id="coach-${id}"[\\s\\S]*?</div>`).exec(form.body)?.[0] ?? "";
  expect(coachOf(silent.id)).toContain('data-testid="coach-unreachable"');
  expect(coachOf(phone.id)).not.toContain('data-testid="coach-unreachable"');
});

it("says on the request page who was not notified, and why", async () => {
  const db = p.ctx.db;
  const riau = await db.office.findUniqueOrThrow({ where: { code: "1400" } });
  const silent = await makeUser(db, riau.id, ["COACH"], "pembina-tanpa-kanal");
  const supUser = await db.user.findUniqueOrThrow({ where: { email: emailOf("SUPERVISOR") } });
  const { request } = await submitRequest(
    db,
    requestInput({ startAt: new Date(Date.now() + 30 * 24 * 3600_000), endAt: new Date(Date.now() + 30 * 24 * 3600_000 + 7200_000) }),
    {
      channel: "web",
      defaultOfficeId: riau.id,
    },
  );
  await changeStatus(db, actorOf(supUser), { requestId: request.id, to: "IN_REVIEW" });
  await changeStatus(db, actorOf(supUser), { requestId: request.id, to: "APPROVED", coachIds: [silent.id] });
  // What the relay does when it finds no channel for the row.
  await db.outbox.updateMany({ where: { requestId: request.id, kind: "coach.assigned" }, data: { status: "UNREACHABLE" } });
  const sup = await signedIn(p.app, emailOf("SUPERVISOR"));
  const page = await sup.get(`/requests/${request.id}`);
  expect(page.body).toContain("belum menautkan Telegram; tidak ada nomor WhatsApp di akunnya; email tidak aktif (SMTP belum diatur)");
});
