// The engine on its own, with a real database and Redis: global words, choices, sessions,
// ordering, dedupe, and the hooks other parts rely on (WhatsApp phone, flow registry, clarifications).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../bot/channels/types.js";
import { defineFlow, end, go, say, stay } from "../../bot/engine/flow.js";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { safeError } from "../../bot/engine/log.js";
import { defaultFlows, FEATURES } from "../../bot/flows/index.js";
import { createDb } from "../../core/db/client.js";
import { askClarification } from "../../core/requests/clarification.js";
import { submitRequest } from "../../core/requests/service.js";
import { createContext } from "../../core/runtime/context.js";
import { createRedis } from "../../core/runtime/redis.js";
import { actorOf, makeUser, requestInput } from "../helpers/fixtures.js";
import { Chat } from "./support/chat.js";
import { type BotTestContext, botTestContext } from "./support/context.js";
import { pdf } from "./support/files.js";
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

const sessionOf = (c: Chat) =>
  b.ctx.db.conversationSession.findUniqueOrThrow({ where: { channel_externalId: { channel: c.channel, externalId: c.externalId } } });

async function toEmail(c: Chat) {
  await c.say("menu");
  await c.press("Ajukan pembinaan");
  await c.press("Setuju");
  await c.say("Siti Rahmawati");
  await c.press("Lewati");
  await c.say("0812 3456 7890");
  expect(c.text()).toContain("(4/17)");
}

describe("global words", () => {
  it("'kembali' returns to the previous question, and the earlier answers stay", async () => {
    const c = new Chat(engine);
    await toEmail(c);
    await c.say("kembali");
    expect(c.text()).toContain("(3/17) Nomor HP/WhatsApp");
    await c.say("back");
    expect(c.text()).toContain("(2/17) Berapa NIP Anda");
    await c.say("19850101 201001 2 003");
    await c.say("0813 1111 2222");
    await c.say("siti@riau.go.id");
    expect(c.text()).toContain("(5/17)");
    const state = (await sessionOf(c)).data as { state: Record<string, unknown> };
    expect(state.state).toMatchObject({ name: "Siti Rahmawati", nip: "198501012010012003", phone: "+6281311112222", email: "siti@riau.go.id" });
  });

  it("'kembali' goes back to the consent notice, and at the first question says so and asks it again", async () => {
    const c = new Chat(engine);
    await c.say("menu");
    await c.press("Ajukan pembinaan");
    await c.press("Setuju");
    await c.say("KEMBALI!");
    expect(c.text()).toContain("UU Pelindungan Data Pribadi");
    await c.say("kembali");
    expect(c.text()).toContain("Ini sudah pertanyaan pertama.");
    expect(c.text()).toContain("UU Pelindungan Data Pribadi");
    await c.say("ya");
    expect(c.text()).toContain("(1/17) Siapa nama lengkap Anda?");
  });

  it("'bantuan' explains and repeats the question; 'menu' keeps the draft, offered again later", async () => {
    const c = new Chat(engine);
    await toEmail(c);
    await c.say("bantuan");
    expect(c.text()).toContain('Ketik "kembali" untuk pertanyaan sebelumnya');
    expect(c.text()).toContain("(4/17) Alamat email Anda?");
    await c.say("/menu");
    expect(c.choices().map((x) => x.label)).toContain("Ajukan pembinaan");
    await c.press("Ajukan pembinaan");
    expect(c.text()).toContain("Anda punya isian pengajuan yang belum selesai. Lanjutkan, atau mulai dari awal?");
    await c.press("Lanjutkan");
    expect(c.text()).toContain("(4/17) Alamat email Anda?");
    await c.say("siti@riau.go.id");
    await c.say("menu");
    await c.press("Ajukan pembinaan");
    await c.press("Mulai dari awal");
    expect(c.text()).toContain("UU Pelindungan Data Pribadi");
    const data = (await sessionOf(c)).data as { state: Record<string, unknown>; paused?: unknown };
    expect(data.state).toEqual({});
    expect(data.paused).toBeUndefined();
  });

  it("'batal' in the menu just shows the menu; 'cancel' mid-form drops the answers", async () => {
    const c = new Chat(engine);
    await c.say("halo");
    await c.say("batal");
    expect(c.text()).toBe("Silakan pilih layanan (tekan tombol atau ketik nomornya):");
    await toEmail(c);
    await c.say("cancel");
    expect(c.text()).toContain("Pengajuan dibatalkan.");
    await c.press("Ajukan pembinaan");
    expect(c.text()).toContain("UU Pelindungan Data Pribadi"); // no draft offered
  });

  it("switches language with 'bahasa' (or 'english') mid-form and keeps every answer", async () => {
    const c = new Chat(engine);
    await toEmail(c);
    await c.say("bahasa");
    expect(c.choices().map((x) => x.label)).toEqual(["Bahasa Indonesia", "English"]);
    await c.say("9");
    expect(c.text()).toContain("Pilihan tidak dikenali.");
    await c.say("2");
    expect(c.text()).toContain("OK, we continue in English.");
    expect(c.text()).toContain("(4/17) Your email address?");
    await c.say("indonesia");
    expect(c.text()).toContain("Baik, kita lanjut dalam Bahasa Indonesia.");
    expect(c.text()).toContain("(4/17) Alamat email Anda?");
    const state = (await sessionOf(c)).data as { state: Record<string, unknown> };
    expect(state.state).toMatchObject({ name: "Siti Rahmawati", nip: null, phone: "+6281234567890" });
  });
});

