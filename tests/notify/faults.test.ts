// Faults: Redis stopped and started again mid-run, and the worker process killed -9 in the
// middle of its sends. Notices must all arrive, none twice (for the kill: only the messages
// whose claims were left in doubt, at most one per chat).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDelivery } from "../../bot/delivery/index.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createTestDb, type TestDb, testRedisPrefix } from "../helpers/db.js";
import { makeUser, seedOffices } from "../helpers/fixtures.js";
import { freePort } from "./bot-api-proxy.js";
import { closeContext, notifyContext, recordingSender, waitFor } from "./helpers.js";

let t: TestDb;
let officeId: string;

beforeAll(async () => {
  t = await createTestDb();
  officeId = (await seedOffices(t.db)).riau.id;
});
afterAll(async () => t.drop());

/** N admin alerts, each to its own chat on `channel`; returns their dedupe prefix. */
async function alerts(n: number, channel: "web" | "telegram", tag: string) {
  const admins = await Promise.all(Array.from({ length: n }, (_, i) => makeUser(t.db, officeId, ["ADMIN"], `${tag} admin ${i}`)));
  await t.db.channelIdentity.createMany({
    data: admins.map((a, i) => ({ channel, externalId: `${channel === "telegram" ? 610_000 + i : `${tag}-${i}`}`, userId: a.id })),
  });
  await t.db.outbox.createMany({
    data: admins.map((a, i) => ({
      kind: "channel.whatsapp_logged_out",
      dedupeKey: `${tag}:${i}`,
      recipientKind: "ADMIN" as const,
      recipientUserId: a.id,
      payload: { channel: "whatsapp" },
    })),
  });
  return admins;
}

function startRedis(port: number): ChildProcess {
  return spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
}

/**
 * Job lock of the worker processes in the kill test. A live worker renews it every LOCK_MS / 2; if
 * its event loop stalls longer, BullMQ hands the job to the other worker and a notice goes out
 * twice. Timers here ran up to ~0.2 s late with both cores busy (two busy loops beside other
 * work), so 2.5 s between renewals is a wide margin; the killed worker's job still comes back well
 * within the deadlines below (LOCK_MS plus one stalled-job check).
 */
const LOCK_MS = 5_000;

