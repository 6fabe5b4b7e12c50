// The Telegram channel on Telegraf. Long polling by default; with TELEGRAM_WEBHOOK_URL set,
// Telegram calls our Fastify server instead (checked with Telegram's secret-token header).
// TELEGRAM_API_ROOT points the bot at any Bot API server (tests use telegram-test-api).
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { Telegraf, type Telegram } from "telegraf";
import type { Update } from "telegraf/types";
import { z } from "zod";
import { writeChannelStatus } from "../../../core/runtime/channel-status.js";
import type { AppContext } from "../../../core/runtime/context.js";
import { safeError } from "../../engine/log.js";
import { plainText } from "../../engine/render.js";
import type { ChannelSender, ConversationEngine, OutboundMessage } from "../types.js";
import { toEvent } from "./events.js";
import { PipelinedPolling } from "./polling.js";
import { toTelegram } from "./render.js";

export interface TelegramChannelOptions {
  token: string;
  /** Bot API server (default https://api.telegram.org). */
  apiRoot?: string;
  /** Webhook mode: Telegram posts updates to this URL on our Fastify server. */
  webhook?: { url: string; secret?: string };
  /** Called after an update was handled and its replies sent (for measurements and tests). */
  onHandled?: (info: { externalId: string; updateId: string; ms: number; replies: number }) => void;
}

const ALLOWED_UPDATES = ["message", "edited_message", "callback_query"] as const;
const CAPTION_LIMIT = 1024;

/** Sends OutboundMessages to Telegram chats: text with keyboard, or a stored file as a document. */
export class TelegramSender implements ChannelSender {
  readonly channel = "telegram" as const;
  constructor(
    private readonly ctx: Pick<AppContext, "db" | "storage">,
    private readonly telegram: Telegram,
  ) {}

  async send(chatId: string, message: OutboundMessage): Promise<{ messageId?: string }> {
    const { text, extra } = toTelegram(message);
    if (message.document) {
      const attachment = await this.ctx.db.attachment.findUnique({ where: { id: message.document.attachmentId } });
      if (attachment) {
        const caption = plainText(message);
        const sent = await this.telegram.sendDocument(
          chatId,
          { source: await this.ctx.storage.stream(attachment.storageKey), filename: message.document.fileName },
          { caption: caption.length > CAPTION_LIMIT ? `${caption.slice(0, CAPTION_LIMIT - 1)}…` : caption, reply_markup: extra.reply_markup },
        );
        return { messageId: String(sent.message_id) };
      }
    }
    const sent = await this.telegram.sendMessage(chatId, text, extra);
    return { messageId: String(sent.message_id) };
  }
}

/** Telegram's webhook secret: configured, or derived from the token (stable across restarts). */
export const webhookSecret = (token: string, configured?: string) =>
  configured ?? createHash("sha256").update(`sibina-webhook:${token}`).digest("hex").slice(0, 48);

const updateSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

export class TelegramChannel {
  readonly bot: Telegraf;
  readonly sender: TelegramSender;
  private readonly botId: string;
  private running: Promise<void> | null = null;
  private polling: PipelinedPolling | null = null;
  /** Per chat, the sending of the previous replies: a chat's replies go out in order. */
  private readonly sending = new Map<string, Promise<unknown>>();
  private readonly log: AppContext["log"];