describe("choices", () => {
  it("accept typed numbers, labels, aliases and buttons; anything else gets a hint and the same question", async () => {
    const c = new Chat(engine);
    await toEmail(c);
    await c.say("siti@riau.go.id");
    await c.say("Universitas Tidak Terdaftar");
    expect(c.text()).toContain('Instansi "Universitas Tidak Terdaftar" belum ada di daftar kami');
    expect(c.text()).toContain("(6/17) Apa tingkat instansi Anda?");
    await c.say("9");
    expect(c.text()).toContain("Pilihan tidak dikenali. Tekan salah satu tombol atau ketik nomornya, mis. 1.");
    expect(c.text()).toContain("(6/17)");
    await c.say("lainnya");
    expect(c.text()).toContain("(7/17)");
    await c.say("bukan");
    expect(c.text()).toContain("(8/17)");
    await c.say("pilih 11");
    expect(c.text()).toContain("(9/17)");
    const state = ((await sessionOf(c)).data as { state: Record<string, unknown> }).state;
    expect(state).toMatchObject({ agencyName: "Universitas Tidak Terdaftar", agencyId: null, level: "OTHER", producer: false, service: "KONSULTANSI" });
  });

  it("a button of an earlier question is refused politely, and the current question is asked again", async () => {
    const c = new Chat(engine);
    await c.say("menu");
    const menuChoice = c.choices()[0]!.id;
    await c.press("Ajukan pembinaan");
    await c.press("Setuju");
    await c.send({ kind: "choice", choiceId: menuChoice });
    expect(c.text()).toContain("Tombol itu dari pertanyaan sebelumnya.");
    expect(c.text()).toContain("(1/17) Siapa nama lengkap Anda?");
  });

  it("takes '#<n>' button data for choices whose ids were too long for the platform", async () => {
    const c = new Chat(engine);
    await c.say("menu");
    await c.send({ kind: "choice", choiceId: "#5" });
    expect(c.text()).toContain("BPS Provinsi Riau\nAlamat:");
  });
});

