// npm run bench:notify [-- --n 10000 --chats 2000 --runs 3 --service 80:40:300]
// npm run bench:notify -- --whatsapp [--n 10000 --chats 2000 --gap-divisor 100 --runs 1]
//
// Telegram: N notices to C chats through the real pipeline (outbox → relay → BullMQ → paced
// worker → Bot API) against our strict Bot API test server, behind a proxy in its own process
// that enforces Telegram's limits (30 msg/s overall, 1 msg/s per chat, 429 when broken) and
// takes Telegram's time to answer: 80 ± 40 ms per call and 300 ms per sendDocument. A quarter
// of the chats are coaches, who get the assignment notice plus the Surat Tugas PDF and its
// .ics as documents (10 % of the notices at the defaults). Prints the sustained rate, the
// 429s, lost and repeated notices and chats whose notices arrived out of order.
//
// WhatsApp (--whatsapp): see bench/notify-whatsapp.ts. Own database and Redis prefix per run,
// removed afterwards. --runs N prints each run and the medians.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { rm } from "node:fs/promises";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { telegramSender } from "../bot/channels/telegram/sender.js";
import { startDelivery } from "../bot/delivery/index.js";
import { parseConfig } from "../core/config.js";
import { createContext } from "../core/runtime/context.js";
import { createLogger } from "../core/runtime/logger.js";
import { createRedis } from "../core/runtime/redis.js";
import { maxPerChatPerSecond, type ProxyCall, type ServiceTime, startBotApiProxy, TELEGRAM_SERVICE_TIME } from "../tests/notify/bot-api-proxy.js";
import { BotApiServer } from "../tests/support/bot-api-server.js";
import { chatsOutOfOrder, median, scratchDatabase, seedNotices, target, zeroTargets } from "./notify-seed.js";
import { runWhatsApp } from "./notify-whatsapp.js";

const { values: args } = parseArgs({
  options: {
    n: { type: "string" },
    chats: { type: "string" },
    rate: { type: "string" },
    runs: { type: "string" },
    service: { type: "string" },
    concurrency: { type: "string" },
    whatsapp: { type: "boolean" },
    "gap-divisor": { type: "string" },
    "serve-bot-api": { type: "boolean" },
  },
  allowPositionals: true,
});
const N = Number(args.n ?? process.env.NOTIFY_BENCH_N ?? 10_000);
const CHATS = Number(args.chats ?? process.env.NOTIFY_BENCH_CHATS ?? Math.max(1, Math.round(N / 5)));
const RUNS = Math.max(1, Number(args.runs ?? 1));
const RATE = args.rate ?? process.env.TELEGRAM_RATE_PER_SECOND ?? "28";
const TOKEN = "424242:bench-notify";
const CAP = 30;
const TARGET_SHARE = 0.85;

/** "80:40:300" → 80 ± 40 ms per call, 300 ms per sendDocument; "0" → instant answers. */
function parseService(spec: string | undefined): ServiceTime | undefined {
  if (spec === undefined) return TELEGRAM_SERVICE_TIME;
  const [mean = 0, jitter = 0, doc = mean] = spec.split(":").map(Number);
  return mean || jitter || doc ? { meanMs: mean, jitterMs: jitter, documentMs: doc } : undefined;
}
const SERVICE = parseService(args.service);
const serviceLabel = SERVICE ? `${SERVICE.meanMs} ± ${SERVICE.jitterMs} ms per call, ${SERVICE.documentMs} ms per sendDocument` : "instant answers";

/**
 * The "Telegram" side (emulator + limits proxy) runs in its own process, like the real Bot
 * API would: the proxy's clock then measures arrivals, not this process's event loop.
 */
async function serveBotApi() {
  const server = await BotApiServer.start();
  const proxy = await startBotApiProxy({ target: server.apiRoot, serviceTime: SERVICE });
  console.log(`READY ${proxy.apiRoot}`);
  process.once("SIGTERM", async () => {
    await proxy.close();
    await server.stop();
    process.exit(0);
  });
}

