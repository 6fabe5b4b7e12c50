// The office number's sending limits: replies share the pacing clock (a small burst allowed),
// a daily cap with a warm-up for a newly linked number, WhatsApp's own rate limit (a Boom
// with data 429) pauses the channel, and onWhatsApp lookups are asked once.
import { Boom } from "@hapi/boom";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { WhatsAppSender } from "../../bot/channels/whatsapp/sender.js";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { dailyCap, NO_PACING, officeDay, Pacer } from "../../bot/delivery/pacing.js";
import { retryAfterMs, WHATSAPP_RATE_LIMIT_PAUSE_MS } from "../../bot/delivery/senders.js";
import { makeUser } from "../helpers/fixtures.js";
import { autoConnect, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, recordingEngine, until } from "./harness.js";
import { m } from "./messages.js";

const GAP = 400;
let h: Harness;
const running: WhatsAppChannel[] = [];
const deliveries: Delivery[] = [];
beforeAll(async () => {
  h = await harness({
    WHATSAPP_MIN_GAP_MS: String(GAP),
    WHATSAPP_RECIPIENT_GAP_MS: "0",
    WHATSAPP_REPLY_BURST: "3",
    WHATSAPP_DAILY_CAP: "2",
    WHATSAPP_WARMUP_DAYS: "0",
  });
});
afterEach(async () => {
  for (const d of deliveries.splice(0)) await d.stop();
  for (const c of running.splice(0)) await c.stop();
  const keys = await h.redis.keys(`${h.ctx.redisPrefix}:*`);
  if (keys.length) await h.redis.del(...keys);
  await h.t.db.delivery.deleteMany({});
  await h.t.db.outbox.deleteMany({});
});

let person = 0;
afterAll(async () => h.close());

async function linked() {
  const fake = fakeFactory({
    onCreate: (sock) => {
      sock.pair();
      autoConnect(sock);
    },
  });
  const channel = channelFor(h, { engine: recordingEngine().engine, socketFactory: fake.factory });
  running.push(channel);
  await channel.start();
  await until(() => channel.connectedSocket(), 2_000, "open");
  return { channel, sock: fake.last() as FakeSocket };
}

async function noticesTo(n: number) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const admin = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
    await h.t.db.channelIdentity.create({
      data: { channel: "whatsapp", externalId: `6281233${String(++person).padStart(5, "0")}@s.whatsapp.net`, userId: admin.id, lastSeenAt: new Date() },
    });
    const row = await h.t.db.outbox.create({
      data: {
        kind: "channel.whatsapp_logged_out",
        dedupeKey: `limits:${Date.now()}:${i}`,
        recipientKind: "ADMIN",
        recipientUserId: admin.id,
        payload: { channel: "whatsapp" },
      },
    });
    ids.push(row.id);
  }
  return ids;
}

describe("replies share the pacing clock", () => {
  it("a burst of people writing at once gets the first replies at once, then one per gap", async () => {
    const { channel, sock } = await linked();
    const people = Array.from({ length: 7 }, (_, i) => `62852000000${i}@s.whatsapp.net`);
    sock.receive(...people.map((jid) => m.text("halo", { from: jid })));
    await until(() => sock.sent.length === people.length, 20_000, "all replies");
    await channel.whenIdle();
    const at = sock.sent.map((s) => s.at);
    // Three (the burst) may go together; reply i (from 0) waits until the clock allows (i - 2) gaps.
    for (let i = 3; i < at.length; i++) expect(at[i]! - at[0]!).toBeGreaterThanOrEqual((i - 2) * GAP - 60);
  });
});

