// Redis killed and started again empty, on its own redis-server: chat users (simulator and a
// Telegram webhook) get the polite "briefly disturbed, your answers are safe" reply within 2 s
// instead of a hang, staff get a 503 page that says whether their change was saved, a decision
// sent after Redis came back empty is clearly reported as not saved (never a bare 401), and
// everything resumes by itself.
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TelegramChannel, webhookSecret } from "../../bot/channels/telegram/channel.js";
import type { OutboundMessage } from "../../bot/channels/types.js";
import { simulatorPlugin } from "../../bot/channels/web/plugin.js";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { emailOf, type Panel, signedIn, startPanel } from "../admin/helpers.js";
import { ThrowawayRedis } from "../helpers/redis-server.js";
import { BotApiServer } from "../support/bot-api-server.js";
import { type BotTestContext, botTestContext } from "./support/context.js";

const TOKEN = "515151:TEST-redis-outage";
const POLL_TOKEN = "525252:TEST-redis-outage-polling";
const HOOK = "/telegram/hook-outage";
let redis: ThrowawayRedis;
let b: BotTestContext;
let engine: Engine;
let app: FastifyInstance;
let emu: BotApiServer;
let channel: TelegramChannel;
let poller: TelegramChannel;
let panel: Panel;

beforeAll(async () => {
  redis = await ThrowawayRedis.start();
  b = await botTestContext({ env: { REDIS_URL: redis.url } });
  b.ctx.redis.on("error", () => {});
  engine = createEngine(b.ctx, { reminders: false });
  emu = await BotApiServer.start();
  channel = new TelegramChannel(b.ctx, engine, { token: TOKEN, apiRoot: emu.apiRoot, webhook: { url: `https://sibina.example.go.id${HOOK}` } });
  app = Fastify();
  await app.register(simulatorPlugin, { ctx: b.ctx, engine });
  await app.register(channel.webhookRoutes());
  await app.ready();
  await channel.start();
  // And a long-polling bot on the same Redis: it keeps polling through the outage.
  poller = new TelegramChannel(b.ctx, engine, { token: POLL_TOKEN, apiRoot: emu.apiRoot, pollTimeoutSeconds: 5 });
  await poller.start();
  panel = await startPanel({ env: { REDIS_URL: redis.url } });
  panel.ctx.redis.on("error", () => {});
});
afterAll(async () => {
  await channel?.stop().catch(() => {});
  await poller?.stop().catch(() => {});
  await app?.close();
  await engine?.close();
  await emu?.stop();
  await panel?.close().catch(() => {});
  await b?.close().catch(() => {});
  await redis?.kill();
});

const sid = "outagesession000000000001";
const simulate = async (body: Record<string, unknown>) => {
  const started = Date.now();
  const res = await app.inject({ method: "POST", url: "/simulator/api/send", payload: { sessionId: sid, ...body } });
  return { ms: Date.now() - started, status: res.statusCode, replies: (res.json() as { replies: OutboundMessage[] }).replies };
};
let nextUpdate = 1;
const telegram = async (text: string) => {
  const started = Date.now();
  const id = nextUpdate++;
  const res = await app.inject({
    method: "POST",
    url: HOOK,
    headers: { "x-telegram-bot-api-secret-token": webhookSecret(TOKEN) },
    payload: {
      update_id: id,
      message: {
        message_id: id,
        date: Math.floor(Date.now() / 1000),
        text,
        chat: { id: 770001, type: "private", first_name: "Rina" },
        from: { id: 770001, is_bot: false, first_name: "Rina" },
      },
    },
  });
  return { ms: Date.now() - started, status: res.statusCode, replies: emu.botMessages(TOKEN, 770001).map((m) => m.text) };
};

it("while Redis is down chat users hear 'briefly disturbed' within 2 s, staff get a 503 saying the decision was not saved; after an empty restart all resumes", async () => {
  expect((await simulate({ text: "/start" })).replies[0]?.text).toContain("Halo");
  expect((await telegram("/start")).replies.join("\n")).toContain("Halo, Rina!");
  const pollingUser = emu.user(POLL_TOKEN, { chatId: 780001, firstName: "Yusuf" });
  const hello = emu.nextBotMessage(780001, (m) => m.text.includes("Halo, Yusuf!"), 30_000);
  pollingUser.text("/start");
  await hello;
  const supervisor = await signedIn(panel.app, emailOf("SUPERVISOR"));
  const waiting = await panel.ctx.db.coachingRequest.findFirstOrThrow({ where: { status: "SUBMITTED", office: { code: "1400" } } });
  expect((await supervisor.get(`/requests/${waiting.id}/status`)).statusCode).toBe(200);

  await redis.kill();

  const web = await simulate({ text: "1" });
  expect(web.status).toBe(200);
  expect(web.replies.map((r) => r.text)).toEqual([expect.stringContaining("sebentar terganggu")]);
  expect(web.replies[0]!.text).toContain("Jawaban yang sudah Anda kirim sebelumnya aman");
  expect(web.ms, "simulator reply time").toBeLessThan(2_000);

  const tg = await telegram("1");
  expect(tg.status).toBe(200);
  expect(tg.replies).toEqual([expect.stringContaining("sebentar terganggu")]);
  expect(tg.ms, "telegram reply time").toBeLessThan(2_000);

  const polled = emu.nextBotMessage(780001, () => true, 30_000);
  const askedAt = Date.now();
  pollingUser.text("1");
  expect((await polled).text).toContain("sebentar terganggu");
  expect(Date.now() - askedAt, "polling reply time").toBeLessThan(2_000);

  const page = await supervisor.get("/dashboard");
  expect(page.statusCode).toBe(503);
  expect(page.body).toContain("Sibina sebentar terganggu");
  const decision = await supervisor.post(`/requests/${waiting.id}/status`, { to: "IN_REVIEW" });
  expect(decision.statusCode).toBe(503);
  expect(decision.body).toContain('data-state="not_saved"');
  expect(decision.body).toContain("TIDAK tersimpan");
  expect((await panel.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe("SUBMITTED");

  // Redis back, empty: sessions are gone. The decision sent now is clearly reported as not saved.
  await redis.restart();
  const deadline = Date.now() + 30_000;
  let again = await supervisor.post(`/requests/${waiting.id}/status`, { to: "IN_REVIEW" });
  while (again.statusCode === 503 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    again = await supervisor.post(`/requests/${waiting.id}/status`, { to: "IN_REVIEW" });
  }
  expect(again.statusCode).toBe(401);
  expect(again.body).toContain("Sesi Anda sudah berakhir");
  expect(again.body).toContain("TIDAK tersimpan");
  expect((await panel.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe("SUBMITTED");
  // Signing in again works, and the decision goes through.
  const back = await signedIn(panel.app, emailOf("SUPERVISOR"));
  await back.get(`/requests/${waiting.id}/status`);
  expect((await back.post(`/requests/${waiting.id}/status`, { to: "IN_REVIEW" })).statusCode).toBe(302);

  // The chats go on where they were: the answers before the outage are in PostgreSQL.
  let resumed = await simulate({ text: "1" });
  while (resumed.replies[0]?.text.includes("terganggu") && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    resumed = await simulate({ text: "1" });
  }
  expect(resumed.replies.map((r) => r.text).join("\n")).toContain("UU Pelindungan Data Pribadi");
  let tgResumed = await telegram("1");
  while (tgResumed.replies.join("").includes("terganggu") && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    tgResumed = await telegram("1");
  }
  expect(tgResumed.replies.join("\n")).toContain("UU Pelindungan Data Pribadi");
}, 120_000);
