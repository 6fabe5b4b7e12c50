// One instance with a backlog of Telegram notices, killed with kill -9 while several sends are
// in flight and started again: with the product's own lock and stalled-check settings, the
// restarted instance resumes the backlog within 10 s (no waiting for 30 s locks), every notice
// arrives, and only the messages whose Delivery claim the dead instance left behind (SENDING)
// can arrive twice: at most one duplicate per chat.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDb, type TestDb, testRedisPrefix } from "../helpers/db.js";
import { makeUser, seedOffices } from "../helpers/fixtures.js";
import { closeContext, notifyContext, waitFor } from "./helpers.js";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.drop());

it("kill -9 mid-send and restart: the backlog resumes within 10 s of the restart, at most one duplicate per chat", async () => {
  const office = (await seedOffices(t.db)).riau;
  const n = 40;
  const admins = await Promise.all(Array.from({ length: n }, (_, i) => makeUser(t.db, office.id, ["ADMIN"], `Restart admin ${i}`)));
  await t.db.channelIdentity.createMany({ data: admins.map((a, i) => ({ channel: "telegram" as const, externalId: String(620_000 + i), userId: a.id })) });
  await t.db.outbox.createMany({
    data: admins.map((a, i) => ({
      kind: "channel.whatsapp_logged_out",
      dedupeKey: `restart:${i}`,
      recipientKind: "ADMIN" as const,
      recipientUserId: a.id,
      payload: { channel: "whatsapp" },
    })),
  });
  // A Bot API that takes its time, so the kill lands mid-send with many jobs taken.
  const accepted: { chatId: string; at: number }[] = [];
  let onCall: (() => void) | null = null;
  const api: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { chat_id?: string | number };
    // Counted on arrival: a request in flight when its sender dies still counts as sent.
    accepted.push({ chatId: String(body.chat_id), at: Date.now() });
    onCall?.();
    await new Promise((r) => setTimeout(r, 150));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true, result: { message_id: accepted.length, date: 0, chat: { id: Number(body.chat_id), type: "private" }, text: "" } }));
  });
  api.listen(0, "127.0.0.1");
  await once(api, "listening");
  const apiRoot = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const prefix = testRedisPrefix();
  const instance = () =>
    spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./worker-child.ts", import.meta.url))], {
      env: { ...process.env, DATABASE_URL: t.url, NOTIFY_PREFIX: prefix, NOTIFY_API_ROOT: apiRoot, TELEGRAM_RATE_PER_SECOND: "10" },
      stdio: ["ignore", "pipe", "inherit"],
    });
  const ready = async (p: ChildProcess) => {
    for await (const line of createInterface({ input: p.stdout! })) if (line === "READY") return;
  };
  const first = instance();
  let second: ChildProcess | null = null;
  try {
    await ready(first);
    await new Promise<void>((resolve) => {
      onCall = () => {
        if (accepted.length >= 8) resolve();
      };
    });
    onCall = null;
    first.kill("SIGKILL");
    await once(first, "exit");
    const before = accepted.length;
    // The messages in doubt: claimed by the dead instance and never confirmed.
    const inDoubt = await t.db.delivery.count({ where: { channel: "telegram", status: "SENDING" } });
    second = instance();
    await ready(second);
    // From when the new instance is up (its start-up time is the machine's, not ours to bound).
    const restartedAt = Date.now();
    await waitFor(async () => (await t.db.outbox.count({ where: { dedupeKey: { startsWith: "restart:" }, status: "SENT" } })) === n, 120_000, "all sent");
    const after = accepted.slice(before).map((c) => c.at);
    // Everything the killed instance had taken comes back within 10 s of the restart: no send
    // waits longer than that for a lock of the dead instance.
    const resumed = after.filter((at) => at >= restartedAt);
    const gaps = [(resumed[0] ?? Number.POSITIVE_INFINITY) - restartedAt, ...resumed.slice(1).map((at, i) => at - resumed[i]!)];
    console.info(
      `restart: first send ${gaps[0]} ms after the restart, longest gap ${Math.max(...gaps)} ms, ${inDoubt} claim(s) in doubt, ${accepted.length - n} duplicate(s)`,
    );
    expect(Math.max(...gaps)).toBeLessThanOrEqual(10_000);
    const perChat = new Map<string, number>();
    for (const c of accepted) perChat.set(c.chatId, (perChat.get(c.chatId) ?? 0) + 1);
    expect(perChat.size).toBe(n);
    expect(Math.max(...perChat.values())).toBeLessThanOrEqual(2);
    expect(accepted.length - n).toBeLessThanOrEqual(inDoubt);
    expect(await t.db.delivery.count({ where: { status: "SENDING" } })).toBe(0);
  } finally {
    for (const p of [first, second]) {
      if (p && p.exitCode === null && p.signalCode === null) {
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
}, 180_000);
