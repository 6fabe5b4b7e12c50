// A bare Telegraf echo bot, in plain JavaScript like the built product: bench:memory's yardstick
// for the memory a Telegram bot process needs at all. BOT_TOKEN and BOT_API_ROOT from the caller;
// GET /health on ECHO_HEALTH_PORT answers once it polls, as the product's does.
import http from "node:http";
import { Telegraf } from "telegraf";

const bot = new Telegraf(process.env.BOT_TOKEN, { telegram: { apiRoot: process.env.BOT_API_ROOT } });
bot.on("text", (c) => c.reply(c.message.text));
const health = http.createServer((_req, res) => res.writeHead(200).end("ok"));
process.once("SIGTERM", () => {
  bot.stop("SIGTERM");
  health.close();
});
await bot.launch(() => health.listen(Number(process.env.ECHO_HEALTH_PORT), "127.0.0.1"));
