// Web simulator notices live in PostgreSQL: Redis killed and started again empty in the middle
// of a run loses none of them, shows none twice, and a page that had already seen some gets
// every later one (ids only grow; they do not restart at 1 with Redis).
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebChannel } from "../../bot/channels/web/channel.js";
import { startDelivery } from "../../bot/delivery/index.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { makeUser, seedOffices } from "../helpers/fixtures.js";
import { ThrowawayRedis } from "../helpers/redis-server.js";
import { notifyContext, waitFor } from "./helpers.js";

let t: TestDb;
let redis: ThrowawayRedis;
let ctx: AppContext;

beforeAll(async () => {
  t = await createTestDb();
  await seedOffices(t.db);
  redis = await ThrowawayRedis.start();
  ctx = await notifyContext(t, { REDIS_URL: redis.url });
});
afterAll(async () => {
  ctx?.redis.disconnect();
  await redis?.kill();
  await t?.drop();
});

it("20 notices to one web chat, Redis killed and restarted empty after some: the page shows all 20, each once, ids growing", async () => {
  const office = await t.db.office.findUniqueOrThrow({ where: { code: "1400" } });
  const admin = await makeUser(t.db, office.id, ["ADMIN"], "Admin Web");
  const sid = "webpage0000outage0001";
  await t.db.channelIdentity.create({ data: { channel: "web", externalId: sid, userId: admin.id } });
  const n = 20;
  await t.db.outbox.createMany({
    data: Array.from({ length: n }, (_, i) => ({
      kind: "channel.whatsapp_logged_out",
      dedupeKey: `web-outage:${i}`,
      recipientKind: "ADMIN" as const,
      recipientUserId: admin.id,
      payload: { channel: "whatsapp" },
    })),
  });
  const web = new WebChannel(ctx);
  // Slow enough that Redis dies mid-run.
  const sender = {
    channel: "web" as const,
    async send(address: string, message: Parameters<WebChannel["send"]>[1]) {
      await new Promise((r) => setTimeout(r, 100));
      return web.send(address, message);
    },
  };
  const delivery = startDelivery(ctx, [sender], { relay: { pollMs: 50, batchSize: 5 } });
  const shown: { id: number }[] = [];
  try {
    // The page polls and shows what it gets, as the simulator script does.
    await waitFor(
      async () => {
        shown.push(...(await web.messagesAfter(sid, shown.at(-1)?.id ?? 0)));
        return shown.length >= 5;
      },
      60_000,
      "the first notices on the page",
    );
    await redis.kill();
    await new Promise((r) => setTimeout(r, 1_000));
    await redis.restart();
    await waitFor(async () => (await t.db.outbox.count({ where: { dedupeKey: { startsWith: "web-outage:" }, status: "SENT" } })) === n, 90_000, "all sent");
    shown.push(...(await web.messagesAfter(sid, shown.at(-1)!.id)));
    expect(shown).toHaveLength(n);
    const ids = shown.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(n);
    expect(await t.db.delivery.count({ where: { channel: "web", address: sid, status: "SENT" } })).toBe(n);
  } finally {
    await delivery.stop();
  }
}, 180_000);