describe("sessions", () => {
  it("asks a person coming back after 30 minutes to continue or start over, and expires a form after 24 hours", async () => {
    let now = new Date();
    const clocked = createEngine(b.ctx, { reminders: false, now: () => now });
    try {
      const c = new Chat(clocked);
      await c.say("menu");
      await c.press("Ajukan pembinaan");
      await c.press("Setuju");
      await c.say("Siti Rahmawati");
      // Sessions remember when they were last touched; move that into the past.
      await b.ctx.db.$executeRaw`UPDATE "ConversationSession" SET "updatedAt" = now() - interval '2 hours' WHERE "externalId" = ${c.externalId}`;
      now = new Date(Date.now() + 60_000);
      await c.say("19850101 201001 2 003");
      expect(c.text()).toBe("Anda punya formulir pengajuan yang belum selesai. Lanjutkan, atau mulai dari awal?");
      await c.press("Lanjutkan");
      expect(c.text()).toContain("(2/17) Berapa NIP Anda");
      await c.say("19850101 201001 2 003");
      expect(c.text()).toContain("(3/17)");

      now = new Date(Date.now() + 25 * 3600_000);
      await c.say("0812 3456 7890");
      expect(c.text()).toContain("Formulir Anda sebelumnya sudah kedaluwarsa karena tidak ada balasan selama 24 jam.");
      expect(c.choices()[0]?.label).toBe("Ajukan pembinaan");
      await c.press("Ajukan pembinaan");
      expect(c.text()).toContain("UU Pelindungan Data Pribadi");
      const s = await sessionOf(c);
      expect(s.updatedAt.getTime()).toBe(now.getTime());
      expect(s.expiresAt.getTime()).toBeGreaterThan(now.getTime() + 23 * 3600_000);
    } finally {
      await clocked.close();
    }
  });

  it("handles a redelivered update once", async () => {
    const c = new Chat(engine);
    await c.say("menu");
    const event: InboundEvent = { channel: "web", externalId: c.externalId, updateId: "same-update-1", kind: "text", text: "1" };
    const first = await engine.handle(event);
    expect(first[0]?.text).toContain("UU Pelindungan Data Pribadi");
    const version = (await sessionOf(c)).version;
    expect(await engine.handle(event)).toEqual([]);
    expect((await sessionOf(c)).version).toBe(version);
  });

  it("keeps one person's messages in arrival order even when they arrive at once", async () => {
    const c = new Chat(engine);
    await c.say("menu");
    await c.press("Ajukan pembinaan");
    await c.press("Setuju");
    const texts = ["Siti Rahmawati", "lewati", "0812 3456 7890", "siti@riau.go.id", "Bappeda Pekanbaru"];
    const replies = await Promise.all(
      texts.map((text, i) => engine.handle({ channel: "web", externalId: c.externalId, updateId: `burst-${c.externalId}-${i}`, kind: "text", text })),
    );
    expect(replies.map((r) => /\((\d+)\/17\)/.exec(r.at(-1)!.text)?.[1])).toEqual(["2", "3", "4", "5", "5"]);
    const state = ((await sessionOf(c)).data as { state: Record<string, unknown> }).state;
    expect(state).toMatchObject({ name: "Siti Rahmawati", nip: null, phone: "+6281234567890", email: "siti@riau.go.id", agencyQuery: "Bappeda Pekanbaru" });
  });

  it("never loses an answer when two app instances get the same person's messages at once", async () => {
    // A second instance: its own database pool and Redis connection, the same database and prefix.
    const db2 = createDb(b.t.url, 5);
    const ctx2 = await createContext(b.ctx.config, { db: db2, redis: createRedis(b.ctx.config.REDIS_URL), redisPrefix: b.ctx.redisPrefix });
    const other = createEngine(ctx2, { reminders: false });
    try {
      const c = new Chat(engine);
      await fillForm(c);
      await c.press("Ubah isian");
      await c.press("Topik");
      const topicIds = c
        .choices()
        .filter((x) => x.id.startsWith("topic:"))
        .map((x) => x.id);
      expect(topicIds).toHaveLength(7);
      // Seven toggles spread over both instances; an unlocked read-modify-write would lose some.
      await Promise.all(
        topicIds.map((choiceId, i) =>
          (i % 2 ? other : engine).handle({ channel: "web", externalId: c.externalId, updateId: `two-${c.externalId}-${i}`, kind: "choice", choiceId }),
        ),
      );
      const state = ((await sessionOf(c)).data as { state: { picking: string[] } }).state;
      // The form started with 3 and 5 picked; each of the seven toggles flipped exactly one topic.
      expect([...state.picking].sort()).toEqual(["ACTION_PLAN", "BUSINESS_PROCESS", "INSTITUTIONS", "NATIONAL_SYSTEM", "STATISTICAL_ACTIVITIES"]);
    } finally {
      await other.close();
      ctx2.redis.disconnect();
      await db2.$disconnect();
    }
  });

  it("replies with an apology when a step fails, and lets a redelivery of that update try again", async () => {
    let failures = 1;
    const flaky = defineFlow({
      id: "flaky",
      menu: { label: "bot.menu.contact", order: 99 },
      begin: () => go("ask"),
      steps: {
        ask: {
          prompt: () => ({ text: "ask" }),
          answer: () => {
            if (failures-- > 0) throw new Error("database hiccup");
            return end(say("done"));
          },
        },
      },
    });
    const e = createEngine(b.ctx, { reminders: false, flows: defaultFlows([flaky]) });
    try {
      const c = new Chat(e);
      await c.say("menu");
      await c.say("1");
      const event: InboundEvent = { channel: "web", externalId: c.externalId, updateId: "flaky-1", kind: "text", text: "hello" };
      expect((await e.handle(event))[0]?.text).toContain("Maaf, sedang ada gangguan.");
      expect((await e.handle(event))[0]?.text).toContain("done");
    } finally {
      await e.close();
    }
  });
});

