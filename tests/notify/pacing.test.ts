// Pacing measured on send timestamps: WhatsApp's conservative gaps (overall and per number),
// Telegram's 1 message per second per chat, and two relays never queue a row twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDelivery } from "../../bot/delivery/index.js";
import { deliveryQueues } from "../../bot/delivery/queues.js";
import { relayOnce } from "../../bot/delivery/relay.js";
import type { Sender } from "../../bot/delivery/senders.js";
import { createEngine } from "../../bot/engine/index.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { makeUser, seedOffices } from "../helpers/fixtures.js";
import { closeContext, notifyContext, recordingSender, waitFor } from "./helpers.js";

let t: TestDb;
let ctx: AppContext;
let officeId: string;

beforeAll(async () => {
  t = await createTestDb();
  officeId = (await seedOffices(t.db)).riau.id;
  ctx = await notifyContext(t, { WHATSAPP_MIN_GAP_MS: "150", WHATSAPP_RECIPIENT_GAP_MS: "500", TELEGRAM_RATE_PER_SECOND: "28" });
});
afterAll(async () => {
  await closeContext(ctx);
  await t.drop();
});

/** `perPerson` alerts for each of `people` admins reachable on `channel`. */
async function alerts(tag: string, channel: "whatsapp" | "telegram" | "web", people: number, perPerson: number) {
  const admins = await Promise.all(Array.from({ length: people }, (_, i) => makeUser(t.db, officeId, ["ADMIN"], `${tag} ${i}`)));
  await t.db.channelIdentity.createMany({
    data: admins.map((a, i) => ({ channel, externalId: channel === "whatsapp" ? `62812000${tag.length}${i}@s.whatsapp.net` : `${tag}-${i}`, userId: a.id })),
  });
  const rows = admins.flatMap((a, i) =>
    Array.from({ length: perPerson }, (_, k) => ({
      kind: "channel.whatsapp_logged_out",
      dedupeKey: `${tag}:${i}:${k}`,
      recipientKind: "ADMIN" as const,
      recipientUserId: a.id,
      payload: { channel: "whatsapp", k },
    })),
  );
  await t.db.outbox.createMany({ data: rows });
  return rows.length;
}

const gaps = (times: number[]) => times.slice(1).map((at, i) => at - times[i]!);

