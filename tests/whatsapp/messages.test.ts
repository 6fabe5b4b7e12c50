// How the channel treats messages around the engine: read receipts and typing, replies to the
// chat the message came from, one answer per group, silence for what is not a message,
// per-chat order, numbered choices, documents from storage, and the notification sender.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../bot/channels/types.js";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { WhatsAppSender } from "../../bot/channels/whatsapp/sender.js";
import { storeAttachment } from "../../core/storage/index.js";
import { autoConnect, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, recordingEngine, until } from "./harness.js";
import { GROUP_JID, m, PDF, USER_JID, USER_LID, USER_PHONE } from "./messages.js";

let h: Harness;
const running: WhatsAppChannel[] = [];
beforeAll(async () => {
  // Replies share the pacing clock; a short gap keeps these tests about behaviour, not waiting.
  h = await harness({ WHATSAPP_MIN_GAP_MS: "50" });
});
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
  await h.redis.del(`${h.ctx.redisPrefix}:whatsapp:lease`);
});
afterAll(async () => h.close());

async function linked(reply?: Parameters<typeof recordingEngine>[0], opts: { registered?: (jid: string) => boolean; delay?: number } = {}) {
  const rec = recordingEngine(reply);
  if (opts.delay) {
    const inner = rec.engine.handle.bind(rec.engine);
    rec.engine.handle = async (e: InboundEvent) => {
      // The first message of a chat takes longest, so a naive channel would answer out of order.
      if (rec.events.length === 0) await new Promise((r) => setTimeout(r, opts.delay));
      return inner(e);
    };
  }
  const fake = fakeFactory({
    registered: opts.registered,
    onCreate: (sock) => {
      sock.pair();
      autoConnect(sock);
    },
  });
  const channel = channelFor(h, { engine: rec.engine, socketFactory: fake.factory });
  running.push(channel);
  await channel.start();
  await until(() => channel.connectedSocket(), 2_000, "open");
  return { channel, sock: fake.last() as FakeSocket, ...rec };
}

const texts = (sock: FakeSocket) => sock.sent.map((s) => ("text" in s.content ? s.content.text : "caption" in s.content ? s.content.caption : ""));

