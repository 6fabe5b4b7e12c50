// Issue 13's chat defects: an ambiguous duration ("1 hari") is confirmed with the end it gives,
// and module choices carry no number of their own (channels number them: "1. 1. …" before).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { plainText } from "../../bot/engine/render.js";
import { storeAttachment } from "../../core/storage/index.js";
import { Chat } from "../bot/support/chat.js";
import { type BotTestContext, botTestContext } from "../bot/support/context.js";
import { pdf } from "../bot/support/files.js";
import { inDays } from "../bot/support/form.js";

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

async function toEnd(c: Chat, start: string) {
  await c.say("menu");
  await c.press("Ajukan pembinaan");
  await c.press("Setuju");
  await c.say("Siti Rahmawati");
  await c.press("Lewati");
  await c.say("0812 3456 7890");
  await c.say("siti@pekanbaru.go.id");
  await c.say("Bappeda Pekanbaru");
  if (/Pilih instansi/.test(c.text())) await c.press("Bappeda Kota Pekanbaru");
  await c.press("Ya");
  await c.say("FGD");
  await c.say("3, 5");
  await c.say("Pendampingan penyusunan metadata statistik sektoral untuk 25 pegawai Bappeda.");
  await c.say("Ruang rapat Bappeda Kota Pekanbaru");
  await c.press("Luring");
  await c.say(start);
  expect(c.text()).toContain("(14/17)");
}

describe("an ambiguous duration", () => {
  it("'1 hari' shows the computed end time and asks; 'Ubah' asks for the end again", async () => {
    const c = new Chat(engine);
    await toEnd(c, `${inDays(40)} 08:00`);
    await c.say("1 hari");
    expect(c.text()).toContain(`Pembinaan akan tercatat selesai ${inDays(40)} 16:00 WIB. Benar?`);
    await c.press("Ubah waktu selesai");
    expect(c.text()).toContain("Tuliskan sampai jam berapa");
    await c.say("2 hari");
    expect(c.text()).toContain(`selesai ${inDays(41)} 16:00 WIB`);
    await c.say("ya");
    expect(c.text()).toContain("(15/17)");
  });

  it("a clear duration or end time is not asked again", async () => {
    const c = new Chat(engine);
    await toEnd(c, `${inDays(45)} 09:00`);
    await c.say("3 jam");
    expect(c.text()).toContain("(15/17)");
  });
});

describe("module choices", () => {
  it("are numbered once, by the channel", async () => {
    const stored = await storeAttachment(b.ctx.db, b.ctx.storage, { bytes: pdf("Modul"), fileName: "Modul KD.pdf", maxBytes: 10e6 });
    if (!stored.ok) throw new Error("fixture refused");
    await b.ctx.db.module.create({
      data: {
        title: "Kualitas Data Sektoral",
        category: "Kualitas",
        topic: "DATA_QUALITY",
        fileType: "PDF",
        attachmentId: stored.attachment.id,
        officeId: b.ctx.defaultOfficeId,
      },
    });
    const c = new Chat(engine);
    await c.say("/start");
    await c.press("Cari modul");
    await c.say("kualitas data sektoral");
    const listed = c.last.at(-1)!;
    expect(listed.choices?.[0]?.label).toBe("Kualitas Data Sektoral");
    expect(plainText(listed)).toContain("\n1. Kualitas Data Sektoral");
    expect(plainText(listed)).not.toMatch(/\d\. \d\. /);
  });
});
