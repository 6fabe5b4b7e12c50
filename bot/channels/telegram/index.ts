// Starting the Telegram channel from configuration (main.ts). Off without TELEGRAM_BOT_TOKEN;
// a start-up failure (bad token, no network) is reported, not fatal: the rest keeps running.

import type { FastifyInstance } from "fastify";
import { t } from "../../../core/messages/index.js";
import { INSTANCE_ID, removeInstanceStatus, writeBotUsername, writeInstanceStatus } from "../../../core/runtime/channel-status.js";
import type { AppContext } from "../../../core/runtime/context.js";
import type { Engine } from "../../engine/index.js";
import { TelegramChannel } from "./channel.js";

export { TelegramChannel, TelegramSender, webhookSecret } from "./channel.js";
export { toTelegram } from "./render.js";

export interface RunningTelegram {
  channel: TelegramChannel | null;
  /** One line for the start-up notes. */
  note: string;
  stop(): Promise<void>;
}

/** Registers the webhook route (if configured) on `app`, which must not be listening yet, and starts the bot. */
export async function startTelegram(ctx: AppContext, app: FastifyInstance, engine: Engine): Promise<RunningTelegram> {
  const cfg = ctx.config;
  const token = cfg.TELEGRAM_BOT_TOKEN;
  if (!token) {
    // No deep links to a bot that no longer runs here.
    await writeBotUsername(ctx.redis, ctx.redisPrefix, null);
    return { channel: null, note: t("en", "bot.note.telegramOff"), stop: async () => {} };
  }
  const channel = new TelegramChannel(ctx, engine, {
    token,
    apiRoot: cfg.TELEGRAM_API_ROOT,
    webhook: cfg.TELEGRAM_WEBHOOK_URL ? { url: cfg.TELEGRAM_WEBHOOK_URL, secret: cfg.TELEGRAM_WEBHOOK_SECRET } : undefined,
  });
  if (channel.mode === "webhook") await app.register(channel.webhookRoutes());
  try {
    const { username } = await channel.start();
    return { channel, note: t("en", "bot.note.telegramOn", { username, mode: channel.mode }), stop: () => channel.stop() };
  } catch (err) {
    // Network errors can carry the request URL, which contains the token.
    const reason = String((err as Error).message ?? err).replaceAll(token, "***");
    ctx.log.error({ reason }, "telegram channel did not start");
    // This instance's view, kept while it runs (other instances may well be serving Telegram).
    const report = () => writeInstanceStatus(ctx.redis, ctx.redisPrefix, "telegram", INSTANCE_ID, { state: "closed", reason }, 60).catch(() => {});
    await report();
    const heartbeat = setInterval(() => void report(), 20_000);
    heartbeat.unref();
    return {
      channel: null,
      note: t("en", "bot.note.telegramFailed", { reason }),
      stop: async () => {
        clearInterval(heartbeat);
        await channel.stop();
        await removeInstanceStatus(ctx.redis, ctx.redisPrefix, "telegram", INSTANCE_ID).catch(() => {});
      },
    };
  }
}
