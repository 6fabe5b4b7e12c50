// Telegram delivery over real HTTP: the Bot API is our strict test server, and for the 429 case
// a thin proxy in front of it that answers "Too Many Requests" with retry_after.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { telegramSender } from "../../bot/delivery/senders.js";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, makeUser, requestInput, seedOffices } from "../helpers/fixtures.js";
import { BotApiServer } from "../support/bot-api-server.js";
import { type BotApiProxy, startBotApiProxy } from "./bot-api-proxy.js";
import { closeContext, notifyContext, waitFor } from "./helpers.js";

const TOKEN = "123456:notify-test-token";
let t: TestDb;
let ctx: AppContext;
let server: BotApiServer;

const botMessagesTo = (chatId: string) => server.sent.filter((m) => m.chatId === chatId);

beforeAll(async () => {
  t = await createTestDb();
  await seedOffices(t.db);
  server = await BotApiServer.start();
  // 5/s: sends 200 ms apart, so none can already be on its way while a 429 is being answered.
  ctx = await notifyContext(t, { TELEGRAM_RATE_PER_SECOND: "5" });
});
afterAll(async () => {
  await server.stop();
  await closeContext(ctx);
  await t.drop();
});

describe("Telegram delivery", () => {
  it("brings the coach the SPEKTRAL assignment notice, with a wa.me link when the coach has WhatsApp linked", async () => {
    const office = await t.db.office.findUniqueOrThrow({ where: { code: "7300" } }); // WITA
    const sup = await makeUser(t.db, office.id, ["SUPERVISOR"], "Andi Supervisor");
    const coach = await makeUser(t.db, office.id, ["COACH"], "Nurul Pembina");
    await t.db.channelIdentity.createMany({
      data: [
        { channel: "telegram", externalId: "700100", userId: coach.id },
        { channel: "whatsapp", externalId: "6281200000001@s.whatsapp.net", userId: coach.id },
      ],
    });
    const start = new Date("2030-03-04T02:30:00Z"); // 10:30 WITA
    const input = requestInput({ startAt: start, endAt: new Date(start.getTime() + 2 * 3600_000), agencyLevel: "OTHER" });
    const { request } = await submitRequest(t.db, input, { channel: "web", defaultOfficeId: office.id });
    await changeStatus(t.db, actorOf(sup), { requestId: request.id, to: "IN_REVIEW" });
    await changeStatus(t.db, actorOf(sup), { requestId: request.id, to: "APPROVED", coachIds: [coach.id] });

    const delivery = startDelivery(ctx, [telegramSender(TOKEN, server.apiRoot)], { relay: { pollMs: 50 } });
    try {
      const msg = await waitFor(() => botMessagesTo("700100")[0], 15_000, "the coach's notice");
      const text = msg.text;
      expect(text).toContain("Penunjukan Narasumber Pembinaan");
      expect(text).toContain("Yth. Bapak/Ibu Nurul Pembina");
      expect(text).toContain("Tanggal: 04/03/2030 Pukul: 10:30 WITA");
      expect(text).toContain("PIC Kegiatan: Siddik Pratama (081234567890, wa.me/6281234567890)");
      expect(text).toContain(`Supervisor Sibina ${office.name}`);
      const row = await waitFor(() =>
        t.db.outbox.findFirst({ where: { requestId: request.id, kind: "coach.assigned", status: "SENT" }, include: { deliveries: true } }),
      );
      expect(row.deliveries).toEqual([expect.objectContaining({ channel: "telegram", status: "SENT", externalId: String(msg.messageId) })]);
      expect(botMessagesTo("700100")).toHaveLength(1);
    } finally {
      await delivery.stop();
    }
  });

  it("on 429 honours retry_after for the whole queue: no call inside the window, no notice lost or repeated", async () => {
    const proxy: BotApiProxy = await startBotApiProxy({ target: server.apiRoot, force429: { calls: [3], retryAfterSec: 1 } });
    const office = await t.db.office.findUniqueOrThrow({ where: { code: "1400" } });
    const admins = await Promise.all(Array.from({ length: 8 }, (_, i) => makeUser(t.db, office.id, ["ADMIN"], `Admin ${i}`)));
    await t.db.channelIdentity.createMany({ data: admins.map((a, i) => ({ channel: "telegram" as const, externalId: String(800100 + i), userId: a.id })) });
    await t.db.outbox.createMany({
      data: admins.map((a, i) => ({
        kind: "channel.whatsapp_logged_out",
        dedupeKey: `test-429:${i}`,
        recipientKind: "ADMIN" as const,
        recipientUserId: a.id,
        payload: { channel: "whatsapp" },
      })),
    });
    const delivery: Delivery = startDelivery(ctx, [telegramSender(TOKEN, proxy.apiRoot)], { relay: { pollMs: 50 } });
    try {
      await waitFor(async () => (await t.db.outbox.count({ where: { dedupeKey: { startsWith: "test-429:" }, status: "SENT" } })) === 8, 20_000, "all 8 sent");
      const forced = proxy.calls.find((c) => c.forced)!;
      expect(forced).toBeDefined();
      const inWindow = proxy.calls.filter((c) => c !== forced && c.at >= forced.at && c.at < forced.at + 1000);
      expect(inWindow).toEqual([]);
      // Every admin got exactly one message; the 429'd one was sent again after the window.
      for (let i = 0; i < 8; i++) expect(botMessagesTo(String(800100 + i))).toHaveLength(1);
      expect(proxy.calls.filter((c) => c.status === 200)).toHaveLength(8);
      expect(proxy.limitViolations()).toBe(0);
      const retried = proxy.calls.filter((c) => c.chatId === forced.chatId && c.status === 200);
      expect(retried).toHaveLength(1);
      expect(retried[0]!.at).toBeGreaterThanOrEqual(forced.at + 1000);
      // The 429 did not use up an attempt.
      expect(await t.db.outbox.aggregate({ where: { dedupeKey: { startsWith: "test-429:" } }, _sum: { attempts: true } })).toEqual({ _sum: { attempts: 0 } });
    } finally {
      await delivery.stop();
      await proxy.close();
    }
  });
});
