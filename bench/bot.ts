// npm run bench:bot [-- --runs 3 --users 200 --think-ms 500-1500 --paths engine,telegram,echo]
//
// N simulated people complete the whole request form (20 messages each) at the same time:
//   engine    through the engine in this process, sessions in PostgreSQL;
//   telegram  through Telegram: the real Telegraf bot and Sibina's channel (long polling) against
//             our strict Bot API server (tests/support/bot-api-server.ts: offsets honoured, long
//             polling, 409 as Telegram does them);
//   echo      a bare Telegraf echo bot on the same server, the ceiling for telegram.
// The server and the simulated people run in a child process, like the real Bot API would, so this
// process only runs the bots. Each run measures every path twice, interleaved:
//   saturated  everyone answers the instant a reply arrives → messages per second;
//   paced      everyone takes 0.5–1.5 s to answer, like a quick typist → p50/p95/p99 handling
//              latency (the bot's own time per message, from receiving the update until its
//              replies are sent) at N concurrent people.
// One unmeasured warm-up run comes first; figures are medians of --runs runs. Targets (issue 15):
// telegram ≥ 0.5× echo saturated; paced telegram p95 ≤ 25 ms and p99 ≤ 100 ms. Also printed for
// the paced telegram runs: GC pauses and event-loop delay in this process, to tell where a tail
// comes from. Creates and drops its own database and Redis prefix.
//
// Profile: node --cpu-prof --cpu-prof-dir=tmp/prof --import tsx bench/bot.ts -- --runs 1
// (the child running the Bot API server and the people writes its own profile too).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg } from "node:os";
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Telegraf } from "telegraf";
import { TelegramChannel } from "../bot/channels/telegram/channel.js";
import { createEngine } from "../bot/engine/index.js";
import { parseConfig } from "../core/config.js";
import { createDb } from "../core/db/client.js";
import { createContext } from "../core/runtime/context.js";
import { createDatabaseIfMissing, dropDatabase, migrate } from "../prisma/tools/migrations.js";
import { BotApiServer } from "../tests/support/bot-api-server.js";
import { APOLOGY, median, percentile, requestForm, runPeople, think } from "./support/people.js";

const { values: args } = parseArgs({
  options: {
    runs: { type: "string" },
    users: { type: "string" },
    "think-ms": { type: "string" },
    paths: { type: "string" },
    service: { type: "string" },
    "serve-emulator": { type: "boolean" },
  },
  allowPositionals: true,
});
const RUNS = Number(args.runs ?? process.env.BOT_BENCH_RUNS ?? 3);
const USERS = Number(args.users ?? process.env.BOT_BENCH_USERS ?? 200);
/** Think time of the paced runs: "min-max" in milliseconds. */
const THINK = (args["think-ms"] ?? process.env.BOT_BENCH_THINK_MS ?? "500-1500").split("-").map(Number) as [number, number];
const PATHS = new Set((args.paths ?? "engine,telegram,echo").split(","));
/**
 * Telegram's answer time for the saturated runs on the second server: "80:40" is 80 ± 40 ms a
 * call (as bench:notify, measured from Indonesia); "0" leaves those runs out.
 */
const SERVICE = (() => {
  const [mean = 0, jitter = 0] = (args.service ?? process.env.BOT_BENCH_SERVICE ?? "80:40").split(":").map(Number);
  return mean > 0 ? { mean, jitter } : null;
})();
const SIBINA_TOKEN = "700001:bench-sibina";
const ECHO_TOKEN = "700002:bench-echo";
const SIBINA_SLOW_TOKEN = "700003:bench-sibina-slow";
const ECHO_SLOW_TOKEN = "700004:bench-echo-slow";
const TARGET = { ratio: 0.5, p95: 25, p99: 100 };
const verdict = (ok: boolean) => (ok ? "met" : "missed");
/** The 1-minute load average (the machine's business, printed with the figures). */
const load = () => loadavg()[0]!.toFixed(1);

interface Stats {
  messages: number;
  seconds: number;
  latencies: number[];
  retries: number;
  /** CPU time of this process (the bot) during the run: on a busy machine, steadier than the rate. */
  cpuMs: number;
}

