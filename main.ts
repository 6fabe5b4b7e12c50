// The composition root: one process runs the admin panel, the chat channels and the
// background workers. Each part registers itself here and nowhere else.
import type { FastifyInstance } from "fastify";
import { buildServer, type ServerOptions } from "./admin/server.js";
import { buildSetupServer } from "./admin/setup.js";
import { startTelegram } from "./bot/channels/telegram/index.js";
import { WebChannel } from "./bot/channels/web/channel.js";
import { simulatorPlugin } from "./bot/channels/web/plugin.js";
import type { RunningWhatsApp } from "./bot/channels/whatsapp/index.js";
import { channelOperations } from "./bot/delivery/admin.js";
import { startDeadlineJob } from "./bot/delivery/deadlines.js";
import { deliverySenders, startDelivery } from "./bot/delivery/index.js";
import { closeDeliveryQueues } from "./bot/delivery/queues.js";
import { sharedEngine } from "./bot/engine/index.js";
import { startHousekeeping } from "./bot/housekeeping.js";
import { resealTotpSecrets, totpKeyring } from "./core/auth/secrets.js";
import { type Config, ConfigError, config } from "./core/config.js";
import { createDb } from "./core/db/client.js";
import { t } from "./core/messages/index.js";
import { type AppContext, createContext } from "./core/runtime/context.js";
import { exitUnlessServicesUp } from "./core/runtime/health.js";
import { createLogger } from "./core/runtime/logger.js";
import { needsSetup, setupToken } from "./core/setup/service.js";

export interface Running {
  url: string;
  notes: string[];
  stop(): Promise<void>;
}

/**
 * The HTTP app: the admin panel (which sees the channels only through ChannelOperations) and
 * the web chat simulator. Tests and benchmarks build it here too, so they run what ships.
 */
export async function buildApp(ctx: AppContext, opts: Omit<ServerOptions, "channels"> = {}): Promise<FastifyInstance> {
  const app = await buildServer(ctx, { ...opts, channels: channelOperations(ctx) });
  await app.register(simulatorPlugin, { ctx });
  // The Channels page opens the delivery queues on demand; they close with the server.
  app.addHook("onClose", async () => closeDeliveryQueues(ctx));
  return app;
}

export interface StartOptions {
  /** Told the one-time setup URL when the database is empty (the console by default). */
  onSetupUrl?: (url: string) => void;
}

export async function start(opts: StartOptions = {}): Promise<Running> {
  const cfg = config();
  const db = createDb(cfg.DATABASE_URL);
  const log = createLogger(cfg.LOG_LEVEL);
  const url = cfg.PUBLIC_URL ?? `http://${cfg.HOST}:${cfg.PORT}`;
  // An empty database: serve only the setup page until the first office and admin exist.
  if (await needsSetup(db)) {
    const token = setupToken();
    const setup = await buildSetupServer({ db, log, token });
    await setup.app.listen({ host: cfg.HOST, port: cfg.PORT });
    const setupUrl = `${url}/setup?token=${token.value}`;
    (opts.onSetupUrl ?? ((u) => console.log(t("en", "setup.note", { url: u }))))(setupUrl);
    await setup.completed;
    await setup.app.close();
  }
  const ctx = await createContext(cfg, { db, log });
  // Two-factor secrets stored before encryption (or under a previous key) are sealed anew.
  const sealed = await resealTotpSecrets(ctx.db, await totpKeyring(cfg));
  if (sealed.resealed) ctx.log.info({ resealed: sealed.resealed }, "two-factor secrets sealed with the current TOTP key");
  if (sealed.unreadable) ctx.log.error({ unreadable: sealed.unreadable }, "two-factor secrets no configured key opens: set TOTP_ENCRYPTION_KEY_PREVIOUS");
  const app = await buildApp(ctx);
  const notes: string[] = [];
  const stops: (() => Promise<void>)[] = [];

  // Telegram: long polling, or a webhook route on this server when TELEGRAM_WEBHOOK_URL is set.
  const telegram = await startTelegram(ctx, app, sharedEngine(ctx).engine);
  stops.push(telegram.stop);

  await app.listen({ host: cfg.HOST, port: cfg.PORT });
  notes.push(t("en", "admin.note.panel", { url }));
  notes.push(t("en", "bot.note.simulator", { url: `${url}/simulator` }), telegram.note);

  // WhatsApp: the office number as a linked device (QR in this terminal and on /channels).
  // whatsapp?.sender is the ChannelSender for notification delivery.
  let whatsapp: RunningWhatsApp | null = null;
  if (cfg.WHATSAPP_ENABLED) {
    const { engine, created } = sharedEngine(ctx);
    if (created) stops.push(() => engine.close());
    // Loaded only when enabled: Baileys and its crypto cost about 80 MB of memory.
    const { startWhatsApp } = await import("./bot/channels/whatsapp/index.js");
    whatsapp = await startWhatsApp(ctx, { engine });
    stops.push(whatsapp.stop);
    notes.push(t("en", "whatsapp.note.on"));
  } else notes.push(t("en", "whatsapp.note.off"));

  // Periodic housekeeping (BullMQ job schedulers: one run per deployment, whatever the instances).
  const housekeeping = await startHousekeeping(ctx);
  stops.push(housekeeping.stop);

  // Notifications: the outbox relay and one paced queue worker per running channel.
  const delivery = startDelivery(ctx, [new WebChannel(ctx), ...(whatsapp ? [whatsapp.sender] : []), ...deliverySenders(cfg, undefined, ctx)]);
  stops.push(delivery.stop);
  // Reporting deadlines of the coaching programme: notices written to the outbox a few times a day.
  const deadlines = await startDeadlineJob(ctx);
  stops.push(deadlines.stop);

  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e) => ctx.log.error({ err: e }, "stop failed"));
    await app.close();
    ctx.redis.disconnect();
    await ctx.db.$disconnect();
  };
  return { url, notes, stop };
}

/** The configuration, or its message and exit 1 (a bad variable is named, never a stack trace). */
function configOrExit(): Config {
  try {
    return config();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
}

/** Starts the product and stops it cleanly on Ctrl+C or SIGTERM (npm start, Docker). */
export async function runFromCommandLine(): Promise<void> {
  // The same service checks as npm run demo: a service that is down gives one clear message and
  // a non-zero exit, not a stack trace or a process that keeps reconnecting.
  const cfg = configOrExit();
  await exitUnlessServicesUp(cfg.DATABASE_URL, cfg.REDIS_URL, "npm start");
  const running = await start();
  console.log(`Sibina is running at ${running.url}`);
  for (const n of running.notes) console.log(n);
  const shutdown = () => running.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

if (import.meta.url === `file://${process.argv[1]}`) await runFromCommandLine();