describe("daily cap and warm-up", () => {
  it("ramps the cap up over the warm-up days after linking, and is the full cap without a link date", () => {
    const day = 86_400_000;
    const linked = new Date("2026-11-01T03:00:00Z");
    expect(dailyCap(200, 14, linked, linked.getTime() + 60_000)).toBe(14);
    expect(dailyCap(200, 14, linked, linked.getTime() + 7 * day)).toBe(107);
    expect(dailyCap(200, 14, linked, linked.getTime() + 14 * day)).toBe(200);
    expect(dailyCap(200, 14, null, linked.getTime())).toBe(200);
    expect(dailyCap(200, 0, linked, linked.getTime())).toBe(200);
    // The office day is WIB: 17:30 UTC is already the next day in Jakarta.
    expect(officeDay(Date.parse("2026-11-29T17:30:00Z")).key).toBe("2026-11-30");
    expect(officeDay(Date.parse("2026-11-29T16:59:00Z")).endsInMs).toBe(60_000);
  });

  it("stops proactive notices at the day's cap; the rest wait for the next day", async () => {
    const { channel, sock } = await linked();
    expect(await channel.dailyCap()).toBe(2);
    await noticesTo(3);
    const sender = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
    deliveries.push(startDelivery(h.ctx, [sender], { relay: { pollMs: 50 }, workers: { whatsapp: { pacing: NO_PACING } } }));
    await until(() => sock.sent.length === 2, 10_000, "two notices");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sock.sent).toHaveLength(2);
    const pacer = new Pacer(h.redis, h.ctx.redisPrefix, "whatsapp", NO_PACING);
    expect(await pacer.sentToday(officeDay(Date.now()).key)).toBe(2);
    expect(await h.t.db.outbox.count({ where: { status: "QUEUED" } })).toBe(1);
  });

  it("a new pairing starts the warm-up that day", async () => {
    const h2 = await harness({ WHATSAPP_DAILY_CAP: "300", WHATSAPP_WARMUP_DAYS: "14" });
    try {
      const fake = fakeFactory({ onCreate: autoConnect });
      const channel = channelFor(h2, { engine: recordingEngine().engine, socketFactory: fake.factory });
      await channel.start();
      const sock = await until(() => fake.last());
      expect(await channel.dailyCap()).toBe(300); // nothing paired yet: no warm-up on record
      sock.pair();
      sock.open();
      await until(() => channel.connectedSocket());
      await until(async () => (await channel.dailyCap()) === 20, 2_000, "warm-up cap");
      await channel.stop();
    } finally {
      await h2.close();
    }
  });
});

describe("WhatsApp's rate limit and lookups", () => {
  it("recognises Baileys' rate-overlimit Boom (data 429) and pauses the channel instead of failing the notice", async () => {
    expect(retryAfterMs(new Boom("rate-overlimit", { data: 429 }))).toBe(WHATSAPP_RATE_LIMIT_PAUSE_MS);
    expect(retryAfterMs(new Boom("Connection Closed", { statusCode: 428 }))).toBeNull();
    const { channel, sock } = await linked();
    sock.rateLimitedSends = 1;
    const [id] = await noticesTo(1);
    const sender = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
    deliveries.push(startDelivery(h.ctx, [sender], { relay: { pollMs: 50 }, workers: { whatsapp: { pacing: NO_PACING } } }));
    const pacer = new Pacer(h.redis, h.ctx.redisPrefix, "whatsapp", NO_PACING);
    await until(async () => (await pacer.pausedFor()) > WHATSAPP_RATE_LIMIT_PAUSE_MS - 60_000, 10_000, "paused");
    const row = await h.t.db.outbox.findUniqueOrThrow({ where: { id: id! } });
    expect(row).toMatchObject({ status: "QUEUED", attempts: 0 });
    expect(await h.t.db.delivery.count({ where: { outboxId: id! } })).toBe(0);
  });

  it("asks WhatsApp whether a number is on it once, not for every notice", async () => {
    const { channel, sock } = await linked();
    const sender = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
    await sender.send("+6281234560001", { text: "satu" });
    await sender.send("0812-3456-0001", { text: "dua" });
    expect(sock.lookups).toEqual(["6281234560001@s.whatsapp.net"]);
    expect(sock.sent).toHaveLength(2);
  });
});