async function startBotApiProcess() {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--serve-bot-api", "--service", args.service ?? "80:40:300"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
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

interface TelegramRun {
  sustained: number;
  overall: number;
  maxPerChat: number;
  tooMany: number;
  /** Which limit each 429 enforced, e.g. "global: 1". */
  reasons: string;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  documents: number;
  wallSec: number;
}

/** "global: 2, chat: 1" */
function countBy(items: string[]): string {
  const counts = new Map<string, number>();
  for (const x of items) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k}: ${n}`).join(", ");
}

let interrupted = false;
process.once("SIGINT", () => {
  interrupted = true;
});

/** Polls the outbox until every notice is done (or nothing moves for 60 s, or Ctrl-C). */
async function waitUntilDone(count: () => Promise<number>, total: number, started: number) {
  let lastDone = -1;
  let lastProgressAt = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const done = await count();
    const elapsed = (Date.now() - started) / 1000;
    if (Math.floor(elapsed / 10) !== Math.floor((elapsed - 2) / 10))
      console.log(`    ${elapsed.toFixed(0)} s: ${done}/${total} done, ${(done / elapsed).toFixed(1)} msg/s`);
    if (done >= total || interrupted) return;
    if (done !== lastDone) {
      lastDone = done;
      lastProgressAt = Date.now();
    } else if (Date.now() - lastProgressAt > 60_000) {
      console.log("    no progress for 60 s, stopping");
      return;
    }
  }
}

async function telegramRun(): Promise<TelegramRun> {
  const scratch = await scratchDatabase("notify");
  const { db } = scratch;
  const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const botApi = await startBotApiProcess();
  let delivery: ReturnType<typeof startDelivery> | null = null;
  try {
    const mix = await seedNotices(db, {
      n: N,
      chats: CHATS,
      coachShare: 0.25,
      identity: (i) => ({ channel: "telegram", externalId: String(900_000 + i) }),
    });
    console.log(
      `    mix: ${mix.requesterTexts} requester status notices to ${mix.requesterChats} chats; ${mix.coachChats} coaches get the assignment notice, the Surat Tugas PDF and its .ics (${mix.documents} documents, ${((100 * mix.documents) / mix.total).toFixed(0)} %)`,
    );
    const config = parseConfig({
      ...process.env,
      DATABASE_URL: scratch.url,
      TELEGRAM_RATE_PER_SECOND: RATE,
      LOG_LEVEL: "warn",
      STORAGE_DIR: scratch.storageDir,
    });
    const ctx = await createContext(config, { db, redis, redisPrefix: scratch.prefix, log: createLogger("warn") });
    const started = Date.now();
    delivery = startDelivery(ctx, [telegramSender(ctx, TOKEN, botApi.apiRoot)], {
      relay: { pollMs: 200, batchSize: 500 },
      workers: args.concurrency ? { telegram: { concurrency: Number(args.concurrency) } } : {},
    });
    await waitUntilDone(() => db.outbox.count({ where: { status: { in: ["SENT", "FAILED", "UNREACHABLE", "CANCELLED"] } } }), mix.total, started);
    const wallSec = (Date.now() - started) / 1000;

    const calls = await botApi.calls();
    const accepted = calls.filter((c) => c.status === 200);
    const first = accepted[0]?.at ?? started;
    const last = accepted.at(-1)?.at ?? started;
    const span = Math.max(0.001, (last - first) / 1000);
    // Sustained: the middle 90 % of the run, without start-up and the tail.
    const lo = accepted[Math.floor(accepted.length * 0.05)]?.at ?? first;
    const hi = accepted[Math.floor(accepted.length * 0.95)]?.at ?? last;
    const middle = accepted.filter((c) => c.at >= lo && c.at <= hi).length;
    // Each chat's notices have distinct texts, so (chat, text) names a notice.
    const distinct = new Set(accepted.map((c) => `${c.chatId}|${c.textHash}`));
    const arrivedAt = new Map(accepted.map((c) => [String(c.messageId), c.at]));
    const order = await chatsOutOfOrder(db, "telegram", (_, externalId) => (externalId ? arrivedAt.get(externalId) : undefined));
    const sent = await db.outbox.count({ where: { dedupeKey: { startsWith: "bench:" }, status: "SENT" } });
    return {
      sustained: middle / Math.max(0.001, (hi - lo) / 1000),
      overall: accepted.length / span,
      maxPerChat: maxPerChatPerSecond(calls),
      tooMany: calls.filter((c) => c.status === 429).length,
      reasons: countBy(calls.filter((c) => c.status === 429).map((c) => c.reason ?? "?")),
      // A notice is lost when its row is not SENT or its recorded message never reached "Telegram".
      lost: mix.total - sent + order.unmatched,
      duplicates: accepted.length - distinct.size,
      outOfOrder: order.outOfOrder,
      documents: accepted.filter((c) => c.method === "sendDocument").length,
      wallSec,
    };
  } finally {
    await delivery?.stop();
    await botApi.stop();
    const stream = redis.scanStream({ match: `${scratch.prefix}:*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await scratch.drop();
    await rm(scratch.storageDir, { recursive: true, force: true });
  }
}

async function telegramBench() {
  console.log(`bench:notify  ${N} notices to ${CHATS} Telegram chats, pacing at ${RATE}/s, proxy enforcing ${CAP}/s and 1/s per chat, ${serviceLabel}`);
  const runs: TelegramRun[] = [];
  for (let i = 0; i < RUNS && !interrupted; i++) {
    console.log(`  run ${i + 1}/${RUNS}`);
    const r = await telegramRun();
    runs.push(r);
    console.log(
      `    sustained ${r.sustained.toFixed(2)} msg/s (middle 90 %), overall ${r.overall.toFixed(2)} msg/s, wall ${r.wallSec.toFixed(0)} s, ${r.documents} documents, max ${r.maxPerChat}/s per chat, ${r.tooMany} × 429${r.reasons ? ` (${r.reasons})` : ""}, ${r.lost} lost, ${r.duplicates} duplicates, ${r.outOfOrder} chats out of order`,
    );
  }
  const med = (f: (r: TelegramRun) => number) => median(runs.map(f));
  console.log("");
  console.log(`  medians of ${runs.length} run(s)`);
  target(
    "throughput (sustained)",
    `${med((r) => r.sustained).toFixed(2)} msg/s`,
    med((r) => r.sustained) >= TARGET_SHARE * CAP,
    `≥ ${TARGET_SHARE * CAP} = 85 % of ${CAP}`,
  );
  zeroTargets(runs, {
    "429 answers": (r) => r.tooMany,
    "lost notices": (r) => r.lost,
    duplicates: (r) => r.duplicates,
    "chats out of order": (r) => r.outOfOrder,
  });
  target(
    "max sends to one chat in 1 s",
    String(med((r) => r.maxPerChat)),
    runs.every((r) => r.maxPerChat <= 1),
    "≤ 1",
  );
}

if (args["serve-bot-api"]) await serveBotApi();
else if (args.whatsapp) await runWhatsApp({ n: N, chats: CHATS, runs: RUNS, gapDivisor: Number(args["gap-divisor"] ?? 100), stop: () => interrupted });
else await telegramBench();
