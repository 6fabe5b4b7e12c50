// Webhook mode: Telegram posts updates to our Fastify server with its secret-token header;
// replies go back over the Bot API (the emulator). A retried delivery is handled once.
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, expect, it } from "vitest";
import { TelegramChannel, webhookSecret } from "../../bot/channels/telegram/channel.js";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { type BotTestContext, botTestContext } from "./support/context.js";
import { TelegramEmulator } from "./support/telegram.js";
import { TOKEN } from "./support/tg.js";

const URL_PATH = "/telegram/hook-7f3a";
let b: BotTestContext;
let emu: TelegramEmulator;
let engine: Engine;
let channel: TelegramChannel;
let app: FastifyInstance;
const handled: string[] = [];

beforeAll(async () => {
  b = await botTestContext();
  emu = await TelegramEmulator.start();
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
  expect(handled).toEqual([]);
  expect(await emu.botMessages(TOKEN, 9001)).toEqual([]);
});

it("handles a genuine update and answers through the Bot API; Telegram's retry of it is handled once", async () => {
  const res = await post(update(10, "/start"), webhookSecret(TOKEN));
  expect(res.statusCode).toBe(200);
  const replies = await emu.botMessages(TOKEN, 9001);
  expect(replies[0]?.text).toContain("Halo, Siti!");
  expect(replies[0]?.buttons.map((x) => x.text)).toContain("Ajukan pembinaan");
  const retry = await post(update(10, "/start"), webhookSecret(TOKEN));
  expect(retry.statusCode).toBe(200);
  expect(await emu.botMessages(TOKEN, 9001)).toEqual([]);
  expect(handled).toEqual(["123456:10", "123456:10"]);
});
