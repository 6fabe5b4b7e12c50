// The Telegram channel on Telegraf. Long polling by default; with TELEGRAM_WEBHOOK_URL set,
// Telegram calls our Fastify server instead (checked with Telegram's secret-token header).
// TELEGRAM_API_ROOT points the bot at any Bot API server (tests use tests/support/bot-api-server.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Telegraf } from "telegraf";
import type { Update } from "telegraf/types";
import { z } from "zod";
import { type ChannelStatus, INSTANCE_ID, removeInstanceStatus, writeBotUsername, writeInstanceStatus } from "../../../core/runtime/channel-status.js";
import type { AppContext } from "../../../core/runtime/context.js";
import { LeaseKeeper, RedisLease, telegramLeaseKey } from "../../../core/runtime/locks.js";
import { redisDeadline } from "../../../core/runtime/outage.js";
import { safeError } from "../../engine/log.js";
import { type ConversationEngine, chatKey } from "../types.js";
import { toEvent } from "./events.js";
import { PipelinedPolling } from "./polling.js";
import { TelegramSender } from "./sender.js";

export interface TelegramChannelOptions {
  token: string;
  /** Bot API server (default https://api.telegram.org). */
  apiRoot?: string;
  /** Webhook mode: Telegram posts updates to this URL on our Fastify server. */
  webhook?: { url: string; secret?: string };
  /** Long-poll timeout in seconds (Telegram allows up to 50). */
  pollTimeoutSeconds?: number;
  /** This instance's name in the poller lease and the channel status. */
  instanceId?: string;
  /** Poller lease lifetime; a standby takes over at most ttl + renew after the poller dies. */
  leaseTtlMs?: number;
  leaseRenewMs?: number;
  /** Called after an update was handled and its replies sent (for measurements and tests). */
  onHandled?: (info: { externalId: string; updateId: string; ms: number; replies: number }) => void;
}

