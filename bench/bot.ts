// npm run bench:bot [-- --users 200]
//
// N simulated people complete the whole request form (20 messages each) at the same time:
//   1. through the engine in this process, sessions in PostgreSQL;
//   2. through Telegram: the real Telegraf bot (long polling) against our strict Bot API server
//      (tests/support/bot-api-server.ts: offsets, long polling and 409 as Telegram does them);
//   3. a bare Telegraf echo bot on the same emulator, as the ceiling for (2).
// The emulator and the simulated people run in a child process, like the real Bot API would,
// so this process only runs the bot. Each path runs twice:
//   - saturated: everyone answers the instant a reply arrives → messages per second;
//   - paced: everyone takes 0.5–1.5 s to answer, like a quick typist → p50/p95/p99 handling
//     latency (the bot's own time per message, replies sent included) at N concurrent people.
// (With no think time at all, latency is just queueing: N people / throughput.)
// Prints the ratio to the echo bot. Creates and drops its own database and Redis prefix.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Telegraf } from "telegraf";
import { TelegramChannel } from "../bot/channels/telegram/channel.js";
import { createEngine } from "../bot/engine/index.js";
import { parseConfig } from "../core/config.js";
import { createDb } from "../core/db/client.js";
import { t } from "../core/messages/index.js";
import { createContext } from "../core/runtime/context.js";
import { formatDate } from "../core/validation/datetime.js";
import { createDatabaseIfMissing, dropDatabase, migrate } from "../prisma/tools/migrations.js";
import { BotApiServer } from "../tests/support/bot-api-server.js";

const { values: args } = parseArgs({
  options: { users: { type: "string" }, "think-ms": { type: "string" }, "serve-emulator": { type: "boolean" } },
  allowPositionals: true,
});
const USERS = Number(args.users ?? process.env.BOT_BENCH_USERS ?? 200);
const ROUNDS = Number(process.env.BOT_BENCH_ROUNDS ?? 3);
/** Think time of the paced runs: "min-max" in milliseconds. */
const THINK = (args["think-ms"] ?? process.env.BOT_BENCH_THINK_MS ?? "500-1500").split("-").map(Number) as [number, number];
const think = ([min, max]: readonly [number, number]) => (max > 0 ? new Promise((r) => setTimeout(r, min + Math.random() * (max - min))) : null);
const SIBINA_TOKEN = "700001:bench-sibina";
/** The bot's apology when something failed inside; the person then sends the same message again. */
const APOLOGY = t("id", "bot.error").slice(0, 20);
const ECHO_TOKEN = "700002:bench-echo";

/** The 20 messages one person sends to complete a request (typed, as on WhatsApp). */
function script(i: number, tag: string): string[] {
  const day = formatDate(new Date(Date.now() + (30 + (i % 300)) * 24 * 3600_000), "WIB");
  const digits = String(10_000_000 + i).slice(-8);
  return [
    "/start",
    "1",
    "setuju",
    `Pengguna Uji ${i}`,
    "lewati",
    `0812 ${digits.slice(0, 4)} ${digits.slice(4)}`,
    `uji${i}@instansi.go.id`,
    `Instansi Uji Coba ${tag}${i} Nusantara`, // unique per run: no duplicate warnings
    "3",
    "ya",
    String(1 + (i % 12)),
    "1,3",
    "Pendampingan penyusunan metadata statistik sektoral untuk pegawai.",
    "Aula kantor instansi",
    "2",
    `${day} 09:00`,
    "2 jam",
    "sama",
    "lewati",
    "kirim",
  ];
}

