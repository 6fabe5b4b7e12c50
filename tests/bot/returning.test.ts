// Returning PICs: after a first request, the form offers the previous details; accepting jumps
// to the questions about this coaching, and the summary still edits every field.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { Chat } from "./support/chat.js";
import { type BotTestContext, botTestContext } from "./support/context.js";
import { fillForm, inDays } from "./support/form.js";

let b: BotTestContext;
let engine: Engine;
beforeAll(async () => {
  b = await botTestContext();
  engine = createEngine(b.ctx, { reminders: false });
});
afterAll(async () => {
  await engine?.close();
  await b?.close();
});

it("offers the previous name, NIP, phone, email and agency, then asks only about the new coaching", async () => {
  const c = new Chat(engine);
  await fillForm(c, { nip: "19850101 201001 2 003" });
  await c.say("kirim");
  expect(c.text()).toMatch(/PB-\d{4}-\d{5}/);

  await c.say("menu");
  await c.press("Ajukan pembinaan");
  await c.press("Setuju");
  expect(c.text()).toContain("Gunakan data sebelumnya (nama, NIP, HP, email, instansi)?");
  expect(c.text()).toContain("Siti Rahmawati");
  expect(c.text()).toContain("NIP 198501012010012003");
  expect(c.text()).toContain("siti.rahmawati@pekanbaru.go.id");
  expect(c.text()).toContain("Bappeda Kota Pekanbaru");
  await c.press("Ya");
  // Straight to the coaching questions: the service type is question 8 of 17.
  expect(c.text()).toContain("(8/17)");
  await c.say("Asistensi");
  await c.say("1");
  await c.say("Asistensi penyusunan rencana aksi statistik sektoral bagi tim Bappeda.");
  await c.say("Kantor Bappeda Kota Pekanbaru");
  await c.press("Daring");
  await c.say(`${inDays(200)} 10:00`);
  await c.say("2 jam");
  await c.press("Sama dengan saya");
  await c.press("Lewati");
  const summary = c.text();
  expect(summary).toContain("1. Nama: Siti Rahmawati");
  expect(summary).toContain("5. Instansi: Bappeda Kota Pekanbaru");

  // Every field stays editable from the summary, including the reused ones.
  await c.say("ubah 4");
  await c.say("siti.baru@pekanbaru.go.id");
  expect(c.text()).toContain("4. Email: siti.baru@pekanbaru.go.id");
  await c.say("kirim");
  const second = await b.ctx.db.coachingRequest.findFirstOrThrow({ where: { requesterEmail: "siti.baru@pekanbaru.go.id" }, include: { agency: true } });
  expect(second).toMatchObject({ requesterName: "Siti Rahmawati", requesterNip: "198501012010012003", serviceType: "ASISTENSI", mode: "ONLINE" });
  expect(second.agency?.name).toBe("Bappeda Kota Pekanbaru");
  expect(second.officeId).toBe(b.offices.pekanbaru.id);
});

it("declining asks every question as before", async () => {
  const c = new Chat(engine);
  await fillForm(c);
  await c.say("kirim");
  await c.say("menu");
  await c.press("Ajukan pembinaan");
  await c.press("Setuju");
  await c.press("Tidak");
  expect(c.text()).toContain("(1/17)");
});
