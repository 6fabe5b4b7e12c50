// Notification delivery: the outbox relay plus one paced worker per running channel.
//   const delivery = startDelivery(ctx, [webChannel, whatsappSender, ...deliverySenders(ctx.config)]);
//   ...
//   await delivery.stop();
import type { Config } from "../../core/config.js";
import type { AppContext } from "../../core/runtime/context.js";
import { closeDeliveryQueues, type DeliveryChannel, deliveryQueues } from "./queues.js";
import { type RelayOptions, startRelay } from "./relay.js";
import { emailSender, type Sender, type Senders, type TelegramRenderer, telegramSender } from "./senders.js";
import { type ChannelWorker, type ChannelWorkerOptions, startChannelWorker } from "./worker.js";

export interface DeliveryOptions {
  relay?: RelayOptions;
  workers?: Partial<Record<DeliveryChannel, ChannelWorkerOptions>>;
  /** Run the relay in this process (default true). */
  runRelay?: boolean;
  /** Run the workers in this process (default true). */
  runWorkers?: boolean;
}

export interface Delivery {
  /** The channels notices can go out on. */
  channels: DeliveryChannel[];
  /** Relay now instead of at the next poll (e.g. right after a status change). */
  kick(): void;
  stop(): Promise<void>;
}

/** Senders delivery builds itself from configuration: Telegram (token) and email (SMTP_URL). */
export function deliverySenders(config: Config, telegramRender?: TelegramRenderer, files?: Pick<AppContext, "db" | "storage">): Sender[] {
  const senders: Sender[] = [];
  if (config.TELEGRAM_BOT_TOKEN) senders.push(telegramSender(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_ROOT, telegramRender, files));
  const email = emailSender(config);
  if (email) senders.push(email);
  return senders;
}

export function startDelivery(ctx: AppContext, senders: Senders, opts: DeliveryOptions = {}): Delivery {
  const byChannel = new Map<DeliveryChannel, Sender>();
  for (const s of senders) if (!byChannel.has(s.channel)) byChannel.set(s.channel, s as Sender);
  const enabled = new Set(byChannel.keys());
  const queues = deliveryQueues(ctx);
  const workers: ChannelWorker[] = opts.runWorkers === false ? [] : [...byChannel.values()].map((s) => startChannelWorker(ctx, s, opts.workers?.[s.channel]));
  const relay = opts.runRelay === false ? null : startRelay(ctx, queues, enabled, opts.relay);
  ctx.log.info({ channels: [...enabled] }, "notification delivery started");
  return {
    channels: [...enabled],
    kick: () => relay?.kick(),
    async stop() {
      await relay?.stop();
      await Promise.all(workers.map((w) => w.close()));
      await closeDeliveryQueues(ctx);
    },
  };
}

export type { Sender, Senders } from "./senders.js";