interface Stats {
  messages: number;
  seconds: number;
  latencies: number[];
  retries: number;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
function line(label: string, s: Stats) {
  const sorted = [...s.latencies].sort((a, b) => a - b);
  const rate = s.messages / s.seconds;
  console.log(
    `${label.padEnd(34)} ${String(s.messages).padStart(6)} msgs in ${s.seconds.toFixed(2).padStart(6)} s = ${rate.toFixed(0).padStart(5)} msgs/s   p50 ${pct(sorted, 50).toFixed(1)} ms  p95 ${pct(sorted, 95).toFixed(1)} ms  p99 ${pct(sorted, 99).toFixed(1)} ms${s.retries ? `   (${s.retries} sent again after an apology)` : ""}`,
  );
  return rate;
}

// ------------------------------------------------------------------ child: emulator + people

async function serveEmulator() {
  const emu = await BotApiServer.start();
  const waiting = new Map<string, (text: string) => void>();
  // Every bot message wakes the person waiting in that chat (no polling, no sleeping).
  emu.listeners.add((m, token) => {
    const key = `${token}:${m.chatId}`;
    const w = waiting.get(key);
    if (w) {
      waiting.delete(key);
      w(m.text);
    }
  });
  const control = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const { token, users, tag, thinkMs } = JSON.parse(Buffer.concat(chunks).toString()) as {
      token: string;
      users: number;
      tag: string;
      thinkMs: [number, number];
    };
    const roundTrips: number[] = [];
    let retries = 0;
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const calls0 = emu.calls.length;
    await Promise.all(
      Array.from({ length: users }, async (_, i) => {
        const chatId = 100_000 + i;
        for (const text of script(i, tag)) {
          await think(thinkMs);
          for (;;) {
            const t0 = performance.now();
            const replied = new Promise<string>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error(`no reply in chat ${chatId} to "${text}"`)), 60_000);
              waiting.set(`${token}:${chatId}`, (reply) => {
                clearTimeout(timer);
                resolve(reply);
              });
            });
            emu.user(token, { chatId }).text(text);
            const reply = await replied;
            roundTrips.push(performance.now() - t0);
            if (!reply.startsWith(APOLOGY)) break;
            retries++; // a person would send it again
            await think([500, 1000]);
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    res.writeHead(200, { "content-type": "application/json" });
    const cpu = process.cpuUsage(cpu0);
    const polls = emu.calls.slice(calls0).filter((c) => c.method === "getUpdates").length;
    if (process.env.BOT_BENCH_DEBUG) {
      const byMethod = new Map<string, number>();
      for (const c of emu.calls.slice(calls0)) byMethod.set(c.method, (byMethod.get(c.method) ?? 0) + 1);
      console.error(JSON.stringify(Object.fromEntries(byMethod)));
    }
    emu.calls.length = 0;
    res.end(JSON.stringify({ seconds, roundTrips, retries, cpuMs: (cpu.user + cpu.system) / 1000, polls }));
  });
  await new Promise<void>((r) => control.listen(0, "127.0.0.1", r));
  console.log(`READY ${emu.apiRoot} http://127.0.0.1:${(control.address() as AddressInfo).port}`);
  process.on("SIGTERM", async () => {
    control.close();
    await emu.stop();
    process.exit(0);
  });
}

async function startChild() {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--serve-emulator"], { stdio: ["ignore", "pipe", "inherit"] });
  for await (const l of createInterface({ input: child.stdout! })) {
    const m = /^READY (\S+) (\S+)/.exec(l);
    if (m) {
      const control = m[2]!;
      return {
        apiRoot: m[1]!,
        run: async (token: string, users: number, tag: string, thinkMs: readonly [number, number] = [0, 0]) =>
          (await (await fetch(control, { method: "POST", body: JSON.stringify({ token, users, tag, thinkMs }) })).json()) as {
            seconds: number;
            roundTrips: number[];
            retries: number;
            cpuMs: number;
            polls: number;
          },
        stop: () => child.kill("SIGTERM"),
      };
    }
  }
  throw new Error("emulator process did not start");
}

// ------------------------------------------------------------------ parent: the bots

