// npm run bench:memory [-- --runs 5 --updates 10000 --idle-s 10 --only start,whatsapp,chat,demo]
//
// The product's process as it runs for real: `node scripts/start.mjs` (what `npm start` runs: the
// built dist/, no TypeScript loader), NODE_ENV=production, demo data, its own database and Redis
// prefix. Measures, each as the median of --runs runs:
//   start     time until /health answers ok, and the resident memory (RSS) --idle-s seconds later,
//             WhatsApp off (targets: healthy ≤ 3 s, idle RSS ≤ 200 MB);
//   whatsapp  the same idle RSS with WHATSAPP_ENABLED=true (Baileys loaded; there is no network
//             to WhatsApp here, so it keeps trying to connect): reported, no target;
//   chat      RSS after --updates chat updates through Telegram (people completing the request
//             form on our strict Bot API test server), against a bare Telegraf echo bot's RSS
//             after the same updates (target ≤ 1.5×); once, not per run;
//   demo      `npm run demo` warm: dependencies installed and the database migrated and seeded,
//             one unmeasured start first, then time until /health answers (target ≤ 5 s).
// Linux only (RSS is read from /proc). Needs PostgreSQL and Redis, like the product.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createDb } from "../core/db/client.js";
import { createRedis } from "../core/runtime/redis.js";
import { LocalDiskStorage } from "../core/storage/index.js";
import { seedDemo } from "../prisma/seed-data.js";
import { createDatabaseIfMissing, dropDatabase, migrate } from "../prisma/tools/migrations.js";
import { build, isFresh } from "../scripts/build.mjs";
import { BotApiServer } from "../tests/support/bot-api-server.js";
import { median, runPeople } from "./support/people.js";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string" },
    updates: { type: "string" },
    "idle-s": { type: "string" },
    only: { type: "string" },
  },
  allowPositionals: true,
});
const RUNS = Number(args.runs ?? 5);
const UPDATES = Number(args.updates ?? 10_000);
const IDLE_MS = Number(args["idle-s"] ?? 10) * 1000;
const PARTS = new Set((args.only ?? "start,whatsapp,chat,demo").split(","));
const root = path.resolve(import.meta.dirname, "..");

const TARGET = { healthyS: 3, idleMb: 200, chatRatio: 1.5, demoS: 5 };
const verdict = (ok: boolean) => (ok ? "met" : "missed");

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** Resident memory of a process, in MB (VmRSS). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  if (!kb) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kb) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Launched {
  child: ChildProcess;
  output: () => string;
  /** Resolves once /health answers 200, with the milliseconds since the launch. */
  healthy: Promise<number>;
  stop(): Promise<void>;
}