const ALLOWED_UPDATES = ["message", "edited_message", "callback_query"] as const;

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
  /** One poller per bot token across instances (Telegram refuses a second with 409). */
  private keeper: LeaseKeeper | null = null;
  /** Webhook mode: keeps this instance's status alive. */
  private heartbeatTimer: NodeJS.Timeout | undefined;
  readonly instanceId: string;
  private localStatus: Omit<ChannelStatus, "updatedAt" | "instance"> = { state: "off" };
  private readonly log: AppContext["log"];

  constructor(
    private readonly ctx: AppContext,
    private readonly engine: ConversationEngine,
    private readonly opts: TelegramChannelOptions,
  ) {
    this.botId = opts.token.split(":")[0]!;
    this.instanceId = opts.instanceId ?? INSTANCE_ID;
    this.log = ctx.log.child({ mod: "telegram" });
    this.bot = new Telegraf(opts.token, { telegram: opts.apiRoot ? { apiRoot: opts.apiRoot } : {}, handlerTimeout: 60_000 });
    this.sender = new TelegramSender(ctx, this.bot.telegram);
    const maxBytes = Math.floor(ctx.config.MAX_UPLOAD_MB * 1024 * 1024);
    const access = { maxBytes, fileUrl: (fileId: string) => this.bot.telegram.getFileLink(fileId) };

    this.bot.use(async (tctx) => {
      const started = performance.now();
      const event = toEvent(tctx.update, this.botId, access);
      if (!event) return;
      const chat = event.externalId;
      let answered = 0;
      // Handed to the engine before any await: the chat's turn lock keeps updates in arrival
      // order, and the replies are sent inside the turn, so they leave in that order too.
      const turn = this.engine.receive({
        chat: chatKey("telegram", chat),
        event: () => event,
        reply: async (replies) => {
          answered = replies.length;
          for (const reply of replies) await this.sender.send(chat, reply);
        },
      });
      try {
        if (tctx.callbackQuery) await tctx.answerCbQuery().catch((err) => this.log.debug({ err: safeError(err) }, "answerCallbackQuery failed"));
        await turn;
      } finally {
        opts.onHandled?.({ externalId: chat, updateId: event.updateId, ms: performance.now() - started, replies: answered });
      }
    });
    this.bot.catch((err) => this.log.error({ err: safeError(err) }, "telegram update failed"));
  }

  get mode(): "polling" | "webhook" {
    return this.opts.webhook ? "webhook" : "polling";
  }

  /** This instance's own view of the channel (the Channels page lists every instance's). */
  get status(): Omit<ChannelStatus, "updatedAt" | "instance"> {
    return this.localStatus;
  }

  /** True while this instance is the one polling Telegram. */
  get isPoller(): boolean {
    return this.polling !== null;
  }

  private get statusTtlSeconds() {
    return Math.max(15, (3 * (this.opts.leaseRenewMs ?? 2_000)) / 1000);
  }

  private async setStatus(status: Omit<ChannelStatus, "updatedAt" | "instance">) {
    this.localStatus = status;
    await this.heartbeat();
  }

  /** Bounded: with Redis down the status simply is not written (and nothing waits on it). */
  private async heartbeat() {
    const write = writeInstanceStatus(this.ctx.redis, this.ctx.redisPrefix, "telegram", this.instanceId, this.localStatus, this.statusTtlSeconds);
    await redisDeadline(write, "telegram status", 2_000).catch((err) => this.log.debug({ err: safeError(err) }, "telegram status not written"));
  }

  /**
   * Connects (getMe), then registers the webhook, or joins the instances that take turns at long
   * polling: the lease holder polls, the others stand by and take over when it dies.
   */
  async start(): Promise<{ username: string }> {
    const me = await this.bot.telegram.getMe();
    // The panel's t.me deep links name the bot.
    await writeBotUsername(this.ctx.redis, this.ctx.redisPrefix, me.username).catch((err) =>
      this.log.debug({ err: safeError(err) }, "bot username not written"),
    );
    this.bot.botInfo = me;
    if (this.opts.webhook) {
      await this.bot.telegram.setWebhook(this.opts.webhook.url, {
        secret_token: webhookSecret(this.opts.token, this.opts.webhook.secret),
        allowed_updates: [...ALLOWED_UPDATES],
      });
      await this.setStatus({ state: "open", reason: "webhook" });
      // Every instance answers webhook calls: each keeps its own status alive.
      this.keeper = null;
      this.heartbeatTimer = setInterval(() => void this.heartbeat(), this.opts.leaseRenewMs ?? 2_000);
      this.heartbeatTimer.unref?.();
    } else {
      await this.bot.telegram.deleteWebhook();
      const lease = new RedisLease(this.ctx.redis, telegramLeaseKey(this.ctx.redisPrefix, this.botId), this.instanceId, this.opts.leaseTtlMs ?? 10_000);
      this.localStatus = { state: "standby", reason: "polling" };
      this.keeper = new LeaseKeeper(lease, {
        renewMs: this.opts.leaseRenewMs ?? 2_000,
        onAcquired: (fence) => this.startPolling(fence),
        onLost: (reason) => this.stopPolling(reason),
        onTick: () => this.heartbeat(),
        onError: (err) => this.log.warn({ err: safeError(err) }, "telegram poller lease not renewed"),
        // Redis down: the poller keeps answering (people hear "briefly disturbed"); Telegram
        // itself refuses a second poller, so holding on cannot make two.
        holdThroughOutage: true,
      });
      await this.keeper.start();
    }
    this.log.info({ bot: me.username, mode: this.mode, poller: this.isPoller }, "telegram channel started");
    return { username: me.username };
  }

  private async startPolling(fence: number) {
    this.log.info({ instance: this.instanceId, fence }, "holding the Telegram poller lease");
    const polling = new PipelinedPolling(this.bot.telegram, (update) => this.bot.handleUpdate(update), {
      allowedUpdates: ALLOWED_UPDATES,
      timeoutSeconds: this.opts.pollTimeoutSeconds,
      log: this.log,
    });
    this.polling = polling;
    this.running = polling.run().catch(async (err) => {
      // Only a refused token (401) ends polling; the lease goes to nobody better, so keep it.
      this.log.error({ err: safeError(err) }, "telegram polling stopped with an error");
      if (this.polling === polling) await this.setStatus({ state: "closed", reason: String((err as Error).message) });
    });
    await this.setStatus({ state: "open", reason: `polling #${fence}` });
  }

  private async stopPolling(reason: string) {
    const polling = this.polling;
    this.polling = null;
    if (polling) {
      this.log.warn({ reason }, "giving up Telegram polling");
      await polling.stop();
      await this.running;
      this.running = null;
    }
    if (reason !== "stopped") await this.setStatus({ state: "standby", reason: "polling" });
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeatTimer);
    const keeper = this.keeper;
    this.keeper = null;
    // Polling ends (its updates confirmed) while we still hold the lease, which then goes at once.
    if (keeper) await keeper.stop(() => this.stopPolling("stopped"));
    else await this.stopPolling("stopped");
    this.localStatus = { state: "off", reason: "stopped" };
    await redisDeadline(removeInstanceStatus(this.ctx.redis, this.ctx.redisPrefix, "telegram", this.instanceId), "telegram status", 2_000).catch(() => {});
  }

  /** Fastify routes for webhook mode: POST <path of TELEGRAM_WEBHOOK_URL>, secret-token checked. */
  webhookRoutes() {
    const webhook = this.opts.webhook;
    if (!webhook) throw new Error("webhookRoutes() needs webhook options");
    const path = new URL(webhook.url).pathname;
    const expected = Buffer.from(webhookSecret(this.opts.token, webhook.secret));
    return async (app: FastifyInstance) => {
      // The secret is checked before the body is read: a stranger's post costs no parsing.
      const fromTelegram = async (request: FastifyRequest, reply: FastifyReply) => {
        const given = Buffer.from(String(request.headers["x-telegram-bot-api-secret-token"] ?? ""));
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send({ ok: false });
      };
      app.post(path, { onRequest: fromTelegram, config: { rateLimit: false } }, async (request, reply) => {
        const update = updateSchema.safeParse(request.body);
        if (!update.success) return reply.code(400).send({ ok: false });
        // Answer after handling: if we crash, Telegram delivers again (and dedupe keeps it once).
        await this.bot.handleUpdate(update.data as unknown as Update);
        return reply.send({ ok: true });
      });
    };
  }
}