async function main() {
  const base = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/sibina";
  const u = new URL(base);
  u.pathname = `/sibina_bench_bot_${randomBytes(4).toString("hex")}`;
  const dbUrl = u.toString();
  const prefix = `sibina-bench-bot:${randomBytes(3).toString("hex")}`;
  await createDatabaseIfMissing(dbUrl);
  const child = await startChild();
  const db = createDb(dbUrl, Number(process.env.BOT_BENCH_POOL ?? 20));
  let ctx: Awaited<ReturnType<typeof createContext>> | null = null;
  try {
    await migrate(dbUrl);
    const ri = await db.office.create({ data: { code: "0000", name: "BPS RI", level: "NATIONAL" } });
    const riau = await db.office.create({ data: { code: "1400", name: "BPS Provinsi Riau", level: "PROVINCE", parentId: ri.id } });
    await db.office.create({ data: { code: "1471", name: "BPS Kota Pekanbaru", level: "REGENCY", parentId: riau.id } });
    const config = parseConfig({
      ...process.env,
      DATABASE_URL: dbUrl,
      LOG_LEVEL: process.env.BOT_BENCH_LOG ?? "silent",
      DEFAULT_OFFICE_CODE: "1400",
      STORAGE_DIR: "./tmp/bench-storage",
    });
    ctx = await createContext(config, { db, redisPrefix: prefix });
    console.log(
      `bench:bot: ${USERS} people × 20 messages each, completing the request form; paced think time ${THINK[0]}–${THINK[1]} ms (${process.version})\n`,
    );

    // The engine in process, sessions in PostgreSQL. Each saturated measurement follows a
    // warm-up run of the same people (JIT, connection pools, identities known), as the
    // Telegram and echo measurements do.
    const engine = createEngine(ctx, { reminders: false });
    const runEngine = async (tag: string, thinkMs: readonly [number, number]): Promise<Stats> => {
      const latencies: number[] = [];
      let submitted = 0;
      let retries = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: USERS }, async (_, i) => {
          const externalId = `bench-${i}`;
          for (const text of script(i, tag)) {
            await think(thinkMs);
            for (;;) {
              const s = performance.now();
              const out = await engine.handle({ channel: "web", externalId, updateId: randomBytes(8).toString("hex"), kind: "text", text });
              latencies.push(performance.now() - s);
              if (out.length !== 1) throw new Error(`expected one reply, got ${out.length} for "${text}"`);
              if (/terkirim dengan kode PB-/.test(out[0]!.text)) submitted++;
              if (!out[0]!.text.startsWith(APOLOGY)) break;
              retries++;
              await think([500, 1000]);
            }
          }
        }),
      );
      if (submitted !== USERS) throw new Error(`only ${submitted} of ${USERS} forms were submitted in process`);
      return { messages: latencies.length, seconds: (performance.now() - t0) / 1000, latencies, retries };
    };

    // Telegram: Telegraf + engine, long polling against the emulator.
    const tgEngine = createEngine(ctx, { reminders: false });
    let tgLat: number[] = [];
    let tgEngineLat: number[] = [];
    // The engine's part of a Telegram turn: from the hand-over until the replies are ready to send.
    const receive = tgEngine.receive.bind(tgEngine);
    tgEngine.receive = (arrival) => {
      const s = performance.now();
      return receive({
        ...arrival,
        reply: (replies) => {
          tgEngineLat.push(performance.now() - s);
          return arrival.reply(replies);
        },
      });
    };
    const channel = new TelegramChannel(ctx, tgEngine, { token: SIBINA_TOKEN, apiRoot: child.apiRoot, onHandled: ({ ms }) => tgLat.push(ms) });
    await channel.start();
    const runTelegram = async (tag: string, thinkMs: readonly [number, number]): Promise<Stats & { roundTrips: number[] }> => {
      tgLat = [];
      tgEngineLat = [];
      const cpu0 = process.cpuUsage();
      const r = await child.run(SIBINA_TOKEN, USERS, tag, thinkMs);
      const cpu = process.cpuUsage(cpu0);
      if (process.env.BOT_BENCH_DEBUG) {
        console.log(
          `  [${tag}] cpu per message: bot ${((cpu.user + cpu.system) / 1000 / r.roundTrips.length).toFixed(2)} ms, emulator+people ${(r.cpuMs / r.roundTrips.length).toFixed(2)} ms, ${r.polls} polls`,
        );
        const e = [...tgEngineLat].sort((a, b) => a - b);
        console.log(`  [${tag}] engine part of the Telegram path: p50 ${pct(e, 50).toFixed(1)} p95 ${pct(e, 95).toFixed(1)} ms`);
      }
      const done = await db.coachingRequest.count({ where: { channel: "telegram", agencyName: { startsWith: `Instansi Uji Coba ${tag}` } } });
      if (done !== USERS) throw new Error(`only ${done} of ${USERS} forms were submitted over Telegram`);
      return { messages: r.roundTrips.length, seconds: r.seconds, latencies: tgLat, roundTrips: r.roundTrips, retries: r.retries };
    };

    // A bare Telegraf echo bot on the same emulator.
    const echo = new Telegraf(ECHO_TOKEN, { telegram: { apiRoot: child.apiRoot } });
    let echoLat: number[] = [];
    echo.use(async (_c, next) => {
      const s = performance.now();
      await next();
      echoLat.push(performance.now() - s);
    });
    echo.on("text", (c) => c.reply(c.message.text));
    await new Promise<void>((resolve) => {
      echo.launch(() => resolve()).catch(() => {});
    });
    const runEcho = async (tag: string, thinkMs: readonly [number, number]): Promise<Stats> => {
      echoLat = [];
      const cpu0 = process.cpuUsage();
      const r = await child.run(ECHO_TOKEN, USERS, tag, thinkMs);
      const cpu = process.cpuUsage(cpu0);
      if (process.env.BOT_BENCH_DEBUG) {
        console.log(
          `  [${tag}] cpu per message: bot ${((cpu.user + cpu.system) / 1000 / r.roundTrips.length).toFixed(2)} ms, emulator+people ${(r.cpuMs / r.roundTrips.length).toFixed(2)} ms, ${r.polls} polls`,
        );
      }
      return { messages: r.roundTrips.length, seconds: r.seconds, latencies: echoLat, retries: 0 };
    };

    // Saturated runs, interleaved and repeated: this machine is shared, so each path gets the
    // same chances of a quiet moment; the median run of each path is reported. Round 0 warms up.
    const sat: { engine: Stats[]; telegram: (Stats & { roundTrips: number[] })[]; echo: Stats[] } = { engine: [], telegram: [], echo: [] };
    for (let round = 0; round <= ROUNDS; round++) {
      const e = await runEngine(`E${round}r`, [0, 0]);
      const tg = await runTelegram(`T${round}r`, [0, 0]);
      const ec = await runEcho(`X${round}r`, [0, 0]);
      if (round === 0) continue;
      sat.engine.push(e);
      sat.telegram.push(tg);
      sat.echo.push(ec);
    }
    const median = <S extends Stats>(runs: S[]): S => [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)]!;
    const engineSat = median(sat.engine);
    const tgSat = median(sat.telegram);
    const echoSat = median(sat.echo);

    const enginePaced = await runEngine("P", THINK);
    const tgPaced = await runTelegram("Q", THINK);
    const echoPaced = await runEcho("Y", THINK);
    await engine.close();
    await channel.stop();
    await tgEngine.close();
    echo.stop("bench done");

    console.log(`saturated (no think time), median of ${ROUNDS} interleaved runs: throughput; latency here is mostly waiting in line`);
    line("  engine in process (PostgreSQL)", engineSat);
    const tgRate = line("  Telegram: Telegraf + engine", tgSat);
    const echoRate = line("  Telegram: bare Telegraf echo bot", echoSat);
    console.log(`\npaced (${USERS} people, ${THINK[0]}–${THINK[1]} ms to answer): handling latency`);
    line("  engine in process (PostgreSQL)", enginePaced);
    line("  Telegram: Telegraf + engine", tgPaced);
    line("  Telegram: bare Telegraf echo bot", echoPaced);
    const rt = [...tgPaced.roundTrips].sort((a, b) => a - b);
    console.log(`  round trip seen by people on Telegram (paced): p50 ${pct(rt, 50).toFixed(1)} ms, p95 ${pct(rt, 95).toFixed(1)} ms`);
    const p95 = (l: number[]) =>
      pct(
        [...l].sort((a, b) => a - b),
        95,
      );
    console.log(`\nSibina over Telegram reaches ${((100 * tgRate) / echoRate).toFixed(0)}% of the echo bot's throughput (target ≥ 40%).`);
    console.log(
      `p95 handling latency at ${USERS} concurrent people: ${p95(enginePaced.latencies).toFixed(1)} ms in process, ${p95(tgPaced.latencies).toFixed(1)} ms over Telegram (target ≤ 25 ms).`,
    );
  } finally {
    child.stop();
    if (ctx) {
      let cursor = "0";
      do {
        const [next, keys] = await ctx.redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
        cursor = next;
        if (keys.length) await ctx.redis.del(...keys);
      } while (cursor !== "0");
      ctx.redis.disconnect();
    }
    await db.$disconnect();
    await dropDatabase(dbUrl);
  }
}

if (args["serve-emulator"]) await serveEmulator();
else await main();
