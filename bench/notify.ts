// npm run bench:notify [-- --n 10000 --chats 2000]
//
// Sends N notifications to C Telegram chats through the real pipeline (outbox → relay →
// BullMQ → paced worker → Bot API) against our strict Bot API test server, behind a thin proxy that
// enforces Telegram's limits (30 msg/s overall, 1 msg/s per chat) and answers 429 when they
// are broken. Prints the sustained rate, the highest per-chat rate, the 429 count, and how
// many notices were lost or arrived twice. Own database and Redis prefix; both removed after.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startDelivery } from "../bot/delivery/index.js";
import { telegramSender } from "../bot/delivery/senders.js";
import { parseConfig } from "../core/config.js";
import { createDb } from "../core/db/client.js";
import { createContext } from "../core/runtime/context.js";
import { createLogger } from "../core/runtime/logger.js";
import { createRedis } from "../core/runtime/redis.js";
import { createDatabaseIfMissing, dropDatabase, migrate } from "../prisma/tools/migrations.js";
import { maxPerChatPerSecond, type ProxyCall, startBotApiProxy } from "../tests/notify/bot-api-proxy.js";
import { BotApiServer } from "../tests/support/bot-api-server.js";

const { values: args } = parseArgs({
  options: { n: { type: "string" }, chats: { type: "string" }, rate: { type: "string" }, "serve-bot-api": { type: "boolean" } },
  allowPositionals: true,
});
const N = Number(args.n ?? process.env.NOTIFY_BENCH_N ?? 10_000);
const CHATS = Number(args.chats ?? process.env.NOTIFY_BENCH_CHATS ?? Math.max(1, Math.round(N / 5)));
const RATE = args.rate ?? process.env.TELEGRAM_RATE_PER_SECOND ?? "28";
const TOKEN = "424242:bench-notify";
const KINDS = ["request.received", "request.in_review", "request.approved", "request.done", "request.cancelled"];