/** CPU time of this process while `run` runs, in ms. */
async function withCpu<T>(run: () => Promise<T>): Promise<T & { cpuMs: number }> {
  const c0 = process.cpuUsage();
  const result = await run();
  const c = process.cpuUsage(c0);
  return { ...result, cpuMs: (c.user + c.system) / 1000 };
}

const sortedOf = (l: readonly number[]) => [...l].sort((a, b) => a - b);
const rateOf = (s: Stats) => s.messages / s.seconds;
function line(label: string, s: Stats) {
  const sorted = sortedOf(s.latencies);
  console.log(
    `  ${label.padEnd(32)} ${String(s.messages).padStart(6)} msgs in ${s.seconds.toFixed(2).padStart(6)} s = ${rateOf(s).toFixed(0).padStart(5)} msgs/s   p50 ${percentile(sorted, 50).toFixed(1)} ms  p95 ${percentile(sorted, 95).toFixed(1)} ms  p99 ${percentile(sorted, 99).toFixed(1)} ms   cpu ${(s.cpuMs / s.messages).toFixed(2)} ms/msg${s.retries ? `   (${s.retries} sent again after an apology)` : ""}`,
  );
}

/** GC pauses and event-loop delay in this process while `run` runs. */
async function observed<T>(run: () => Promise<T>): Promise<{ result: T; gcCount: number; gcMs: number; gcMaxMs: number; loopP99: number; loopMax: number }> {
  const pauses: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(e.duration);
  });
  obs.observe({ entryTypes: ["gc"] });
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  try {
    const result = await run();
    return {
      result,
      gcCount: pauses.length,
      gcMs: pauses.reduce((a, b) => a + b, 0),
      gcMaxMs: Math.max(0, ...pauses),
      loopP99: loop.percentile(99) / 1e6,
      loopMax: loop.max / 1e6,
    };
  } finally {
    loop.disable();
    obs.disconnect();
  }
}

// ------------------------------------------------------------------ child: emulator + people

async function serveEmulator() {
  const instant = await BotApiServer.start();
  // The same strict server taking Telegram's time to answer every call.
  const slow = SERVICE ? await BotApiServer.start({ serviceMs: () => Math.max(0, SERVICE.mean + (Math.random() * 2 - 1) * SERVICE.jitter) }) : null;
  const control = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const { token, users, tag, thinkMs, firstChatId, server } = JSON.parse(Buffer.concat(chunks).toString()) as {
      token: string;
      users: number;
      tag: string;
      thinkMs: [number, number];
      firstChatId: number;
      server: "instant" | "slow";
    };
    const emu = server === "slow" && slow ? slow : instant;
    const cpu0 = process.cpuUsage();
    const calls0 = emu.calls.length;
    const run = await runPeople(emu, token, { users, tag, thinkMs, firstChatId });
    const cpu = process.cpuUsage(cpu0);
    const polls = emu.calls.slice(calls0).filter((c) => c.method === "getUpdates").length;
    // What the emulator keeps for tests (every call, every message) is not needed here.
    emu.calls.length = 0;
    emu.sent.length = 0;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ...run, cpuMs: (cpu.user + cpu.system) / 1000, polls }));
  });
  await new Promise<void>((r) => control.listen(0, "127.0.0.1", r));
  console.log(`READY ${instant.apiRoot} ${slow?.apiRoot ?? "-"} http://127.0.0.1:${(control.address() as AddressInfo).port}`);
  process.on("SIGTERM", async () => {
    control.close();
    await instant.stop();
    await slow?.stop();
    process.exit(0);
  });
}

/**
 * Every run is new people (their own chats): a person who has requested before is greeted as a
 * returning PIC and asked fewer questions, which the 20-message script does not expect.
 */
let chatIds = 100_000;
const nextChatId = (users: number) => {
  const first = chatIds;
  chatIds += users;
  return first;
};