describe("pacing", () => {
  it("WhatsApp: one message per gap overall (with jitter) and a longer gap per recipient", async () => {
    const n = await alerts("wa", "whatsapp", 2, 3);
    const wa = recordingSender("whatsapp");
    const delivery = startDelivery(ctx, [wa], { relay: { pollMs: 50 } });
    try {
      await waitFor(() => wa.sent.length === n, 20_000, "all WhatsApp sends");
      const all = wa.sent.map((m) => m.at);
      expect(Math.min(...gaps(all))).toBeGreaterThanOrEqual(150 - 2);
      for (const address of new Set(wa.sent.map((m) => m.address))) {
        expect(Math.min(...gaps(wa.sent.filter((m) => m.address === address).map((m) => m.at)))).toBeGreaterThanOrEqual(500 - 2);
      }
      // Jitter: the gaps are not all the same.
      expect(new Set(gaps(all).map((g) => Math.round(g / 10))).size).toBeGreaterThan(1);
    } finally {
      await delivery.stop();
    }
  });

  it("WhatsApp: the idle reminder of a half-filled form is a paced notice like any other", async () => {
    // A PIC starts the form on WhatsApp and goes quiet while two alerts to them are queued.
    const jid = "6281277000111@s.whatsapp.net";
    const engine = createEngine(ctx, { idleReminderMs: 400 });
    const wa = recordingSender("whatsapp");
    const delivery = startDelivery(ctx, [wa], { relay: { pollMs: 50 } });
    try {
      let k = 0;
      const say = (text: string) =>
        engine.handle({ channel: "whatsapp", externalId: jid, updateId: `idle-${k++}`, kind: "text", text, phone: "+6281277000111" });
      await say("halo");
      await say("1");
      const identity = await t.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "whatsapp", externalId: jid } } });
      const admin = await makeUser(t.db, officeId, ["ADMIN"], "idle admin");
      await t.db.channelIdentity.update({ where: { id: identity.id }, data: { userId: admin.id } });
      await t.db.outbox.createMany({
        data: [0, 1].map((i) => ({
          kind: "channel.whatsapp_logged_out",
          dedupeKey: `idle-alert:${i}`,
          recipientKind: "ADMIN" as const,
          recipientUserId: admin.id,
          payload: { channel: "whatsapp" },
        })),
      });
      const reminder = await waitFor(() => wa.sent.find((m) => m.text.includes("belum selesai")), 30_000, "the idle reminder");
      await waitFor(() => wa.sent.length >= 3, 30_000, "the alerts");
      // Sent by the paced worker to that address, never closer than the per-recipient gap.
      expect(reminder.address).toBe(jid);
      const times = wa.sent.filter((m) => m.address === jid).map((m) => m.at);
      expect(Math.min(...gaps(times))).toBeGreaterThanOrEqual(500 - 2);
      const row = await waitFor(
        () => t.db.outbox.findFirst({ where: { kind: "reminder.idle", recipientIdentityId: identity.id, status: "SENT" } }),
        30_000,
        "the reminder's row marked sent",
      );
      expect(row.recipientKind).toBe("CHAT");
      expect(await t.db.outbox.count({ where: { kind: "reminder.idle", recipientIdentityId: identity.id } })).toBe(1);
    } finally {
      await delivery.stop();
      await engine.close();
    }
  });

  it("Telegram: never more than one message per second to a chat", async () => {
    const n = await alerts("tg", "telegram", 2, 3);
    const tg = recordingSender("telegram");
    const delivery = startDelivery(ctx, [tg], { relay: { pollMs: 50 } });
    try {
      await waitFor(() => tg.sent.length === n, 60_000, "all Telegram sends");
      for (const address of new Set(tg.sent.map((m) => m.address))) {
        const times = tg.sent.filter((m) => m.address === address).map((m) => m.at);
        expect(times).toHaveLength(3);
        expect(Math.min(...gaps(times))).toBeGreaterThanOrEqual(1000);
      }
    } finally {
      await delivery.stop();
    }
  });

  it("Telegram at API latency (80 ± 40 ms per call): several sends in flight, each chat's notices in queue order, none twice", async () => {
    const chats = 12;
    const perChat = 4;
    const admins = await Promise.all(Array.from({ length: chats }, (_, i) => makeUser(t.db, officeId, ["ADMIN"], `latency ${i}`)));
    await t.db.channelIdentity.createMany({ data: admins.map((a, i) => ({ channel: "telegram" as const, externalId: `lat-${i}`, userId: a.id })) });
    // Interleaved, each chat's notices queued a few milliseconds apart: a chat's next notice is
    // ready while its previous one is still in flight.
    const t0 = Date.now() - 1000;
    await t.db.outbox.createMany({
      data: Array.from({ length: chats * perChat }, (_, i) => ({
        kind: "channel.whatsapp_logged_out",
        dedupeKey: `latency:${i}`,
        recipientKind: "ADMIN" as const,
        recipientUserId: admins[i % chats]!.id,
        payload: { channel: "whatsapp", i },
        availableAt: new Date(t0 + i),
      })),
    });
    // A Telegram that takes 40–120 ms per call; each send gets the next message id when it starts.
    const started: { address: string; at: number }[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const slow: Sender = {
      channel: "telegram",
      async send(address) {
        started.push({ address, at: Date.now() });
        const messageId = String(started.length);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((r) => setTimeout(r, 40 + Math.random() * 80));
        inFlight--;
        return { messageId };
      },
    };
    const delivery = startDelivery(ctx, [slow], { relay: { pollMs: 50 } });
    try {
      const sentRows = () => t.db.outbox.count({ where: { dedupeKey: { startsWith: "latency:" }, status: "SENT" } });
      await waitFor(async () => (await sentRows()) === chats * perChat, 60_000, "all latency notices sent");
      expect(started).toHaveLength(chats * perChat);
      // Different chats' sends overlapped: the worker does not wait for one answer before the next send.
      expect(maxInFlight).toBeGreaterThan(1);
      const rows = await t.db.delivery.findMany({
        where: { outbox: { dedupeKey: { startsWith: "latency:" } } },
        select: { address: true, status: true, externalId: true, outbox: { select: { availableAt: true } } },
      });
      expect(rows.every((r) => r.status === "SENT")).toBe(true);
      for (const address of new Set(rows.map((r) => r.address))) {
        const mine = rows.filter((r) => r.address === address).sort((a, b) => a.outbox.availableAt.getTime() - b.outbox.availableAt.getTime());
        // In queue order: the message ids (send order) rise with the queue position.
        const ids = mine.map((r) => Number(r.externalId));
        expect(ids).toEqual([...ids].sort((a, b) => a - b));
        const times = started.filter((s) => s.address === address).map((s) => s.at);
        expect(times).toHaveLength(perChat);
        expect(Math.min(...gaps(times))).toBeGreaterThanOrEqual(1000);
      }
    } finally {
      await delivery.stop();
    }
  });

  it("two relays racing over the same rows queue each row once, and each is delivered once", async () => {
    const n = await alerts("race", "web", 30, 2);
    const queues = deliveryQueues(ctx);
    const enabled = new Set(["web"] as const);
    const results = await Promise.all([relayOnce(ctx, queues, enabled, 25), relayOnce(ctx, queues, enabled, 25), relayOnce(ctx, queues, enabled, 25)]);
    const relayed = results.reduce((sum, r) => sum + r.queued, 0);
    expect(relayed).toBe(Math.min(n, 75));
    expect(await queues.get("web").count()).toBe(relayed);
    const web = recordingSender("web");
    const delivery = startDelivery(ctx, [web], { relay: { pollMs: 50 } });
    try {
      await waitFor(() => web.sent.length >= n, 60_000, "all web sends");
      await waitFor(async () => (await t.db.outbox.count({ where: { dedupeKey: { startsWith: "race:" }, status: "SENT" } })) === n);
      expect(web.sent).toHaveLength(n);
      expect(await t.db.delivery.count({ where: { outbox: { dedupeKey: { startsWith: "race:" } } } })).toBe(n);
    } finally {
      await delivery.stop();
    }
  });
});