const base = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/sibina";
const dbName = `sibina_bench_notify_${randomBytes(4).toString("hex")}`;
const dbUrl = (() => {
  const u = new URL(base);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const prefix = `sibina-bench-notify:${randomBytes(3).toString("hex")}`;

/** A deterministic shuffle, so runs are comparable. */
function shuffle<T>(items: T[], seed = 42): T[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * The "Telegram" side (emulator + limits proxy) runs in its own process, like the real Bot
 * API would: the proxy's clock then measures arrivals, not this process's event loop.
 */
async function serveBotApi() {
  const server = await BotApiServer.start();
  const proxy = await startBotApiProxy({ target: server.apiRoot });
  console.log(`READY ${proxy.apiRoot}`);
  process.once("SIGTERM", async () => {
    await proxy.close();
    await server.stop();
    process.exit(0);
  });
}

async function startBotApiProcess() {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--serve-bot-api"], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const m = /^READY (\S+)/.exec(line);
    if (m) {
      const apiRoot = m[1]!;
      return {
        apiRoot,
        calls: async () => (await (await fetch(`${apiRoot}/__calls`)).json()) as ProxyCall[],
        async stop() {
          child.kill("SIGTERM");
          await once(child, "exit");
        },
      };
    }
  }
  throw new Error("the Bot API process did not start");
}

async function main() {
  console.log(`bench:notify  ${N} notifications to ${CHATS} Telegram chats, pacing at ${RATE}/s, proxy enforcing 30/s and 1/s per chat`);
  await createDatabaseIfMissing(dbUrl);
  await migrate(dbUrl);
  const db = createDb(dbUrl, 12);
  const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const botApi = await startBotApiProcess();
  let delivery: ReturnType<typeof startDelivery> | null = null;
  try {
    // Seed: one office, C requesters each with a Telegram chat and one request.
    const office = await db.office.create({ data: { code: "1400", name: "BPS Provinsi Riau", level: "PROVINCE", timeZone: "WIB" } });
    const ids = Array.from({ length: CHATS }, (_, i) => i);
    const requesterIds: string[] = [];
    const requestIds: string[] = [];
    for (let from = 0; from < CHATS; from += 1000) {
      const chunk = ids.slice(from, from + 1000);
      const requesters = await db.requester.createManyAndReturn({
        data: chunk.map((i) => ({ name: `Bench ${i}`, phone: `+628120000${String(i).padStart(4, "0")}` })),
      });
      requesterIds.push(...requesters.map((r) => r.id));
      await db.channelIdentity.createMany({
        data: requesters.map((r, k) => ({ channel: "telegram" as const, externalId: String(900_000 + chunk[k]!), requesterId: r.id })),
      });
      const start = new Date(Date.now() + 14 * 24 * 3600_000);
      const requests = await db.coachingRequest.createManyAndReturn({
        data: requesters.map((r, k) => ({
          code: `PB-2099-${String(chunk[k]! + 1).padStart(5, "0")}`,
          requesterId: r.id,
          requesterName: r.name!,
          requesterPhone: r.phone!,
          requesterEmail: `bench${chunk[k]}@example.go.id`,
          agencyName: "Dinas Kominfo",
          agencyLevel: "PROVINCE" as const,
          isDataProducer: true,
          serviceType: "ASISTENSI" as const,
          topics: ["SATU_DATA" as const],
          description: "Benchmark",
          location: "Pekanbaru",
          mode: "ONLINE" as const,
          startAt: start,
          endAt: new Date(start.getTime() + 7200_000),
          picName: r.name!,
          picPhone: r.phone!,
          officeId: office.id,
          channel: "telegram" as const,
        })),
      });
      requestIds.push(...requests.map((q) => q.id));
    }
    // N notices, shuffled so one chat's notices can come right after each other.
    const t0 = Date.now() - N;
    const rows = shuffle(Array.from({ length: N }, (_, i) => i)).map((i, order) => {
      const chat = i % CHATS;
      const round = Math.floor(i / CHATS);
      return {
        kind: KINDS[round % KINDS.length]!,
        dedupeKey: `bench:${i}`,
        requestId: requestIds[chat]!,
        recipientKind: "REQUESTER" as const,
        recipientRequesterId: requesterIds[chat]!,
        payload: { requestId: requestIds[chat]!, n: i },
        availableAt: new Date(t0 + order),
      };
    });
    for (let from = 0; from < rows.length; from += 2000) await db.outbox.createMany({ data: rows.slice(from, from + 2000) });
    const distinctPerChat = Math.min(Math.ceil(N / CHATS), KINDS.length);

    const config = parseConfig({ ...process.env, DATABASE_URL: dbUrl, TELEGRAM_RATE_PER_SECOND: RATE, LOG_LEVEL: "warn" });
    const ctx = await createContext(config, { db, redis, redisPrefix: prefix, log: createLogger("warn") });
    const started = Date.now();
    delivery = startDelivery(ctx, [telegramSender(TOKEN, botApi.apiRoot)], { relay: { pollMs: 200, batchSize: 500 } });

    // Ctrl-C stops waiting and still cleans up (database, Redis keys, the Bot API process).
    let interrupted = false;
    process.once("SIGINT", () => {
      interrupted = true;
    });
    let lastDone = -1;
    let lastProgressAt = Date.now();
    for (;;) {
      await new Promise((r) => setTimeout(r, 2000));
      const done = await db.outbox.count({ where: { status: { in: ["SENT", "FAILED", "UNREACHABLE", "CANCELLED"] } } });
      const elapsed = (Date.now() - started) / 1000;
      if (Math.floor(elapsed / 10) !== Math.floor((elapsed - 2) / 10)) {
        console.log(`  ${elapsed.toFixed(0)} s: ${done}/${N} done, ${(done / elapsed).toFixed(1)} msg/s`);
      }
      if (done >= N || interrupted) break;
      if (done !== lastDone) {
        lastDone = done;
        lastProgressAt = Date.now();
      } else if (Date.now() - lastProgressAt > 60_000) {
        console.log("  no progress for 60 s, stopping");
        break;
      }
    }

    const calls = await botApi.calls();
    const accepted = calls.filter((c) => c.status === 200);
    const distinct = new Set(accepted.map((c) => `${c.chatId}|${c.textHash}`));
    const first = accepted[0]?.at ?? started;
    const last = accepted.at(-1)?.at ?? started;
    const span = Math.max(0.001, (last - first) / 1000);
    // Sustained: the middle 90 % of the run, without start-up and the tail.
    const lo = accepted[Math.floor(accepted.length * 0.05)]?.at ?? first;
    const hi = accepted[Math.floor(accepted.length * 0.95)]?.at ?? last;
    const middle = accepted.filter((c) => c.at >= lo && c.at <= hi).length;
    const sustained = middle / Math.max(0.001, (hi - lo) / 1000);
    // Each chat's notices have distinct texts (one per kind), so (chat, text) names a notice.
    const expected = Math.min(N, CHATS * distinctPerChat);
    const sentRows = await db.outbox.count({ where: { dedupeKey: { startsWith: "bench:" }, status: "SENT" } });
    const lost = expected - distinct.size;
    const duplicates = accepted.length - distinct.size;
    console.log("");
    console.log(`  notifications        ${N} to ${CHATS} chats`);
    console.log(`  wall time            ${((Date.now() - started) / 1000).toFixed(1)} s (first to last send ${span.toFixed(1)} s)`);
    console.log(`  sustained rate       ${sustained.toFixed(2)} msg/s (middle 90 %), overall ${(accepted.length / span).toFixed(2)} msg/s`);
    console.log(`  target               ≥ ${(0.85 * 30).toFixed(1)} msg/s (85 % of 30): ${sustained >= 25.5 ? "met" : "NOT met"}`);
    console.log(`  max per-chat rate    ${maxPerChatPerSecond(calls)} msg in any 1 s window`);
    const reasons = calls.filter((c) => c.status === 429).map((c) => c.reason);
    console.log(
      `  429s (limit broken)  ${reasons.length}${reasons.length ? ` (${[...new Set(reasons)].map((r) => `${r}: ${reasons.filter((x) => x === r).length}`).join(", ")})` : ""}`,
    );
    console.log(`  lost                 ${lost}`);
    console.log(`  duplicates           ${duplicates}`);
    console.log(`  rows marked SENT     ${sentRows} of ${N}`);
  } finally {
    await delivery?.stop();
    await botApi.stop();
    const stream = redis.scanStream({ match: `${prefix}:*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await db.$disconnect();
    await dropDatabase(dbUrl);
  }
}

if (args["serve-bot-api"]) await serveBotApi();
else await main();
