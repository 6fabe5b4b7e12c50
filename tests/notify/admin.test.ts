// What the admin Channels page shows: queue sizes, failed jobs with their error, and a
// retry that sends a failed notice once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listFailed, queueOverview, retryFailed } from "../../bot/delivery/admin.js";
import { startDelivery } from "../../bot/delivery/index.js";
import { queueName } from "../../bot/delivery/queues.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { makeUser, seedOffices } from "../helpers/fixtures.js";
import { closeContext, notifyContext, recordingSender, waitFor } from "./helpers.js";

let t: TestDb;
let ctx: AppContext;

beforeAll(async () => {
  t = await createTestDb();
  await seedOffices(t.db);
  ctx = await notifyContext(t);
});
afterAll(async () => {
  await closeContext(ctx);
  await t.drop();
});

/** An error as the Bot API gives it when the person blocked the bot: no retry can help. */
const blocked = () => Object.assign(new Error("403: Forbidden: bot was blocked by the user"), { response: { error_code: 403 } });

describe("admin view of delivery", () => {
  it("lists a failed notice with its error and sends it once on retry", async () => {
    const office = await t.db.office.findUniqueOrThrow({ where: { code: "1400" } });
    const admin = await makeUser(t.db, office.id, ["ADMIN"], "Admin Gagal");
    await t.db.channelIdentity.create({ data: { channel: "web", externalId: "admin-fail", userId: admin.id } });
    const row = await t.db.outbox.create({
      data: {
        kind: "channel.whatsapp_logged_out",
        dedupeKey: "admin-test:1",
        recipientKind: "ADMIN",
        recipientUserId: admin.id,
        payload: { channel: "whatsapp" },
      },
    });
    const web = recordingSender("web");
    web.failWith = blocked();
    const delivery = startDelivery(ctx, [web], { relay: { pollMs: 50 } });
    try {
      const [failed] = await waitFor(async () => {
        const list = await listFailed(ctx, 10);
        return list.length ? list : null;
      });
      expect(failed).toEqual({
        queue: queueName("web"),
        jobId: `${row.id}.web`,
        outboxId: row.id,
        error: expect.stringContaining("bot was blocked"),
        failedAt: expect.any(Date),
        attempts: 1,
      });
      expect(await t.db.outbox.findUniqueOrThrow({ where: { id: row.id }, include: { deliveries: true } })).toMatchObject({
        status: "FAILED",
        deliveries: [{ channel: "web", status: "FAILED", error: expect.stringContaining("bot was blocked") }],
      });
      const overview = await queueOverview(ctx);
      expect(overview.map((q) => q.name)).toEqual(["notify-telegram", "notify-whatsapp", "notify-web", "notify-email"]);
      expect(overview.find((q) => q.name === "notify-web")).toMatchObject({ failed: 1, waiting: 0, active: 0 });

      expect(await retryFailed(ctx, "notify-web", "no-such-job")).toBe(false);
      expect(await retryFailed(ctx, "not-a-queue", failed!.jobId)).toBe(false);
      web.failWith = null;
      expect(await retryFailed(ctx, failed!.queue, failed!.jobId)).toBe(true);
      await waitFor(async () => (await t.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).status === "SENT");
      expect(web.sent.map((m) => m.address)).toEqual(["admin-fail"]);
      expect(await listFailed(ctx, 10)).toEqual([]);
      // A second retry of a job that is no longer failed does nothing.
      expect(await retryFailed(ctx, failed!.queue, failed!.jobId)).toBe(false);
      await new Promise((r) => setTimeout(r, 200));
      expect(web.sent).toHaveLength(1);
      expect((await queueOverview(ctx)).find((q) => q.name === "notify-web")).toMatchObject({ failed: 0, completed: 1 });
    } finally {
      await delivery.stop();
    }
  });

  it("a notice for someone with no reachable channel is marked UNREACHABLE, not silently dropped", async () => {
    const office = await t.db.office.findUniqueOrThrow({ where: { code: "1400" } });
    const admin = await makeUser(t.db, office.id, ["ADMIN"], "Admin Tanpa Chat");
    const row = await t.db.outbox.create({
      data: {
        kind: "channel.whatsapp_logged_out",
        dedupeKey: "admin-test:2",
        recipientKind: "ADMIN",
        recipientUserId: admin.id,
        payload: { channel: "whatsapp" },
      },
    });
    const delivery = startDelivery(ctx, [recordingSender("web")], { relay: { pollMs: 50 } });
    try {
      await waitFor(async () => (await t.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).status === "UNREACHABLE");
    } finally {
      await delivery.stop();
    }
  });
});