/** Starts a command in its own process group and waits for its /health. */
function launch(command: string, argv: string[], env: Record<string, string>, port: number): Launched {
  const started = performance.now();
  const child = spawn(command, argv, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const healthy = (async () => {
    const until = Date.now() + 120_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before it was healthy:\n${out.slice(-3000)}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return performance.now() - started;
      } catch {}
      if (Date.now() > until) throw new Error(`not healthy within 120 s:\n${out.slice(-3000)}`);
      await sleep(50);
    }
  })();
  return {
    child,
    output: () => out,
    healthy,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(-child.pid!, "SIGTERM");
      const timer = setTimeout(() => child.exitCode === null && process.kill(-child.pid!, "SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The environment of a production process, as in the Docker image (secrets are random here). */
function productEnv(dbUrl: string, storage: string, redisPrefix: string, port: number, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    SESSION_SECRET: randomBytes(32).toString("hex"),
    TOTP_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    ALLOW_INSECURE_HTTP: "true",
    DATABASE_URL: dbUrl,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    REDIS_PREFIX: redisPrefix,
    STORAGE_DIR: storage,
    HOST: "127.0.0.1",
    PORT: String(port),
    LOG_LEVEL: "warn",
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    ...extra,
  };
}

/** `node scripts/start.mjs` (npm start), healthy, then idle: its start time and idle RSS. */
async function startOnce(env: Record<string, string>) {
  const port = Number(env.PORT);
  const p = launch(process.execPath, ["scripts/start.mjs"], env, port);
  try {
    const ms = await p.healthy;
    await sleep(IDLE_MS);
    return { ms, rss: rssMb(p.child.pid!) };
  } finally {
    await p.stop();
  }
}

async function main() {
  const base = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/sibina";
  const u = new URL(base);
  u.pathname = `/sibina_bench_memory_${randomBytes(4).toString("hex")}`;
  const dbUrl = u.toString();
  const redisPrefix = `sibina-bench-memory:${randomBytes(3).toString("hex")}`;
  const storage = await mkdtemp(path.join(tmpdir(), "sibina-bench-memory-"));
  await createDatabaseIfMissing(dbUrl);
  const load = () => (readFileSync("/proc/loadavg", "utf8").split(" ")[0] ?? "?").trim();
  try {
    await migrate(dbUrl);
    const db = createDb(dbUrl, 2);
    await seedDemo(db, new LocalDiskStorage(storage));
    await db.$disconnect();
    if (!isFresh()) {
      console.log("Building dist/ first (not measured)…");
      build();
    }
    console.log(`bench:memory: ${RUNS} runs, RSS ${IDLE_MS / 1000} s after /health (${process.version}, load average ${load()} at the start)\n`);

    if (PARTS.has("start")) {
      const runs: { ms: number; rss: number }[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await startOnce(productEnv(dbUrl, storage, redisPrefix, await freePort())));
      const ms = median(runs.map((r) => r.ms));
      const rss = median(runs.map((r) => r.rss));
      console.log(
        `npm start, WhatsApp off: healthy after ${runs.map((r) => (r.ms / 1000).toFixed(1)).join(", ")} s; idle RSS ${runs.map((r) => r.rss.toFixed(0)).join(", ")} MB`,
      );
      console.log(`  target npm start healthy ≤ ${TARGET.healthyS} s (median ${(ms / 1000).toFixed(1)} s): ${verdict(ms <= TARGET.healthyS * 1000)}`);
      console.log(`  target idle RSS ≤ ${TARGET.idleMb} MB, WhatsApp off (median ${rss.toFixed(0)} MB): ${verdict(rss <= TARGET.idleMb)}`);
    }

    if (PARTS.has("whatsapp")) {
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) runs.push((await startOnce(productEnv(dbUrl, storage, redisPrefix, await freePort(), { WHATSAPP_ENABLED: "true" }))).rss);
      console.log(
        `\nnpm start, WhatsApp on (Baileys loaded, connecting): idle RSS ${runs.map((r) => r.toFixed(0)).join(", ")} MB, median ${median(runs).toFixed(0)} MB (no target)`,
      );
    }

    if (PARTS.has("chat")) await chat(dbUrl, storage, redisPrefix);

    if (PARTS.has("demo")) {
      const runs: number[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const port = await freePort();
        // npm run demo exactly as a person types it; the database is already migrated and seeded.
        const env = { ...productEnv(dbUrl, storage, redisPrefix, port), NODE_ENV: "development" };
        const p = launch("npm", ["run", "demo", "--silent"], env, port);
        try {
          const ms = await p.healthy;
          if (i > 0) runs.push(ms); // the first start warms the disk cache and tsx's cache
        } finally {
          await p.stop();
        }
      }
      const ms = median(runs);
      console.log(`\nnpm run demo, warm: healthy after ${runs.map((r) => (r / 1000).toFixed(1)).join(", ")} s`);
      console.log(`  target npm run demo warm ≤ ${TARGET.demoS} s (median ${(ms / 1000).toFixed(1)} s): ${verdict(ms <= TARGET.demoS * 1000)}`);
    }
    console.log(`\nload average at the end: ${load()}`);
  } finally {
    const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${redisPrefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
    redis.disconnect();
    await dropDatabase(dbUrl);
    await rm(storage, { recursive: true, force: true });
  }
}

/**
 * The product with Telegram on our Bot API test server against a bare Telegraf echo bot: each gets
 * the same UPDATES messages from people completing the request form (20 messages each, replies
 * awaited), and its RSS is read a few seconds after the last reply.
 */
async function chat(dbUrl: string, storage: string, redisPrefix: string) {
  const emu = await BotApiServer.start();
  const people = Math.ceil(UPDATES / 20);
  try {
    const measure = async (label: string, start: (port: number) => Launched, token: string) => {
      const port = await freePort();
      const p = start(port);
      try {
        await p.healthy;
        await sleep(IDLE_MS);
        const idle = rssMb(p.child.pid!);
        const run = await runPeople(emu, token, { users: people, tag: `M${label}`, thinkMs: [0, 0] });
        await sleep(5000);
        const after = rssMb(p.child.pid!);
        // Half a minute later: memory the heap only held on to (V8 shrinks it when idle) has gone.
        await sleep(30_000);
        const settled = rssMb(p.child.pid!);
        console.log(
          `  ${label.padEnd(22)} idle ${idle.toFixed(0).padStart(4)} MB, after ${run.roundTrips.length} updates ${after.toFixed(0).padStart(4)} MB (+${(after - idle).toFixed(0)} MB, ${run.seconds.toFixed(1)} s), 30 s later ${settled.toFixed(0)} MB`,
        );
        return { idle, after };
      } finally {
        await p.stop();
      }
    };
    console.log(`\n${people} people × 20 messages over Telegram (our Bot API test server), RSS 5 s after the last reply (the target's figure) and 30 s later:`);
    const token = "700101:bench-memory";
    const product = await measure(
      "Sibina (npm start)",
      (port) =>
        launch(
          process.execPath,
          ["scripts/start.mjs"],
          productEnv(dbUrl, storage, redisPrefix, port, { TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: emu.apiRoot }),
          port,
        ),
      token,
    );
    const echoToken = "700102:bench-memory-echo";
    const echo = await measure(
      "bare Telegraf echo bot",
      (port) =>
        launch(
          process.execPath,
          ["bench/support/echo-bot.mjs"],
          { PATH: process.env.PATH ?? "", BOT_TOKEN: echoToken, BOT_API_ROOT: emu.apiRoot, ECHO_HEALTH_PORT: String(port) },
          port,
        ),
      echoToken,
    );
    const ratio = product.after / echo.after;
    console.log(
      `  target RSS after ${UPDATES} updates ≤ ${TARGET.chatRatio}× the bare Telegraf bot's (${ratio.toFixed(2)}×): ${verdict(ratio <= TARGET.chatRatio)}`,
    );
    console.log(`  growth over idle: Sibina +${(product.after - product.idle).toFixed(0)} MB, bare Telegraf +${(echo.after - echo.idle).toFixed(0)} MB`);
  } finally {
    await emu.stop();
  }
}

await main();
