// Coach documentation by chat: a coach links the chat with a LINK code, answers the
// documentation reminder by sending files (Telegram and WhatsApp events through the real
// engine and flow registry), picks the coaching and the kind, and the files are filed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { createLinkCode } from "../../core/auth/link-codes.js";
import type { Role } from "../../core/db/generated/enums.js";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { Chat } from "../bot/support/chat.js";
import { type BotTestContext, botTestContext } from "../bot/support/context.js";
import { pdf, png } from "../bot/support/files.js";
import { actorOf, makeUser, requestInput } from "../helpers/fixtures.js";

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

const HOUR = 3600_000;

/** A coaching done by `coach`, started `daysAgo` days ago. */
async function doneCoaching(coachId: string, agencyName: string, daysAgo: number) {
  const sup = actorOf(await makeUser(b.t.db, b.offices.riau.id, ["SUPERVISOR"], `sup ${agencyName}`));
  const soon = new Date(Date.now() + 2 * HOUR);
  const { request } = await submitRequest(b.t.db, requestInput({ agencyName, startAt: soon, endAt: new Date(soon.getTime() + HOUR) }), {
    channel: "web",
    defaultOfficeId: b.offices.riau.id,
  });
  await changeStatus(b.t.db, sup, { requestId: request.id, to: "IN_REVIEW" });
  await changeStatus(b.t.db, sup, { requestId: request.id, to: "APPROVED", coachIds: [coachId] });
  const startAt = new Date(Date.now() - daysAgo * 24 * HOUR);
  await b.t.db.coachingRequest.update({ where: { id: request.id }, data: { startAt, endAt: new Date(startAt.getTime() + HOUR) } });
  await changeStatus(b.t.db, sup, { requestId: request.id, to: "DONE" });
  return b.t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } });
}

async function linkedChat(name: string, channel: "telegram" | "whatsapp", roles: Role[] = ["COACH"]) {
  const user = await makeUser(b.t.db, b.offices.riau.id, roles, name);
  const chat = new Chat(
    engine,
    channel === "whatsapp" ? `62812${Math.floor(Math.random() * 1e7)}@s.whatsapp.net` : String(Math.floor(Math.random() * 1e9)),
    channel,
  );
  await chat.say(await createLinkCode(b.t.db, { userId: user.id }));
  return { user, chat };
}

describe("coach documentation by chat", () => {
  it("Telegram: one Done coaching, a PDF, the kind chosen, filed as documentation", async () => {
    const { user, chat } = await linkedChat("Nurul Pembina", "telegram");
    const request = await doneCoaching(user.id, "Dinas Kesehatan Provinsi Riau", 2);
    await chat.file(pdf("Daftar hadir peserta"), "daftar-hadir.pdf");
    expect(chat.text()).toContain("Jenis dokumentasi apa untuk 1 file ini?");
    // The required kinds still missing come first.
    expect(
      chat
        .choices()
        .map((c) => c.label)
        .slice(0, 3),
    ).toEqual(["Daftar Hadir", "Foto", "Notulensi"]);
    await chat.press("Daftar Hadir");
    expect(chat.text()).toContain(`Tersimpan: 1 file sebagai Daftar Hadir untuk pembinaan ${request.code}.`);
    expect(chat.text()).toContain("Masih kurang: Foto, Notulensi.");
    const docs = await b.t.db.documentation.findMany({ where: { requestId: request.id }, include: { attachment: true } });
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ kind: "ATTENDANCE", uploadedById: user.id, attachment: { mimeType: "application/pdf", requestId: request.id } });
  });

  it("WhatsApp: several photos, the coaching picked, then the last kind completes it and the reminder is dropped", async () => {
    const { user, chat } = await linkedChat("Rina Pembina", "whatsapp");
    const older = await doneCoaching(user.id, "Bappeda Kota Pekanbaru", 9);
    const newer = await doneCoaching(user.id, "Dinas Komunikasi dan Informatika Kota Pekanbaru", 1);
    await chat.file(png(), "foto-1.png");
    expect(chat.text()).toContain("Dokumentasi ini untuk pembinaan yang mana?");
    expect(chat.choices().map((c) => c.label)).toEqual([expect.stringContaining(newer.code), expect.stringContaining(older.code)]);
    await chat.file(png(), "foto-2.png");
    expect(chat.text()).toContain("2 file diterima.");
    await chat.say("2");
    await chat.press("Foto");
    expect(chat.text()).toContain(`Tersimpan: 2 file sebagai Foto untuk pembinaan ${older.code}.`);
    expect(await b.t.db.documentation.count({ where: { requestId: older.id, kind: "PHOTO" } })).toBe(2);

    await chat.file(pdf("Daftar hadir"), "hadir.pdf");
    await chat.say("2");
    await chat.press("Daftar Hadir");
    await chat.file(pdf("Notulen"), "notulen.pdf");
    await chat.say("2");
    await chat.press("Notulensi");
    expect(chat.text()).toContain("Dokumentasi wajib sudah lengkap. Terima kasih!");
    const reminders = await b.t.db.outbox.findMany({ where: { requestId: older.id, kind: "reminder.documentation" }, orderBy: { availableAt: "asc" } });
    expect(reminders.map((r) => r.status)).toEqual(["CANCELLED", "CANCELLED"]);
    expect(await b.t.db.documentation.count({ where: { requestId: newer.id } })).toBe(0);
  });

  it("English, a refused file type, and people who are not coaches or have nothing done", async () => {
    const { user, chat } = await linkedChat("Sarah Coach", "telegram");
    await chat.say("language");
    await chat.press("English");
    await chat.file(pdf(), "x.pdf");
    expect(chat.text()).toContain("You have no Done coaching assigned to you");
    const request = await doneCoaching(user.id, "Dinas Kesehatan Provinsi Riau", 3);
    await chat.file(Buffer.from("not really a document ".repeat(20)), "notes.pdf");
    expect(chat.text()).toContain("This file type is not accepted.");
    await chat.file(pdf("Minutes"), "minutes.pdf");
    expect(chat.text()).toContain("What kind of documentation are these 1 file(s)?");
    await chat.press("Minutes");
    expect(chat.text()).toContain(`Saved: 1 file(s) as Minutes for coaching ${request.code}.`);

    // An agency contact sending a file from the menu is not taken for a coach.
    const requester = new Chat(engine, String(Math.floor(Math.random() * 1e9)), "telegram");
    await requester.say("menu");
    await requester.file(pdf(), "surat.pdf");
    expect(requester.text()).toContain("Saat ini saya tidak sedang meminta berkas.");
    expect(await b.t.db.attachment.count({ where: { uploadedById: null, fileName: "surat.pdf" } })).toBe(0);
  });
});
