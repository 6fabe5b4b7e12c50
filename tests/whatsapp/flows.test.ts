// The real conversation engine over WhatsApp: a whole request typed the way people type on
// WhatsApp (numbers from the numbered lists), the phone question defaulting to the chat's
// own number, an attachment, status lookup, and a restart in the middle of the form.
import type { WAMessage } from "@whiskeysockets/baileys";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { phoneFromJid } from "../../bot/channels/whatsapp/identity.js";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { t } from "../../core/messages/index.js";
import { formatDate } from "../../core/validation/datetime.js";
import { autoConnect, FakeLidStore, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, until } from "./harness.js";
import { EXE, m, PDF, USER_JID, USER_LID, USER_PHONE } from "./messages.js";

let h: Harness;
const files = new Map<string, Buffer>();
const downloaded: string[] = [];
const open: { channel: WhatsAppChannel; engine: Engine }[] = [];

beforeAll(async () => {
  // The conversation is under test here; reply pacing has its own tests (limits.test.ts). At the
  // production gap of 2 s per reply this file's conversations alone took over three minutes.
  h = await harness({ WHATSAPP_MIN_GAP_MS: "100" });
});
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.channel.stop();
    await o.engine.close();
  }
  await h.redis.del(`${h.ctx.redisPrefix}:whatsapp:lease`);
});
afterAll(async () => h.close());

/** One app process: an engine and a WhatsApp channel on a linked fake socket. */
async function boot(lids?: FakeLidStore) {
  const engine = createEngine(h.ctx, { reminders: false });
  const fake = fakeFactory({
    lids,
    onCreate: (sock) => {
      sock.pair();
      autoConnect(sock);
    },
  });
  const channel = channelFor(h, {
    engine,
    socketFactory: fake.factory,
    download: async (msg) => {
      downloaded.push(msg.key.id ?? "");
      return files.get(msg.key.id ?? "") ?? Buffer.alloc(0);
    },
  });
  open.push({ channel, engine });
  await channel.start();
  await until(() => channel.connectedSocket(), 2_000, "open");
  return { channel, engine, sock: fake.last() as FakeSocket };
}

/** A person chatting: sends, waits for the answers, reads the numbered lists. */
class Chat {
  replies: string[] = [];
  constructor(
    private app: { channel: WhatsAppChannel; sock: FakeSocket },
    readonly from = USER_JID,
    readonly alt?: string,
  ) {}
  /** The number WhatsApp vouches for: the chat's phone JID, or the LID's alternate. */
  get phone(): string {
    return phoneFromJid(this.alt ?? this.from)!;
  }
  use(app: { channel: WhatsAppChannel; sock: FakeSocket }) {
    this.app = app;
  }
  async send(msg: WAMessage): Promise<string> {
    const before = this.app.sock.sent.length;
    this.app.sock.receive(msg);
    await this.app.channel.whenIdle();
    const sent = this.app.sock.sent.slice(before);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((s) => s.jid === this.from)).toBe(true);
    this.replies = sent.map((s) => ("text" in s.content ? s.content.text : "caption" in s.content ? (s.content.caption ?? "") : ""));
    return this.replies.join("\n\n");
  }
  say(text: string) {
    return this.send(m.text(text, { from: this.from, remoteJidAlt: this.alt }));
  }
  /** The number the last reply gives to a choice, found in its numbered list. */
  number(label: string): string {
    const text = this.replies.join("\n");
    const line = text.split("\n").find((l) => new RegExp(`^\\d+\\. (✓ )?${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`).test(l));
    if (!line) throw new Error(`no choice "${label}" in:\n${text}`);
    return line.split(".")[0]!;
  }
  async choose(label: string) {
    return this.say(this.number(label));
  }
}

const id = (key: Parameters<typeof t>[1], params?: Parameters<typeof t>[2]) => t("id", key, params);
const inTwoWeeks = () => `${formatDate(new Date(Date.now() + 14 * 24 * 3600_000), "WIB")} 09:00`;

/** Answers the form up to the attachment question. */
async function fillForm(chat: Chat, name: string, agency: string, restartAfterEmail?: () => Promise<void>) {
  expect(await chat.say("halo")).toContain(id("bot.menu.submit"));
  expect(await chat.choose(id("bot.menu.submit"))).toContain(id("form.consent.agree"));
  await chat.choose(id("form.consent.agree"));
  await chat.say(name);
  expect(await chat.say("1985 0101 2010")).toContain("18"); // a bad NIP gets a hint, same question again
  await chat.say("lewati");
  // The phone question offers the chat's own WhatsApp number.
  const phoneQ = chat.replies.join("\n");
  expect(phoneQ).toContain(id("form.phone.useThis", { phone: chat.phone }));
  await chat.choose(id("form.phone.useThis", { phone: chat.phone }));
  await chat.say("siddik@riau.go.id");
  await restartAfterEmail?.();
  expect(await chat.say(agency)).toContain("Pemerintah Provinsi");
  await chat.choose("Pemerintah Provinsi");
  await chat.say("ya");
  await chat.choose("FGD");
  await chat.say("1, 3");
  await chat.say("FGD penyusunan metadata statistik sektoral untuk OPD di lingkungan Pemprov Riau.");
  await chat.say("Aula Diskominfo, Jl. Sudirman, Pekanbaru");
  await chat.choose("Luring (tatap muka)");
  await chat.say(inTwoWeeks());
  return chat.say("3 jam");
}