describe("faults", () => {
  it("Redis stopped and started again mid-run: every notice delivered, none twice", async () => {
    const port = await freePort();
    let redis = startRedis(port);
    const ctx: AppContext = await notifyContext(t, { REDIS_URL: `redis://127.0.0.1:${port}` });
    await waitFor(async () => (await ctx.redis.ping().catch(() => null)) === "PONG", 15_000, "throwaway redis");
    const n = 40;
    await alerts(n, "web", "outage");
    const web = recordingSender("web");
    const slowSend = web.send.bind(web);
    web.send = async (address, message) => {
      await new Promise((r) => setTimeout(r, 25));
      return slowSend(address, message);
    };
    const delivery = startDelivery(ctx, [web], { relay: { pollMs: 50, batchSize: 10 } });
    try {
      await waitFor(() => web.sent.length >= 8, 30_000, "first sends");
      redis.kill("SIGKILL");
      await once(redis, "exit");
      const during = web.sent.length;
      await new Promise((r) => setTimeout(r, 1_500));
      // While Redis is down, nothing new is queued; rows wait in PostgreSQL.
      expect(await t.db.outbox.count({ where: { dedupeKey: { startsWith: "outage:" }, status: { in: ["PENDING", "QUEUED"] } } })).toBeGreaterThan(0);
      expect(web.sent.length).toBeLessThan(n);
      redis = startRedis(port); // empty: it keeps nothing on disk, so queued jobs are gone
      await waitFor(async () => (await t.db.outbox.count({ where: { dedupeKey: { startsWith: "outage:" }, status: "SENT" } })) === n, 60_000, "all sent");
      const perAddress = new Map<string, number>();
      for (const m of web.sent) perAddress.set(m.address, (perAddress.get(m.address) ?? 0) + 1);
      expect(perAddress.size).toBe(n);
      expect([...perAddress.values()].every((c) => c === 1)).toBe(true);
      expect(web.sent.length).toBeGreaterThan(during);
    } finally {
      await delivery.stop();
      ctx.redis.disconnect();
      redis.kill("SIGKILL");
      await once(redis, "exit").catch(() => {});
    }
  }, 120_000);

  it("worker killed -9 mid-send: every notice delivered, at most one duplicate per chat", async () => {
    const n = 16;
    await alerts(n, "telegram", "crash");
    // A Bot API that takes its time answering, so a kill lands in the middle of a send.
    const calls: { chatId: string; at: number }[] = [];
    let onCall: ((instance: string) => void) | null = null;
    const api: Server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { chat_id?: string | number };
      calls.push({ chatId: String(body.chat_id), at: Date.now() });
      onCall?.(req.url?.split("/")[1] ?? "");
      await new Promise((r) => setTimeout(r, 150));
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ ok: true, result: { message_id: calls.length, date: 0, chat: { id: Number(body.chat_id), type: "private" }, text: "" } }));
    });
    api.listen(0, "127.0.0.1");
    await once(api, "listening");
    const apiRoot = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const prefix = testRedisPrefix();
    // Each instance gets its own API root path, so the Bot API knows who is calling.
    const child = (name: string) => {
      const p = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./worker-child.ts", import.meta.url))], {
        env: {
          ...process.env,
          DATABASE_URL: t.url,
          NOTIFY_PREFIX: prefix,
          NOTIFY_API_ROOT: `${apiRoot}/${name}`,
          NOTIFY_LOCK_MS: String(LOCK_MS),
          TELEGRAM_RATE_PER_SECOND: "50",
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      return p;
    };
    const ready = async (p: ChildProcess) => {
      for await (const line of createInterface({ input: p.stdout! })) if (line === "READY") return;
    };
    // Two instances, as in production: one is killed mid-send, the other takes over its job.
    const first = child("a");
    const second = child("b");
    try {
      // Kill the instance holding the 5th request the moment it reaches the Bot API (listening
      // from the start: with several sends in flight, one instance may get there before the
      // other has even started).
      const fifth = new Promise<ChildProcess>((resolve) => {
        onCall = (instance) => {
          if (calls.length === 5) resolve(instance === "a" ? first : second);
        };
      });
      await Promise.all([ready(first), ready(second)]);
      const victim = await fifth;
      victim.kill("SIGKILL");
      await once(victim, "exit");
      onCall = null;
      // Claims not yet confirmed (the victim's, and any the survivor has in flight right now).
      const inDoubt = await t.db.delivery.count({ where: { channel: "telegram", status: "SENDING" } });
      // The victim's job comes back once its lock lapses: LOCK_MS plus one stalled-job check.
      await waitFor(async () => (await t.db.outbox.count({ where: { dedupeKey: { startsWith: "crash:" }, status: "SENT" } })) === n, 60_000, "all sent");
      const perChat = new Map<string, number>();
      for (const c of calls) perChat.set(c.chatId, (perChat.get(c.chatId) ?? 0) + 1);
      expect(perChat.size).toBe(n);
      const duplicates = calls.length - n;
      expect(duplicates).toBeLessThanOrEqual(inDoubt);
      expect([...perChat.values()].every((c) => c >= 1 && c <= 2)).toBe(true);
    } finally {
      for (const p of [first, second]) {
        if (p.exitCode === null && p.signalCode === null) {
          p.kill("SIGTERM");
          await once(p, "exit");
        }
      }
      api.closeAllConnections();
      await new Promise<void>((r) => api.close(() => r()));
      const ctx = await notifyContext(t);
      ctx.redisPrefix = prefix;
      await closeContext(ctx);
    }
  }, 120_000);
});
