// What WhatsApp says after a send: a negative ack (messages.update status ERROR, e.g. 463)
// means the notice was not delivered, and the reach-out time lock forbids new chats for a
// while. Also: no cold messages to numbers that never wrote to the office.
import { ReachoutTimelockEnforcementType } from "@whiskeysockets/baileys";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WhatsAppChannel } from "../../bot/channels/whatsapp/channel.js";
import { WhatsAppSender } from "../../bot/channels/whatsapp/sender.js";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { NO_PACING, Pacer } from "../../bot/delivery/pacing.js";
import { jobIdOf } from "../../bot/delivery/queues.js";
import { resolveTargets } from "../../bot/delivery/recipients.js";
import { CHANNEL_ALERT_KIND } from "../../core/notifications/intents.js";
import { makeUser } from "../helpers/fixtures.js";
import { recordingSender } from "../notify/helpers.js";
import { autoConnect, type FakeSocket, fakeFactory } from "./fake-socket.js";
import { channelFor, type Harness, harness, recordingEngine, until } from "./harness.js";

let h: Harness;
const running: WhatsAppChannel[] = [];
const deliveries: Delivery[] = [];
beforeAll(async () => {
  // SMTP_URL only makes email a configured channel; the test's email sender records instead of sending.
  h = await harness({ SMTP_URL: "smtp://127.0.0.1:2525", PUBLIC_URL: "https://sibina.example.go.id" });
});
afterEach(async () => {
  for (const d of deliveries.splice(0)) await d.stop();
  for (const c of running.splice(0)) await c.stop();
  await h.redis.del(`${h.ctx.redisPrefix}:whatsapp:lease`);
});
afterAll(async () => h.close());

async function linked(now?: () => number) {
  const fake = fakeFactory({
    onCreate: (sock) => {
      sock.pair();
      autoConnect(sock);
    },
  });
  const channel = channelFor(h, { engine: recordingEngine().engine, socketFactory: fake.factory, now });
  running.push(channel);
  await channel.start();
  await until(() => channel.connectedSocket(), 2_000, "open");
  return { channel, sock: fake.last() as FakeSocket };
}

async function adminOnWhatsApp(jid: string) {
  const admin = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
  await h.t.db.channelIdentity.create({ data: { channel: "whatsapp", externalId: jid, userId: admin.id, lastSeenAt: new Date() } });
  return admin;
}

describe("negative acks", () => {
  it("a notice refused with 463 is not SENT: the reason is on the Delivery row, email takes over, admins are alerted", async () => {
    const { channel, sock } = await linked();
    const jid = "6281211112222@s.whatsapp.net";
    const admin = await adminOnWhatsApp(jid);
    const row = await h.t.db.outbox.create({
      data: { kind: "channel.whatsapp_logged_out", dedupeKey: "rej:1", recipientKind: "ADMIN", recipientUserId: admin.id, payload: { channel: "whatsapp" } },
    });
    const wa = new WhatsAppSender(channel, { db: h.t.db, storage: h.ctx.storage });
    deliveries.push(startDelivery(h.ctx, [wa], { relay: { pollMs: 50 }, workers: { whatsapp: { pacing: NO_PACING } } }));
    const sent = await until(async () => h.t.db.delivery.findFirst({ where: { outboxId: row.id, channel: "whatsapp", status: "SENT" } }), 10_000, "sent");
    expect(sock.sent.map((s) => s.jid)).toEqual([jid]);

    sock.rejectSent(sent.externalId!, jid, "463");
    const rejected = await until(async () => h.t.db.delivery.findFirst({ where: { id: sent.id, status: "REJECTED" } }), 5_000, "rejected");
    expect(rejected.error).toMatch(/^whatsapp 463: account restricted/);
    const outbox = await h.t.db.outbox.findUniqueOrThrow({ where: { id: row.id } });
    expect(outbox.status).toBe("QUEUED"); // waiting for the email fallback
    const alerts = await h.t.db.outbox.findMany({ where: { kind: CHANNEL_ALERT_KIND } });
    expect(alerts.map((a) => [a.recipientUserId, (a.payload as { alert: string }).alert])).toEqual([[admin.id, "restricted"]]);

    // The email worker (another process, or this one) sends the fallback; WhatsApp is never retried.
    const email = recordingSender("email");
    deliveries.push(startDelivery(h.ctx, [email], { runRelay: false }));
    await until(() => email.sent.length === 1, 10_000, "email fallback");
    expect(email.sent[0]!.address).toBe(admin.email);
    await until(async () => (await h.t.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).status === "SENT", 5_000, "outbox sent by email");
    // Only admin alerts went out on WhatsApp since (they reach the admin, who wrote to the office).
    const notices = () => sock.sent.filter((s) => "text" in s.content && s.content.text.includes("logged out"));
    expect(notices()).toHaveLength(1);
    // A re-run of the WhatsApp job (e.g. re-added after a Redis restart) does not send again.
    const queue = (await import("../../bot/delivery/queues.js")).deliveryQueues(h.ctx).get("whatsapp");
    await (await queue.getJob(jobIdOf(row.id, "whatsapp")))?.remove();
    await queue.add("again", { outboxId: row.id, channel: "whatsapp" }, { jobId: jobIdOf(row.id, "whatsapp") });
    await until(async () => (await queue.getJob(jobIdOf(row.id, "whatsapp")))?.returnvalue === "rejected", 10_000, "re-run refused");
    expect(notices()).toHaveLength(1);
  });

  it("a refused chat reply (no Delivery row) changes nothing and raises the hourly alert only once", async () => {
    const { sock } = await linked();
    const admin = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
    const deliveriesBefore = await h.t.db.delivery.count();
    sock.rejectSent("NOT-A-NOTICE", "6281211113333@s.whatsapp.net", "463");
    sock.rejectSent("NOT-A-NOTICE-2", "6281211113333@s.whatsapp.net", "463");
    const mine = { kind: CHANNEL_ALERT_KIND, recipientUserId: admin.id };
    await until(async () => (await h.t.db.outbox.count({ where: mine })) === 1, 5_000, "alert");
    // Both refusals were handled (the second one's alert is the same row, deduplicated by the hour).
    const rows = await h.t.db.outbox.findMany({ where: mine });
    expect(rows.map((r) => (r.payload as { alert: string }).alert)).toEqual(["restricted"]);
    expect(rows[0]!.dedupeKey).toMatch(/:restricted:h\d+:/);
    expect(await h.t.db.delivery.count()).toBe(deliveriesBefore);
  });
});

