// Webhook mode: Telegram posts updates to our Fastify server with its secret-token header;
// replies go back over the Bot API (our strict server). A retried delivery is handled once, and
// an update whose answer was lost is redelivered by the server until a 2xx, and handled once.
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TelegramChannel, webhookSecret } from "../../bot/channels/telegram/channel.js";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { freePort } from "../notify/bot-api-proxy.js";
import { BotApiServer } from "../support/bot-api-server.js";
import { type BotTestContext, botTestContext } from "./support/context.js";
import { TOKEN } from "./support/tg.js";

const URL_PATH = "/telegram/hook-7f3a";
let b: BotTestContext;
let emu: BotApiServer;
let engine: Engine;
let channel: TelegramChannel;
let app: FastifyInstance;
const handled: string[] = [];

beforeAll(async () => {
  b = await botTestContext();
  emu = await BotApiServer.start({ webhookRetryMs: 50 });
  engine = createEngine(b.ctx, { reminders: false });
  channel = new TelegramChannel(b.ctx, engine, {
    token: TOKEN,
    apiRoot: emu.apiRoot,
    webhook: { url: `https://sibina.example.go.id${URL_PATH}` },
    onHandled: ({ updateId }) => handled.push(updateId),
  });
  app = Fastify();
  await app.register(channel.webhookRoutes());
  await app.ready();
  await channel.start();
});
afterAll(async () => {
  await channel?.stop();
  await engine?.close();
  await app?.close();
  await emu?.stop();
  await b?.close();
});

const update = (id: number, text: string, chatId = 9001) => ({
  update_id: id,
  message: {
    message_id: id,
    date: Math.floor(Date.now() / 1000),
    text,
    chat: { id: chatId, type: "private", first_name: "Siti" },
    from: { id: chatId, is_bot: false, first_name: "Siti" },
  },
});
const post = (body: unknown, secret?: string) =>
  app.inject({ method: "POST", url: URL_PATH, payload: body as object, headers: secret === undefined ? {} : { "x-telegram-bot-api-secret-token": secret } });

it("registers the webhook with Telegram's secret token", () => {
  const call = emu.calls.find((c) => c.method === "setWebhook");
  expect(call?.body).toMatchObject({ url: `https://sibina.example.go.id${URL_PATH}`, secret_token: webhookSecret(TOKEN) });
  expect(channel.mode).toBe("webhook");
});

it("refuses updates without the right secret token, and malformed bodies", async () => {
  expect((await post(update(1, "/start"))).statusCode).toBe(401);
  expect((await post(update(1, "/start"), "wrong-secret")).statusCode).toBe(401);
  expect((await post({ nope: true }, webhookSecret(TOKEN))).statusCode).toBe(400);
  // A stranger's body is not even read: the secret is checked first (broken JSON, a multipart post).
  for (const [type, body] of [
    ["application/json", "{not json"],
    ["multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--x--\r\n'],
  ]) {
    const res = await app.inject({
      method: "POST",
      url: URL_PATH,
      payload: body,
      headers: { "content-type": type!, "x-telegram-bot-api-secret-token": "wrong" },
    });
    expect(res.statusCode, type).toBe(401);
  }
  expect(handled).toEqual([]);
  expect(emu.botMessages(TOKEN, 9001)).toEqual([]);
});

it("handles a genuine update and answers through the Bot API; Telegram's retry of it is handled once", async () => {
  const res = await post(update(10, "/start"), webhookSecret(TOKEN));
  expect(res.statusCode).toBe(200);
  const replies = emu.botMessages(TOKEN, 9001);
  expect(replies[0]?.text).toContain("Halo, Siti!");
  expect(replies[0]?.buttons.map((x) => x.text)).toContain("Ajukan pembinaan");
  const retry = await post(update(10, "/start"), webhookSecret(TOKEN));
  expect(retry.statusCode).toBe(200);
  expect(emu.botMessages(TOKEN, 9001)).toEqual([]);
  expect(handled).toEqual(["123456:10", "123456:10"]);
});

it("a delivery whose answer is lost is redelivered until a 2xx, and the person is answered once", async () => {
  // A second server on a real port, answering the first delivery of each update with 502
  // after handling it (a proxy time-out), so Telegram keeps trying.
  const live = Fastify();
  let failFirst = true;
  live.addHook("onSend", async (_req, reply, payload) => {
    if (failFirst && reply.statusCode === 200) {
      failFirst = false;
      reply.code(502);
    }
    return payload;
  });
  const liveEngine = createEngine(b.ctx, { reminders: false });
  const liveHandled: string[] = [];
  const port = await freePort();
  const liveChannel = new TelegramChannel(b.ctx, liveEngine, {
    token: "654321:TEST-webhook-live",
    apiRoot: emu.apiRoot,
    webhook: { url: `http://127.0.0.1:${port}${URL_PATH}` },
    onHandled: ({ updateId }) => liveHandled.push(updateId),
  });
  await live.register(liveChannel.webhookRoutes());
  await live.listen({ port, host: "127.0.0.1" });
  try {
    await liveChannel.start();
    const person = emu.user("654321:TEST-webhook-live", { chatId: 9100, firstName: "Rina" });
    const id = person.text("/start");
    const until = Date.now() + 20_000;
    while (emu.unconfirmed("654321:TEST-webhook-live") > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(emu.unconfirmed("654321:TEST-webhook-live")).toBe(0);
    expect(emu.webhookAttempts.filter((a) => a.updateId === id).map((a) => a.status)).toEqual([502, 200]);
    expect(liveHandled).toEqual([`654321:${id}`, `654321:${id}`]);
    const replies = emu.botMessages("654321:TEST-webhook-live", 9100);
    expect(replies).toHaveLength(1);
    expect(replies[0]?.text).toContain("Halo, Rina!");
    // Polling while the webhook is set is refused, as Telegram does.
    const res = await fetch(`${emu.apiRoot}/bot654321:TEST-webhook-live/getUpdates`);
    expect(res.status).toBe(409);
  } finally {
    await liveChannel.stop();
    await liveEngine.close();
    await live.close();
  }
});