describe("the engine over WhatsApp", () => {
  it("a whole request: numbered answers, the chat's phone as default, an attachment, and a ticket code", async () => {
    const app = await boot();
    const chat = new Chat(app);
    await fillForm(chat, "Siddik Pratama", "Dinas Kominfo Provinsi Riau");
    expect(await chat.say("sama")).toContain(id("bot.skip"));

    // The attachment question: a disguised executable is refused, a real PDF is taken.
    const exe = m.document("surat.pdf", EXE.length);
    files.set(exe.key.id!, EXE);
    expect(await chat.send(exe)).toContain(id("bot.file.badType"));
    const pdf = m.documentWithCaption("Surat Permohonan FGD.pdf", PDF.length, "surat permohonan");
    files.set(pdf.key.id!, PDF);
    const summary = await chat.send(pdf);
    expect(summary).toContain('"Surat Permohonan FGD.pdf"');
    expect(summary).toContain(USER_PHONE);

    const done = await chat.choose(id("form.summary.confirm"));
    const code = /PB-\d{4}-\d{5}/.exec(done)?.[0];
    expect(code).toMatch(/^PB-\d{4}-\d{5}$/);
    const request = await h.t.db.coachingRequest.findFirstOrThrow({ where: { code }, include: { attachments: true, identity: true } });
    expect(request).toMatchObject({
      channel: "whatsapp",
      requesterName: "Siddik Pratama",
      requesterPhone: USER_PHONE,
      picPhone: USER_PHONE,
      serviceType: "FGD",
      mode: "OFFLINE",
    });
    expect(request.topics).toEqual(["STATISTICAL_ACTIVITIES", "SATU_DATA"]);
    expect(request.identity).toMatchObject({ channel: "whatsapp", externalId: USER_JID, phone: USER_PHONE });
    expect(request.attachments).toHaveLength(1);
    expect(Buffer.compare(await h.ctx.storage.get(request.attachments[0]!.storageKey), PDF)).toBe(0);
    // Every handled message was marked read.
    expect(app.sock.receipts.length).toBeGreaterThanOrEqual(20);

    // Status: by the menu, and by typing the code.
    await chat.say("menu");
    const list = await chat.choose(id("bot.menu.status"));
    expect(list).toContain(code);
    const detail = await chat.say(code!);
    expect(detail).toContain(`Pengajuan ${code}`);
    expect(detail).toContain("Menunggu");

    // Someone else asking for that code learns nothing.
    const stranger = new Chat(app, "6285200001111@s.whatsapp.net");
    await stranger.say("halo");
    expect(await stranger.say(code!)).toContain(id("status.notFound", { code: code! }));
  });

  it("an oversized attachment is refused from its announced size, without downloading", async () => {
    const app = await boot();
    const chat = new Chat(app, "6281300002222@s.whatsapp.net");
    await fillForm(chat, "Rina Marlina", "Bappeda Kota Pekanbaru");
    await chat.say("sama");
    const big = m.document("Laporan.pdf", 25 * 1024 * 1024, { from: chat.from });
    expect(await chat.send(big)).toContain(id("bot.file.tooLarge", { max: 10 }));
    expect(downloaded).not.toContain(big.key.id);
    expect(await chat.say("lewati")).toContain(id("form.summary.confirm"));
  });

  it("a restart in the middle of the form continues where the person was", async () => {
    let app = await boot();
    const chat = new Chat(app, "6281400003333@s.whatsapp.net");
    await fillForm(chat, "Budi Santoso", "Dinas Kesehatan Provinsi Riau", async () => {
      // The process stops (engine and channel) and a new one starts on the same database.
      const o = open.pop()!;
      await o.channel.stop();
      await o.engine.close();
      app = await boot();
      chat.use(app);
    });
    const summary = await chat.say("sama");
    expect(summary).toContain(id("bot.skip"));
    const done = await chat.say("lewati").then(() => chat.choose(id("form.summary.confirm")));
    const code = /PB-\d{4}-\d{5}/.exec(done)?.[0];
    const request = await h.t.db.coachingRequest.findFirstOrThrow({ where: { code } });
    expect(request).toMatchObject({
      requesterName: "Budi Santoso",
      requesterPhone: chat.phone,
      requesterEmail: "siddik@riau.go.id",
      agencyName: "Dinas Kesehatan Provinsi Riau",
    });
  });

  it("a LID contact is the same person as their phone: the form offers their number and replies go to the LID chat", async () => {
    const app = await boot();
    const chat = new Chat(app, USER_LID, USER_JID);
    await chat.say("menu");
    await chat.choose(id("bot.menu.submit"));
    // This number has asked before: the previous details are offered; declining asks everything.
    if ((await chat.choose(id("form.consent.agree"))).includes("Gunakan data sebelumnya")) await chat.choose(id("bot.no"));
    await chat.say("Siddik Pratama");
    expect(await chat.say("lewati")).toContain(id("form.phone.useThis", { phone: USER_PHONE }));
    await chat.say("batal");
  });

  it("a LID-first contact whose phone mapping arrives later stays one person mid-conversation", async () => {
    const lids = new FakeLidStore();
    const app = await boot(lids);
    const lid = "111122223333444@lid";
    const pnJid = "6281500006666@s.whatsapp.net";
    const phone = "+6281500006666";
    const mine = { channel: "whatsapp" as const, externalId: { in: [lid, pnJid] } };
    // First contact from the LID chat; WhatsApp has not told us the number yet.
    const byLid = new Chat(app, lid);
    await byLid.say("menu");
    await byLid.choose(id("bot.menu.submit"));
    await byLid.choose(id("form.consent.agree"));
    expect(await h.t.db.channelIdentity.findMany({ where: mine, select: { externalId: true, phone: true } })).toEqual([{ externalId: lid, phone: null }]);
    // The mapping arrives, then the person writes from their phone chat: same identity, same session.
    lids.learn(app.sock, lid, pnJid);
    await until(async () => (await h.t.db.channelIdentity.findFirst({ where: { externalId: lid } }))?.phone === phone, 2_000, "phone added");
    const byPhone = new Chat(app, pnJid);
    await byPhone.say("Siddik Pratama"); // the name question of the form in progress
    expect(await byPhone.say("lewati")).toContain(id("form.phone.useThis", { phone }));
    const rows = await h.t.db.channelIdentity.findMany({ where: mine, select: { externalId: true, phone: true } });
    expect(rows).toEqual([{ externalId: lid, phone }]);
    expect(await h.t.db.conversationSession.count({ where: mine })).toBe(1);
    await byPhone.say("batal");
  });

  it("a contact first seen by phone number is moved onto its LID when the mapping appears", async () => {
    const lids = new FakeLidStore();
    const app = await boot(lids);
    const pnJid = "6281500007777@s.whatsapp.net";
    const lid = "987654321098765@lid";
    const byPhone = new Chat(app, pnJid);
    await byPhone.say("menu");
    await byPhone.choose(id("bot.menu.submit"));
    await byPhone.choose(id("form.consent.agree"));
    const before = await h.t.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "whatsapp", externalId: pnJid } } });
    lids.learn(app.sock, lid, pnJid);
    await until(async () => (await h.t.db.channelIdentity.findUnique({ where: { id: before.id } }))?.externalId === lid, 2_000, "rekeyed");
    // The person now writes from the LID chat: the form goes on.
    const byLid = new Chat(app, lid);
    await byLid.say("Rina");
    expect(await byLid.say("lewati")).toContain(id("form.phone.useThis", { phone: "+6281500007777" }));
    const after = await h.t.db.channelIdentity.findUniqueOrThrow({ where: { id: before.id } });
    expect(after).toMatchObject({ externalId: lid, phone: "+6281500007777", requesterId: before.requesterId });
    expect(await h.t.db.channelIdentity.count({ where: { externalId: pnJid } })).toBe(0);
    await byLid.say("batal");
  });

  it("a PIC who writes while the bot restarts gets an answer afterwards, once, with an apology for the wait", async () => {
    const first = await boot();
    await first.channel.stop();
    await first.engine.close();
    open.splice(0);
    // Written during the restart: WhatsApp acked it (two grey ticks) and delivers it as offline.
    const jid = "6281500008888@s.whatsapp.net";
    const msg = m.text("halo, saya mau mengajukan pembinaan", { from: jid, sentAt: new Date(Date.now() - 10 * 60_000) });
    const app = await boot();
    app.sock.receiveOffline(msg);
    await until(() => app.sock.sent.filter((s) => s.jid === jid).length >= 2, 10_000, "late answer");
    await app.channel.whenIdle();
    const said = app.sock.sent.filter((s) => s.jid === jid).map((s) => ("text" in s.content ? s.content.text : ""));
    expect(said[0]).toBe(id("whatsapp.reply.late"));
    expect(said.slice(1).join("\n")).toContain(id("bot.menu.submit"));
    // Delivered again (another reconnect, or the next holder after a handover): not answered twice.
    const before = app.sock.sent.length;
    app.sock.receiveOffline(msg);
    await app.channel.whenIdle();
    expect(app.sock.sent.length).toBe(before);
  });

  it("a redelivered message (same key id) is answered once", async () => {
    const app = await boot();
    const msg = m.text("halo", { from: "6281500004444@s.whatsapp.net" });
    const chat = new Chat(app, "6281500004444@s.whatsapp.net");
    await chat.send(msg);
    const before = app.sock.sent.length;
    app.sock.receive(msg);
    await app.channel.whenIdle();
    expect(app.sock.sent.length).toBe(before);
  });
});