describe("reach-out time lock", () => {
  it("pauses WhatsApp notices until the lock ends, alerts admins once per lock, and resumes when lifted", async () => {
    const now = Date.now();
    const { sock } = await linked(() => now);
    const admin = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["ADMIN"]);
    const pacer = new Pacer(h.redis, h.ctx.redisPrefix, "whatsapp", NO_PACING);
    const ends = new Date(now + 3 * 3600_000);
    const lock = { isActive: true, timeEnforcementEnds: ends, enforcementType: ReachoutTimelockEnforcementType.DEFAULT };
    sock.timeLock(lock);
    await until(async () => (await pacer.pausedFor()) > 0, 5_000, "paused");
    const paused = await pacer.pausedFor();
    expect(paused).toBeGreaterThan(3 * 3600_000 - 60_000);
    expect(paused).toBeLessThanOrEqual(3 * 3600_000 + 1_000);
    expect(await pacer.acquire("6281211114444")).toMatchObject({ kind: "channel_busy" });
    const alerts = await until(async () => {
      const rows = await h.t.db.outbox.findMany({ where: { kind: CHANNEL_ALERT_KIND, recipientUserId: admin.id } });
      return rows.length > 0 ? rows : null;
    });
    expect(alerts.map((a) => a.payload)).toEqual([{ channel: "whatsapp", alert: "time_lock", until: ends.toISOString() }]);
    sock.timeLock(lock); // Baileys fetches the lock again on each time-locked refusal
    sock.timeLock({ isActive: false, enforcementType: ReachoutTimelockEnforcementType.DEFAULT });
    await until(async () => (await pacer.pausedFor()) === 0, 5_000, "resumed");
    expect(await h.t.db.outbox.count({ where: { kind: CHANNEL_ALERT_KIND, recipientUserId: admin.id } })).toBe(1);
  });
});

describe("no cold messages", () => {
  it("a PIC's number that never wrote gets no WhatsApp target; once it has written it does; staff by the number they gave", async () => {
    const request = { requestId: null, recipientUserId: null, recipientRequesterId: null };
    const pic = { ...request, recipientKind: "PIC" as const, recipientPhone: "+6281277778888" };
    const enabled = new Set(["whatsapp", "email"] as const);
    expect((await resolveTargets(h.t.db, pic, enabled)).filter((t) => t.channel === "whatsapp")).toEqual([]);
    await h.t.db.channelIdentity.create({
      data: { channel: "whatsapp", externalId: "6281277778888@s.whatsapp.net", phone: "+6281277778888", lastSeenAt: new Date() },
    });
    expect((await resolveTargets(h.t.db, pic, enabled)).filter((t) => t.channel === "whatsapp").map((t) => t.address)).toEqual([
      "6281277778888@s.whatsapp.net",
    ]);

    const coach = await makeUser(h.t.db, h.ctx.defaultOfficeId, ["COACH"]);
    await h.t.db.user.update({ where: { id: coach.id }, data: { whatsapp: "+6281299998888" } });
    const staff = { ...request, recipientKind: "COACH" as const, recipientUserId: coach.id, recipientPhone: null };
    expect((await resolveTargets(h.t.db, staff, enabled)).map((t) => [t.channel, t.address])).toEqual([
      ["whatsapp", "+6281299998888"],
      ["email", coach.email],
    ]);
  });
});