describe("around the engine", () => {
  it("marks the message read, shows typing, replies at once to the chat, then stops typing", async () => {
    const { channel, sock, events } = await linked();
    const msg = m.text("halo");
    sock.receive(msg);
    await until(() => sock.sent.length === 1);
    await channel.whenIdle();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ channel: "whatsapp", kind: "text", text: "halo", phone: USER_PHONE, externalId: USER_JID, updateId: msg.key.id });
    expect(sock.sent[0]).toMatchObject({ jid: USER_JID, content: { text: "ok text" } });
    expect(sock.receipts.map((k) => k.id)).toEqual([msg.key.id]);
    expect(sock.presences).toEqual([
      { type: "composing", jid: USER_JID },
      { type: "paused", jid: USER_JID },
    ]);
  });

  it("replies to a LID chat at its LID; the engine sees the LID identity with the phone as an attribute", async () => {
    const { channel, sock, events } = await linked();
    sock.receive(m.text("halo", { from: USER_LID, remoteJidAlt: USER_JID }));
    await until(() => sock.sent.length === 1);
    await channel.whenIdle();
    expect(sock.sent[0]!.jid).toBe(USER_LID);
    expect(events[0]).toMatchObject({ externalId: USER_LID, phone: USER_PHONE });
  });

  it("ignores our own messages, status broadcasts, newsletters, reactions and protocol messages: no engine call, no receipt, no reply", async () => {
    const { channel, sock, events } = await linked();
    sock.receive(
      m.text("echo", { fromMe: true }),
      m.text("story", { from: "status@broadcast", participant: USER_JID }),
      m.text("news", { from: "120363144038483540@newsletter" }),
      m.reaction(),
      m.revoke(),
      m.stub(),
    );
    // Offline ("append") echoes of our own messages and housekeeping stay silent too.
    sock.receiveOffline(m.text("echo from the phone", { fromMe: true }), m.reaction(), m.stub());
    await channel.whenIdle();
    expect(events).toEqual([]);
    expect(sock.sent).toEqual([]);
    expect(sock.receipts).toEqual([]);
  });

  it("answers messages a PIC sent while the bot was offline (Baileys' 'append' batch), apologising once for the delay", async () => {
    const { channel, sock, events } = await linked((e) => [{ text: `re: ${e.text}` }]);
    const hourAgo = new Date(Date.now() - 3600_000);
    const first = m.text("halo, masih buka?", { sentAt: hourAgo });
    const second = m.text("saya mau konsultasi", { sentAt: new Date(hourAgo.getTime() + 60_000) });
    sock.receiveOffline(first, second);
    await until(() => sock.sent.length === 3, 5_000, "late replies");
    await channel.whenIdle();
    expect(events.map((e) => [e.text, e.updateId])).toEqual([
      ["halo, masih buka?", first.key.id],
      ["saya mau konsultasi", second.key.id],
    ]);
    expect(events[0]!.receivedAt?.getTime()).toBe(Math.floor(hourAgo.getTime() / 1000) * 1000);
    expect(sock.sent.every((s) => s.jid === USER_JID)).toBe(true);
    const said = texts(sock);
    expect(said[0]).toMatch(/maaf/i);
    expect(said.slice(1)).toEqual(["re: halo, masih buka?", "re: saya mau konsultasi"]);
    expect(sock.receipts.map((k) => k.id)).toEqual([first.key.id, second.key.id]);
  });

  it("does not apologise for an offline message that is only seconds old (a quick reconnect)", async () => {
    const { channel, sock } = await linked((e) => [{ text: `re: ${e.text}` }]);
    sock.receiveOffline(m.text("halo", { sentAt: new Date(Date.now() - 5_000) }));
    await until(() => sock.sent.length === 1);
    await channel.whenIdle();
    expect(texts(sock)).toEqual(["re: halo"]);
  });

  it("no apology and no second answer when the offline batch repeats a message already answered", async () => {
    const { channel, sock } = await linked((e) => (e.updateId === "SEEN" ? [] : [{ text: `re: ${e.text}` }]));
    sock.receiveOffline(m.text("sudah dijawab", { id: "SEEN", sentAt: new Date(Date.now() - 3600_000) }));
    await channel.whenIdle();
    expect(sock.sent).toEqual([]);
  });

  it("ignores groups entirely (Baileys drops them unread): no engine call, no reply, not even a hint", async () => {
    const { channel, sock, events } = await linked((e) => (e.kind === "group" ? [{ text: "hanya chat pribadi" }] : [{ text: "ok" }]));
    sock.receive(m.text("halo grup", { from: GROUP_JID, participant: USER_JID }), m.document("x.pdf", 10, { from: GROUP_JID, participant: USER_JID }));
    sock.receiveOffline(m.text("pesan lama di grup", { from: GROUP_JID, participant: USER_JID, sentAt: new Date(Date.now() - 3600_000) }));
    sock.receive(m.text("halo pribadi"));
    await until(() => sock.sent.length === 1);
    await channel.whenIdle();
    expect(events.map((e) => e.kind)).toEqual(["text"]);
    expect(sock.sent.map((s) => s.jid)).toEqual([USER_JID]);
    expect(sock.options?.shouldIgnoreJid(GROUP_JID)).toBe(true);
    expect(sock.options?.shouldIgnoreJid(USER_JID)).toBe(false);
    expect(await h.redis.keys(`${h.ctx.redisPrefix}:whatsapp:group-hinted:*`)).toEqual([]);
  });

  it("answers one chat's messages in the order they were sent, even when the first is slow", async () => {
    const { channel, sock } = await linked((e) => [{ text: `re: ${e.text}` }], { delay: 150 });
    sock.receive(m.text("satu"));
    sock.receive(m.text("dua"), m.text("tiga"));
    await until(() => sock.sent.length === 3);
    await channel.whenIdle();
    expect(texts(sock)).toEqual(["re: satu", "re: dua", "re: tiga"]);
  });

  it("one person writing from the phone chat and the LID chat at once gets one turn at a time", async () => {
    const { channel, sock, engine, events } = await linked((e) => [{ text: `re: ${e.text}` }]);
    const inner = engine.handle.bind(engine);
    let active = 0;
    let most = 0;
    engine.handle = async (e: InboundEvent) => {
      active++;
      most = Math.max(most, active);
      // The first turn is slow, so a second one of the same person would overlap it if allowed.
      if (events.length === 0) await new Promise((r) => setTimeout(r, 150));
      const out = await inner(e);
      active--;
      return out;
    };
    sock.receive(m.text("dari nomor", { from: USER_JID, remoteJidAlt: USER_LID }));
    sock.receive(m.text("dari lid", { from: USER_LID, remoteJidAlt: USER_JID }));
    await until(() => sock.sent.length === 2);
    await channel.whenIdle();
    expect(events.map((e) => e.externalId)).toEqual([USER_LID, USER_LID]);
    expect(most).toBe(1);
    expect(sock.sent.map((s) => s.jid).sort()).toEqual([USER_JID, USER_LID].sort());
  });

  it("handles a batch flushed by Baileys' event buffer (messages received while offline)", async () => {
    const { channel, sock, events } = await linked();
    sock.ev.buffer();
    sock.receive(m.text("pesan 1"));
    sock.receive(m.text("pesan 2"));
    expect(events).toEqual([]);
    sock.ev.flush();
    await until(() => sock.sent.length === 2);
    await channel.whenIdle();
    expect(events.map((e) => e.text)).toEqual(["pesan 1", "pesan 2"]);
  });

  it("renders choices as a numbered list (ticking picked ones), never as buttons", async () => {
    const { channel, sock } = await linked(() => [
      {
        text: "Pilih topik:",
        multi: true,
        choices: [
          { id: "t1", label: "Satu Data Indonesia", selected: true },
          { id: "t2", label: "Kualitas Data" },
        ],
      },
    ]);
    sock.receive(m.text("x"));
    await until(() => sock.sent.length === 1);
    await channel.whenIdle();
    expect(sock.sent[0]!.content).toEqual({ text: "Pilih topik:\n\n1. ✓ Satu Data Indonesia\n2. Kualitas Data" });
  });

  it("sends a document (a module) from storage with its name, type and caption", async () => {
    const stored = await storeAttachment(h.t.db, h.ctx.storage, { bytes: PDF, fileName: "Modul Satu Data.pdf", maxBytes: 1_000_000 });
    if (!stored.ok) throw new Error("fixture not stored");
    const a = stored.attachment;
    const { channel, sock } = await linked(() => [{ text: "Ini modulnya", document: { attachmentId: a.id, fileName: a.fileName, mimeType: a.mimeType } }]);
    sock.receive(m.text("2"));
    await until(() => sock.sent.length === 1);
    await channel.whenIdle();
    const content = sock.sent[0]!.content as { document: Buffer; mimetype: string; fileName: string; caption: string };
    expect(Buffer.compare(content.document, PDF)).toBe(0);
    expect(content).toMatchObject({ mimetype: "application/pdf", fileName: "Modul Satu Data.pdf", caption: "Ini modulnya" });
  });

  it("says sorry instead of going silent when the engine itself fails", async () => {
    const { channel, sock } = await linked(() => {
      throw new Error("engine down");
    });
    sock.receive(m.text("halo"));
    await until(() => sock.sent.length === 1);
    await channel.whenIdle();
    expect(texts(sock)[0]).toMatch(/gangguan/);
  });
});

describe("WhatsAppSender (for the notification worker)", () => {
  it("sends to a JID, or to a phone after checking it is on WhatsApp; refuses when not connected here", async () => {
    const { channel, sock } = await linked(undefined, { registered: (jid) => jid !== "6281999999999@s.whatsapp.net" });
    const sender = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
    expect(sender.channel).toBe("whatsapp");
    expect(sender.ready).toBe(true);
    const r1 = await sender.send(USER_JID, { text: "Pengajuan Anda disetujui.", choices: [{ id: "a", label: "Lihat status" }] });
    expect(r1.messageId).toMatch(/^OUT/);
    await sender.send("0812-3456-7890", { text: "Pengingat" });
    expect(sock.sent.map((s) => s.jid)).toEqual([USER_JID, USER_JID]);
    expect(texts(sock)[0]).toBe("Pengajuan Anda disetujui.\n\n1. Lihat status");
    await expect(sender.send("+6281999999999", { text: "x" })).rejects.toMatchObject({ name: "WhatsAppNotRegisteredError" });

    await channel.stop();
    expect(sender.ready).toBe(false);
    await expect(sender.send(USER_JID, { text: "x" })).rejects.toMatchObject({ name: "WhatsAppNotConnectedError" });
  });
});
