// Two instances on one bot token, as two real processes: exactly one polls Telegram (the lease
// holder), no 409 stops anything, and when the poller is killed with kill -9 the other one
// answers within 15 s. Each instance reports its own view; the dead one drops off by itself.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { overallStatus, readInstanceStatuses } from "../../core/runtime/channel-status.js";
import { telegramLeaseKey } from "../../core/runtime/locks.js";
import { BotApiServer } from "../support/bot-api-server.js";
import { type BotTestContext, botTestContext } from "./support/context.js";

const TOKEN = "424242:TEST-two-instances";
let b: BotTestContext;
let emu: BotApiServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  b = await botTestContext();
  emu = await BotApiServer.start();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await emu?.stop();
  await b?.close();
});

function instance(name: string): { proc: ChildProcess; ready: Promise<void> } {
  const proc = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./support/poller-child.ts", import.meta.url))], {
    env: {
      ...process.env,
      DATABASE_URL: b.t.url,
      DEFAULT_OFFICE_CODE: "1400",
      STORAGE_DIR: b.ctx.config.STORAGE_DIR,
      POLLER_PREFIX: b.ctx.redisPrefix,
      POLLER_TOKEN: TOKEN,
      // Trailing slash: Telegraf resolves "./bot…" against it, keeping the path.
      POLLER_API_ROOT: `${emu.apiRoot}/${name}/`,
      POLLER_INSTANCE: name,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(proc);
  const ready = (async () => {
    for await (const line of createInterface({ input: proc.stdout! })) if (line === "READY") return;
    throw new Error(`instance ${name} exited before it was ready`);
  })();
  return { proc, ready };
}

const until = async <T>(check: () => Promise<T> | T, timeoutMs: number, what: string): Promise<NonNullable<T>> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const statuses = () => readInstanceStatuses(b.ctx.redis, b.ctx.redisPrefix, "telegram");
const pollers = (from: number) =>
  new Set(
    emu.calls
      .slice(from)
      .filter((c) => c.method === "getUpdates" && c.token === TOKEN)
      .map((c) => c.caller),
  );

it("one of two instances polls; after kill -9 of it the other answers within 15 s, and no 409 ever stops polling", async () => {
  const a = instance("a");
  const c = instance("c");
  await Promise.all([a.ready, c.ready]);
  // Both report their own view: one open (polling), the other standby.
  const views = await until(
    async () => {
      const s = await statuses();
      return s.length === 2 && s.some((x) => x.state === "open") && s.some((x) => x.state === "standby") ? s : null;
    },
    30_000,
    "one poller and one standby",
  );
  const holder = views.find((x) => x.state === "open")!.instance!;
  expect(await b.ctx.redis.get(telegramLeaseKey(b.ctx.redisPrefix, "424242"))).toBe(holder);
  const [poller, standby] = holder === "a" ? [a, c] : [c, a];
  const standbyName = holder === "a" ? "c" : "a";

  // Over several lease renewals, only the holder asks Telegram for updates.
  const before = emu.calls.length;
  await new Promise((r) => setTimeout(r, 6_000));
  expect([...pollers(before)]).toEqual([holder]);

  const person = emu.user(TOKEN, { chatId: 880001, firstName: "Dewi" });
  const firstReply = emu.nextBotMessage(880001, (m) => m.text.includes("Halo, Dewi!"), 30_000);
  person.text("/start");
  await firstReply;

  // kill -9 the poller; the standby takes over and answers.
  const killedAt = Date.now();
  poller.proc.kill("SIGKILL");
  await once(poller.proc, "exit");
  const afterKill = emu.calls.length;
  const reply = emu.nextBotMessage(880001, (m) => m.text.includes("Halo, Dewi!"), 60_000);
  person.text("/start");
  await reply;
  const tookMs = Date.now() - killedAt;
  console.info(`two instances: answered ${tookMs} ms after kill -9 of the poller`);
  expect(tookMs, `answered ${tookMs} ms after kill -9`).toBeLessThanOrEqual(15_000);
  expect([...pollers(afterKill)]).toEqual([standbyName]);
  expect(standby.proc.exitCode).toBeNull();

  // The survivor's view is "open"; the dead instance's view expires by itself.
  const after = await until(
    async () => {
      const s = await statuses();
      return s.length === 1 && s[0]!.instance === standbyName && s[0]!.state === "open" ? s : null;
    },
    40_000,
    "only the survivor, open",
  );
  expect(overallStatus(after).state).toBe("open");
  // Nothing ever answered a getUpdates with 409: the lease kept the pollers apart.
  expect(emu.calls.filter((x) => x.method === "getUpdates" && x.status === 409)).toEqual([]);
});