async function startChild() {
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--serve-emulator"], { stdio: ["ignore", "pipe", "inherit"] });
  for await (const l of createInterface({ input: child.stdout! })) {
    const m = /^READY (\S+) (\S+) (\S+)/.exec(l);
    if (m) {
      const control = m[3]!;
      return {
        apiRoot: m[1]!,
        /** The server that takes Telegram's time to answer ("-" without --service). */
        slowApiRoot: m[2]!,
        run: async (token: string, users: number, tag: string, thinkMs: readonly [number, number] = [0, 0], server: "instant" | "slow" = "instant") =>
          (await (
            await fetch(control, { method: "POST", body: JSON.stringify({ token, users, tag, thinkMs, firstChatId: nextChatId(users), server }) })
          ).json()) as {
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
  const db = createDb(dbUrl, Number(process.env.BOT_BENCH_POOL ?? 10));
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
      `bench:bot: ${USERS} people × 20 messages each, completing the request form; paced think time ${THINK[0]}–${THINK[1]} ms; ${RUNS} runs after a warm-up (${process.version}, load average ${load()})\n`,
    );

    // The engine in process, sessions in PostgreSQL.
    const engine = createEngine(ctx, { reminders: false });
    const runEngine = (tag: string, thinkMs: readonly [number, number]) => withCpu(() => runEngineOnce(tag, thinkMs));
    const runEngineOnce = async (tag: string, thinkMs: readonly [number, number]) => {
      const latencies: number[] = [];
      /** Latencies by the message's place in the form (0 = "/start", 19 = "kirim"). */
      const byStep: number[][] = Array.from({ length: 20 }, () => []);
      let submitted = 0;
      let retries = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: USERS }, async (_, i) => {
          const externalId = `bench-${tag}-${i}`;
          for (const [step, text] of requestForm(i, tag).entries()) {
            await think(thinkMs);
            for (;;) {
              const s = performance.now();
              const out = await engine.handle({ channel: "web", externalId, updateId: randomBytes(8).toString("hex"), kind: "text", text });
              latencies.push(performance.now() - s);
              byStep[step]!.push(performance.now() - s);
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
      return { messages: latencies.length, seconds: (performance.now() - t0) / 1000, latencies, retries, byStep };
    };

    // Telegram: Telegraf + Sibina's channel + engine, long polling against the Bot API server.
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
    // The same on the server that takes Telegram's time to answer.
    const slowEngine = SERVICE ? createEngine(ctx, { reminders: false }) : null;
    const slowChannel = slowEngine
      ? new TelegramChannel(ctx, slowEngine, { token: SIBINA_SLOW_TOKEN, apiRoot: child.slowApiRoot, onHandled: ({ ms }) => tgLat.push(ms) })
      : null;
    await slowChannel?.start();
    const runTelegram = (tag: string, thinkMs: readonly [number, number], server: "instant" | "slow" = "instant") =>
      withCpu(() => runTelegramOnce(tag, thinkMs, server));
    const runTelegramOnce = async (tag: string, thinkMs: readonly [number, number], server: "instant" | "slow") => {
      tgLat = [];
      tgEngineLat = [];
      const r = await child.run(server === "slow" ? SIBINA_SLOW_TOKEN : SIBINA_TOKEN, USERS, tag, thinkMs, server);
      const done = await db.coachingRequest.count({ where: { channel: "telegram", agencyName: { startsWith: `Instansi Uji Coba ${tag}` } } });
      if (done !== USERS) throw new Error(`only ${done} of ${USERS} forms were submitted over Telegram`);
      return {
        messages: r.roundTrips.length,
        seconds: r.seconds,
        latencies: tgLat,
        engineLatencies: tgEngineLat,
        roundTrips: r.roundTrips,
        retries: r.retries,
        polls: r.polls,
        emulatorCpuMs: r.cpuMs,
      };
    };

    // A bare Telegraf echo bot on each server.
    let echoLat: number[] = [];
    const echoBot = async (token: string, apiRoot: string) => {
      const bot = new Telegraf(token, { telegram: { apiRoot } });
      bot.use(async (_c, next) => {
        const s = performance.now();
        await next();
        echoLat.push(performance.now() - s);
      });
      bot.on("text", (c) => c.reply(c.message.text));
      await new Promise<void>((resolve) => {
        bot.launch(() => resolve()).catch(() => {});
      });
      return bot;
    };
    const echo = await echoBot(ECHO_TOKEN, child.apiRoot);
    const slowEcho = SERVICE ? await echoBot(ECHO_SLOW_TOKEN, child.slowApiRoot) : null;
    const runEcho = (tag: string, thinkMs: readonly [number, number], server: "instant" | "slow" = "instant"): Promise<Stats> =>
      withCpu(() => runEchoOnce(tag, thinkMs, server));
    const runEchoOnce = async (tag: string, thinkMs: readonly [number, number], server: "instant" | "slow") => {
      echoLat = [];
      const r = await child.run(server === "slow" ? ECHO_SLOW_TOKEN : ECHO_TOKEN, USERS, tag, thinkMs, server);
      return { messages: r.roundTrips.length, seconds: r.seconds, latencies: echoLat, retries: 0 };
    };

    type TgRun = Awaited<ReturnType<typeof runTelegram>>;
    const sat = { engine: [] as Stats[], telegram: [] as TgRun[], echo: [] as Stats[] };
    /** Saturated runs on the server that takes Telegram's time to answer. */
    const slowSat = { telegram: [] as TgRun[], echo: [] as Stats[] };
    const paced = {
      engine: [] as (Stats & { byStep: number[][] })[],
      telegram: [] as (TgRun & Omit<Awaited<ReturnType<typeof observed>>, "result">)[],
      echo: [] as Stats[],
    };
    for (let run = 0; run <= RUNS; run++) {
      // Saturated, then paced, each path in turn: on a shared machine every path gets the same
      // chances of a quiet moment. Run 0 warms up (JIT, pools, identities known).
      const e = PATHS.has("engine") ? await runEngine(`E${run}r`, [0, 0]) : null;
      const tg = PATHS.has("telegram") ? await runTelegram(`T${run}r`, [0, 0]) : null;
      const ec = PATHS.has("echo") ? await runEcho(`X${run}r`, [0, 0]) : null;
      const tgSlow = SERVICE && PATHS.has("telegram") ? await runTelegram(`S${run}r`, [0, 0], "slow") : null;
      const ecSlow = SERVICE && PATHS.has("echo") ? await runEcho(`Z${run}r`, [0, 0], "slow") : null;
      if (run === 0) continue;
      if (e) sat.engine.push(e);
      if (tg) sat.telegram.push(tg);
      if (ec) sat.echo.push(ec);
      if (tgSlow) slowSat.telegram.push(tgSlow);
      if (ecSlow) slowSat.echo.push(ecSlow);
      if (PATHS.has("engine")) paced.engine.push(await runEngine(`P${run}p`, THINK));
      if (PATHS.has("telegram")) {
        const o = await observed(() => runTelegram(`Q${run}p`, THINK));
        paced.telegram.push({ ...o.result, ...o });
      }
      if (PATHS.has("echo")) paced.echo.push(await runEcho(`Y${run}p`, THINK));
      console.log(`run ${run} of ${RUNS} done`);
    }
    await engine.close();
    await channel.stop();
    await tgEngine.close();
    await slowChannel?.stop();
    await slowEngine?.close();
    echo.stop("bench done");
    slowEcho?.stop("bench done");

    /** The run with the median of a figure. */
    const medianRun = <S>(runs: S[], by: (s: S) => number): S => [...runs].sort((a, b) => by(a) - by(b))[Math.floor(runs.length / 2)]!;
    const p = (s: Stats, q: number) => percentile(sortedOf(s.latencies), q);

    console.log(`\nsaturated (no think time), the median run of ${RUNS}: throughput; latency here is mostly waiting in line`);
    if (sat.engine.length) line("engine in process (PostgreSQL)", medianRun(sat.engine, rateOf));
    if (sat.telegram.length) line("Telegram: Telegraf + Sibina", medianRun(sat.telegram, rateOf));
    if (sat.echo.length) line("Telegram: bare Telegraf echo bot", medianRun(sat.echo, rateOf));
    if (SERVICE && (slowSat.telegram.length || slowSat.echo.length)) {
      console.log(`\nsaturated, the Bot API taking Telegram's time to answer (${SERVICE.mean} ± ${SERVICE.jitter} ms a call), the median run of ${RUNS}`);
      if (slowSat.telegram.length) line("Telegram: Telegraf + Sibina", medianRun(slowSat.telegram, rateOf));
      if (slowSat.echo.length) line("Telegram: bare Telegraf echo bot", medianRun(slowSat.echo, rateOf));
    }

    console.log(`\npaced (${USERS} people, ${THINK[0]}–${THINK[1]} ms to answer), every run: handling latency`);
    for (let i = 0; i < RUNS; i++) {
      const pe = paced.engine[i];
      if (pe) {
        line(`engine in process, run ${i + 1}`, pe);
        // Which messages of the form make the tail: the slowest three by their own p95.
        const form = requestForm(0, "");
        const slowest = pe.byStep
          .map((l, step) => ({ step, p95: percentile(sortedOf(l), 95), p50: percentile(sortedOf(l), 50) }))
          .sort((a, b) => b.p95 - a.p95)
          .slice(0, 3);
        console.log(
          `    slowest messages by p95: ${slowest.map((x) => `#${x.step + 1} "${form[x.step]}" p50 ${x.p50.toFixed(1)} p95 ${x.p95.toFixed(1)} ms`).join("; ")}`,
        );
      }
      const tg = paced.telegram[i];
      if (tg) {
        line(`Telegram + Sibina, run ${i + 1}`, tg);
        const e = sortedOf(tg.engineLatencies);
        const rt = sortedOf(tg.roundTrips);
        console.log(
          `    of which the engine: p50 ${percentile(e, 50).toFixed(1)} p95 ${percentile(e, 95).toFixed(1)} p99 ${percentile(e, 99).toFixed(1)} ms; round trip seen by people p50 ${percentile(rt, 50).toFixed(1)} p95 ${percentile(rt, 95).toFixed(1)} ms; ${tg.polls} getUpdates`,
        );
        console.log(
          `    this process: ${tg.gcCount} GC pauses, ${tg.gcMs.toFixed(0)} ms in all, longest ${tg.gcMaxMs.toFixed(1)} ms; event-loop delay p99 ${tg.loopP99.toFixed(1)} ms, max ${tg.loopMax.toFixed(1)} ms`,
        );
      }
      if (paced.echo[i]) line(`bare echo bot, run ${i + 1}`, paced.echo[i]!);
    }

    console.log("");
    if (sat.telegram.length && sat.echo.length) {
      const ratio = median(sat.telegram.map(rateOf)) / median(sat.echo.map(rateOf));
      const cpuPer = (runs: Stats[]) => median(runs.map((r) => r.cpuMs / r.messages));
      console.log(
        `bot CPU per message, saturated: Telegram + Sibina ${cpuPer(sat.telegram).toFixed(2)} ms, bare echo bot ${cpuPer(sat.echo).toFixed(2)} ms (a busy machine slows the rates, not these)`,
      );
      console.log(
        `target Telegram + Sibina ≥ ${TARGET.ratio}× the echo bot's saturated throughput, instant Bot API (CPU only) (${median(sat.telegram.map(rateOf)).toFixed(0)} / ${median(sat.echo.map(rateOf)).toFixed(0)} msgs/s = ${ratio.toFixed(2)}×): ${verdict(ratio >= TARGET.ratio)}`,
      );
    }
    if (SERVICE && slowSat.telegram.length && slowSat.echo.length) {
      const ratio = median(slowSat.telegram.map(rateOf)) / median(slowSat.echo.map(rateOf));
      console.log(
        `target Telegram + Sibina ≥ ${TARGET.ratio}× the echo bot's saturated throughput, Bot API at ${SERVICE.mean} ± ${SERVICE.jitter} ms a call (${median(slowSat.telegram.map(rateOf)).toFixed(0)} / ${median(slowSat.echo.map(rateOf)).toFixed(0)} msgs/s = ${ratio.toFixed(2)}×): ${verdict(ratio >= TARGET.ratio)}`,
      );
    }
    if (paced.telegram.length) {
      const p95 = median(paced.telegram.map((s) => p(s, 95)));
      const p99 = median(paced.telegram.map((s) => p(s, 99)));
      console.log(
        `target paced p95 handling ≤ ${TARGET.p95} ms at ${USERS} people over Telegram (median of runs ${p95.toFixed(1)} ms): ${verdict(p95 <= TARGET.p95)}`,
      );
      console.log(
        `target paced p99 handling ≤ ${TARGET.p99} ms at ${USERS} people over Telegram (median of runs ${p99.toFixed(1)} ms): ${verdict(p99 <= TARGET.p99)}`,
      );
    }
    console.log(`load average at the end: ${load()}`);
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
