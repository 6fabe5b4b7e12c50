// WhatsApp's retry protocol after a reconnect: a phone that could not decrypt a message asks
// for it again (a retry receipt). Baileys' own cache is per socket and empty after a
// reconnect, so the message must come from our PostgreSQL store, and the re-send cap must
// count across sockets.
import { DisconnectReason, proto } from "@whiskeysockets/baileys";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { WhatsAppSender } from "../../bot/channels/whatsapp/sender.js";
import { autoConnect, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, manualSchedule, recordingEngine, until } from "./harness.js";
import { USER_JID } from "./messages.js";

let h: Harness;
const running: WhatsAppChannel[] = [];
beforeAll(async () => {
  h = await harness();
});
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
  await h.redis.del(`${h.ctx.redisPrefix}:whatsapp:lease`);
});
afterAll(async () => h.close());

async function linkedWithReconnect(now?: () => number) {
  const fake = fakeFactory({
    onCreate: (sock) => {
      if (!sock.auth.creds.account) sock.pair();
      autoConnect(sock);
    },
  });
  const timer = manualSchedule();
  const channel = channelFor(h, { engine: recordingEngine().engine, socketFactory: fake.factory, schedule: timer.schedule, random: () => 0.5, now });
  running.push(channel);
  await channel.start();
  await until(() => channel.connectedSocket(), 2_000, "open");
  return { channel, fake, timer };
}

async function reconnect(fake: ReturnType<typeof fakeFactory>, timer: ReturnType<typeof manualSchedule>, channel: WhatsAppChannel) {
  const before = fake.sockets.length;
  (fake.last() as FakeSocket).close(DisconnectReason.connectionLost);
  await until(() => timer.delays().length > 0 && !channel.connectedSocket(), 2_000, "closed");
  timer.fire();
  await until(() => fake.sockets.length === before + 1 && channel.connectedSocket(), 2_000, "reopened");
  return fake.last() as FakeSocket;
}

describe("retry receipts", () => {
  it("re-sends a notice from PostgreSQL when the phone asks after a reconnect", async () => {
    const { channel, fake, timer } = await linkedWithReconnect();
    const sender = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
    const { messageId } = await sender.send(USER_JID, { text: "Pengajuan Anda disetujui." });
    // The id WhatsApp gave the message, under which it is kept for retries.
    expect(await h.t.db.whatsappSentMessage.count({ where: { id: messageId! } })).toBe(1);

    const second = await reconnect(fake, timer, channel);
    expect(await second.retryReceipt(USER_JID, messageId!)).toBe(true);
    expect(second.resent).toHaveLength(1);
    expect(proto.Message.fromObject(second.resent[0]!.message).extendedTextMessage?.text).toBe("Pengajuan Anda disetujui.");
  });

  it("caps re-sends at Baileys' five per message and device, across reconnects", async () => {
    const { channel, fake, timer } = await linkedWithReconnect();
    const sender = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
    const { messageId } = await sender.send(USER_JID, { text: "Pengingat" });
    let sock = fake.last() as FakeSocket;
    for (let i = 0; i < 3; i++) expect(await sock.retryReceipt(USER_JID, messageId!)).toBe(true);
    sock = await reconnect(fake, timer, channel);
    expect(await sock.retryReceipt(USER_JID, messageId!)).toBe(true);
    expect(await sock.retryReceipt(USER_JID, messageId!)).toBe(true);
    expect(await sock.retryReceipt(USER_JID, messageId!)).toBe(false);
  });

  it("keeps sent messages for the configured retention, then prunes them", async () => {
    let now = Date.now();
    const { channel } = await linkedWithReconnect(() => now);
    const sender = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
    const { messageId } = await sender.send(USER_JID, { text: "Lama" });
    expect(await channel.pruneSentMessages()).toBe(0);
    expect(await h.t.db.whatsappSentMessage.count({ where: { id: messageId! } })).toBe(1);
    now += (h.ctx.config.WHATSAPP_SENT_RETENTION_DAYS * 24 + 1) * 3600_000;
    expect(await channel.pruneSentMessages()).toBeGreaterThanOrEqual(1);
    expect(await h.t.db.whatsappSentMessage.count({ where: { id: messageId! } })).toBe(0);
  });
});