describe("hooks for other channels and flows", () => {
  it("on WhatsApp offers the chat's own number and finds requests naming that phone", async () => {
    const phone = "+6281377778888";
    await submitRequest(b.ctx.db, requestInput({ requesterPhone: "0811 2222 3333", picPhone: phone, picName: "Budi" }), {
      channel: "web",
      defaultOfficeId: b.offices.riau.id,
    });
    const c = new Chat(engine, `${phone.slice(1)}@s.whatsapp.net`, "whatsapp", { phone });
    await c.say("menu");
    await c.press("Cek status");
    expect(c.text()).toMatch(/PB-\d{4}-\d{5} · Diklat\/Bimtek/);
    await c.say("menu");
    await c.press("Ajukan pembinaan");
    await c.press("Setuju");
    // The number has a request already: its details are offered; declining asks every question.
    expect(c.text()).toContain("Gunakan data sebelumnya");
    await c.press("Tidak");
    await c.say("Budi Santoso");
    await c.press("Lewati");
    expect(c.choices().map((x) => x.label)).toEqual([`Pakai nomor ini (${phone})`]);
    await c.say("1");
    expect(((await sessionOf(c)).data as { state: { phone: string } }).state.phone).toBe(phone);
  });

  it("runs a flow added to the registry, including one that claims files sent from the menu", async () => {
    expect(FEATURES.map((f) => f.id).slice(0, 5)).toEqual(["request", "status", "modules", "testimonial", "contact"]);
    const coach = await makeUser(b.ctx.db, b.offices.riau.id, ["COACH"], "Rina Coach");
    const filing = defineFlow<{ attachmentId?: string }>({
      id: "filing",
      claims: (event, who) => event.kind === "file" && !!who.user?.roles.includes("COACH"),
      begin: async (turn) => {
        const stored = await turn.storeFile({ uploadedById: turn.who.user!.id });
        if (!stored.ok) return end(stored.reply);
        turn.state.attachmentId = stored.attachment.id;
        return go("kind");
      },
      steps: {
        kind: {
          prompt: () => ({ text: "Which kind?", choices: [{ id: "minutes", label: "Minutes" }] }),
          answer: (a, turn) => (a.choice ? end(say(`filed ${turn.state.attachmentId}`)) : stay()),
        },
      },
    });
    const e = createEngine(b.ctx, { reminders: false, flows: defaultFlows([filing]) });
    try {
      const stranger = new Chat(e);
      await stranger.say("menu");
      await stranger.file(pdf(), "notulen.pdf");
      expect(stranger.text()).toContain("Saat ini saya tidak sedang meminta berkas.");
      const c = new Chat(e);
      await c.say("menu");
      const identity = await b.ctx.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "web", externalId: c.externalId } } });
      await b.ctx.db.channelIdentity.update({ where: { id: identity.id }, data: { userId: coach.id } });
      await c.file(pdf("Notulen"), "notulen.pdf");
      expect(c.text()).toBe("Which kind?");
      await c.press("Minutes");
      const id = /filed (\S+)/.exec(c.text())?.[1];
      expect(await b.ctx.db.attachment.findUniqueOrThrow({ where: { id } })).toMatchObject({ uploadedById: coach.id, mimeType: "application/pdf" });
    } finally {
      await e.close();
    }
  });

  it("records a free-text answer to an open clarification question (not while filling a form)", async () => {
    const c = new Chat(engine);
    await c.say("menu");
    const identity = await b.ctx.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "web", externalId: c.externalId } } });
    const { request } = await submitRequest(b.ctx.db, requestInput(), { channel: "web", identityId: identity.id, defaultOfficeId: b.offices.riau.id });
    const supervisor = await makeUser(b.ctx.db, request.officeId, ["SUPERVISOR"]);
    await askClarification(b.ctx.db, actorOf(supervisor), request.id, "Berapa jumlah peserta?");
    await c.press("Ajukan pembinaan");
    await c.press("Setuju");
    await c.say("Siti Rahmawati"); // a form answer, not a clarification
    await c.say("menu");
    await c.say("Pesertanya sekitar 30 orang.");
    expect(c.text()).toBe(`Terima kasih, jawaban Anda untuk pengajuan ${request.code} sudah diteruskan ke petugas.`);
    const messages = await b.ctx.db.requestMessage.findMany({ where: { requestId: request.id }, orderBy: { createdAt: "asc" } });
    expect(messages.map((m) => [m.direction, m.text])).toEqual([
      ["OUTBOUND", "Berapa jumlah peserta?"],
      ["INBOUND", "Pesertanya sekitar 30 orang."],
    ]);
    await c.say("halo lagi");
    expect(c.text()).toContain("Halo! Saya Sibina");
  });

  it("answers a group once with the private-chat hint", async () => {
    const group = { channel: "telegram" as const, externalId: "-4242", kind: "group" as const };
    expect((await engine.handle({ ...group, updateId: "g1" }))[0]?.text).toContain("hanya melayani chat pribadi");
    expect(await engine.handle({ ...group, updateId: "g2" })).toEqual([]);
  });

  it("agency search lists only the names holding every typed word when there are any", async () => {
    const c = new Chat(engine);
    await toEmail(c);
    await c.say("siti@dinkes.riau.go.id");
    await c.say("dinas kesehatan");
    const agencies = c
      .choices()
      .filter((x) => x.id.startsWith("agency:"))
      .map((x) => x.label);
    expect(agencies).toEqual(["Dinas Kesehatan Provinsi Riau"]);
    await c.say("dinas riau");
    const both = c
      .choices()
      .filter((x) => x.id.startsWith("agency:"))
      .map((x) => x.label)
      .sort();
    expect(both).toEqual(["Dinas Kesehatan Provinsi Riau", "Dinas Komunikasi, Informatika dan Statistik Provinsi Riau"]);
  });

  it('at the summary, a bare field number explains how to edit it and "ubah 11" opens that field', async () => {
    const c = new Chat(engine);
    await fillForm(c);
    await c.say("11");
    expect(c.text()).toContain('Untuk mengubah isian nomor 11, ketik "ubah 11"');
    expect(c.text()).toContain("Ringkasan pengajuan Anda:");
    await c.say("ubah 11");
    expect(c.text()).toMatch(/\(11\/17\)/);
    await c.say("Ruang Rapat Lantai 2, Kantor Bupati");
    expect(c.text()).toContain("11. Lokasi: Ruang Rapat Lantai 2, Kantor Bupati");
  });

  it("submits one request per form even when the confirmation arrives twice with different update ids", async () => {
    const c = new Chat(engine);
    await fillForm(c, { start: `${inDays(700)} 09:00` });
    const confirm = c.choices().find((x) => x.id === "confirm")!.id;
    const [a, bb] = await Promise.all([
      engine.handle({ channel: "web", externalId: c.externalId, updateId: "double-1", kind: "choice", choiceId: confirm }),
      engine.handle({ channel: "web", externalId: c.externalId, updateId: "double-2", kind: "choice", choiceId: confirm }),
    ]);
    expect(a[0]?.text).toMatch(/terkirim dengan kode/);
    expect(bb[0]?.text).toContain("Tombol itu dari pertanyaan sebelumnya.");
    const identity = await b.ctx.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "web", externalId: c.externalId } } });
    expect(await b.ctx.db.coachingRequest.count({ where: { identityId: identity.id } })).toBe(1);
  });
});

describe("logs", () => {
  it("log errors without the failed request's payload or the bot token", () => {
    const err = Object.assign(new Error("403: Forbidden: request to https://api.telegram.org/bot123456:AAH-secret_token/sendMessage failed"), {
      code: 403,
      on: { method: "sendMessage", payload: { chat_id: 42, text: "NIP 198501012010012003, HP +6281234567890" } },
    });
    const logged = JSON.stringify(safeError(err));
    expect(logged).toContain("403: Forbidden");
    expect(logged).not.toContain("AAH-secret_token");
    expect(logged).not.toContain("198501012010012003");
    expect(logged).not.toContain("+6281234567890");
    expect(safeError(err)).toMatchObject({ name: "Error", code: 403 });
  });
});