  constructor(
    private readonly ctx: AppContext,
    private readonly engine: ConversationEngine,
    private readonly opts: TelegramChannelOptions,
  ) {
    this.botId = opts.token.split(":")[0]!;
    this.log = ctx.log.child({ mod: "telegram" });
    this.bot = new Telegraf(opts.token, { telegram: opts.apiRoot ? { apiRoot: opts.apiRoot } : {}, handlerTimeout: 60_000 });
    this.sender = new TelegramSender(ctx, this.bot.telegram);
    const maxBytes = Math.floor(ctx.config.MAX_UPLOAD_MB * 1024 * 1024);
    const access = { maxBytes, fileUrl: (fileId: string) => this.bot.telegram.getFileLink(fileId) };

    this.bot.use(async (tctx) => {
      const started = performance.now();
      const event = toEvent(tctx.update, this.botId, access);
      if (!event) return;
      // Handed to the engine (and queued for sending) before any await, so updates keep their order.
      const pending = this.engine.handle(event);
      const chat = event.externalId;
      const previous = this.sending.get(chat) ?? Promise.resolve();
      const sent = previous.then(async () => {
        const replies = await pending;
        try {
          for (const reply of replies) await this.sender.send(chat, reply);
        } finally {
          opts.onHandled?.({ externalId: chat, updateId: event.updateId, ms: performance.now() - started, replies: replies.length });
        }
      });
      const settled = sent.catch(() => {});
      this.sending.set(chat, settled);
      void settled.then(() => {
        if (this.sending.get(chat) === settled) this.sending.delete(chat);
      });
      if (tctx.callbackQuery) await tctx.answerCbQuery().catch((err) => this.log.debug({ err: safeError(err) }, "answerCallbackQuery failed"));
      await sent;
    });
    this.bot.catch((err) => this.log.error({ err: safeError(err) }, "telegram update failed"));
  }

  get mode(): "polling" | "webhook" {
    return this.opts.webhook ? "webhook" : "polling";
  }

  /** Connects (getMe), then starts long polling or registers the webhook. */
  async start(): Promise<{ username: string }> {
    const me = await this.bot.telegram.getMe();
    this.bot.botInfo = me;
    if (this.opts.webhook) {
      await this.bot.telegram.setWebhook(this.opts.webhook.url, {
        secret_token: webhookSecret(this.opts.token, this.opts.webhook.secret),
        allowed_updates: [...ALLOWED_UPDATES],
      });
    } else {
      await this.bot.telegram.deleteWebhook();
      this.polling = new PipelinedPolling(this.bot.telegram, (update) => this.bot.handleUpdate(update), {
        allowedUpdates: ALLOWED_UPDATES,
        log: this.log,
      });
      this.running = this.polling.run().catch(async (err) => {
        this.log.error({ err: safeError(err) }, "telegram polling stopped with an error");
        await writeChannelStatus(this.ctx.redis, this.ctx.redisPrefix, "telegram", { state: "closed", reason: String((err as Error).message) }).catch(() => {});
      });
    }
    await writeChannelStatus(this.ctx.redis, this.ctx.redisPrefix, "telegram", { state: "open", reason: this.mode, username: me.username });
    this.log.info({ bot: me.username, mode: this.mode }, "telegram channel started");
    return { username: me.username };
  }

  async stop(): Promise<void> {
    if (this.polling) {
      await this.polling.stop();
      await this.running;
      this.polling = null;
      this.running = null;
    }
    await Promise.allSettled([...this.sending.values()]);
    await writeChannelStatus(this.ctx.redis, this.ctx.redisPrefix, "telegram", { state: "closed", reason: "stopped" }).catch(() => {});
  }

  /** Fastify routes for webhook mode: POST <path of TELEGRAM_WEBHOOK_URL>, secret-token checked. */
  webhookRoutes() {
    const webhook = this.opts.webhook;
    if (!webhook) throw new Error("webhookRoutes() needs webhook options");
    const path = new URL(webhook.url).pathname;
    const expected = Buffer.from(webhookSecret(this.opts.token, webhook.secret));
    return async (app: FastifyInstance) => {
      app.post(path, { config: { rateLimit: false } }, async (request, reply) => {
        const given = Buffer.from(String(request.headers["x-telegram-bot-api-secret-token"] ?? ""));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send({ ok: false });
        const update = updateSchema.safeParse(request.body);
        if (!update.success) return reply.code(400).send({ ok: false });
        // Answer after handling: if we crash, Telegram delivers again (and dedupe keeps it once).
        await this.bot.handleUpdate(update.data as unknown as Update);
        return reply.send({ ok: true });
      });
    };
  }
}
