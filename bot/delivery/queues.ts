// The notification queues: one BullMQ queue per delivery channel, so a slow or rate-limited
// platform never holds up the others. Job payloads carry ids only (outbox row + channel);
// the worker loads and renders everything else at send time.
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { QueueUnavailableError } from "../../core/channels/operations.js";
import type { AppContext } from "../../core/runtime/context.js";

export const DELIVERY_CHANNELS = ["telegram", "whatsapp", "web", "email"] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

export interface NotifyJob {
  outboxId: string;
  channel: DeliveryChannel;
}

export const queueName = (channel: DeliveryChannel) => `notify-${channel}`;
export const QUEUE_NAMES = DELIVERY_CHANNELS.map(queueName);
export const channelOfQueue = (name: string): DeliveryChannel | undefined => DELIVERY_CHANNELS.find((c) => queueName(c) === name);

/**
 * The idempotency key: one job per outbox row and channel, ever. It is the issue's
 * `<outboxId>:<channel>` written with a dot, because BullMQ refuses ':' in custom job ids.
 */
export const jobIdOf = (outboxId: string, channel: DeliveryChannel) => `${outboxId}.${channel}`;

/** BullMQ key prefix, under this instance's Redis prefix. */
export const bullPrefix = (ctx: Pick<AppContext, "redisPrefix">) => `${ctx.redisPrefix}:bull`;

export const ATTEMPTS = 6;
/** First retry after ~5 s, doubling, each with up to 50 % jitter (BullMQ's exponential backoff). */
export const BACKOFF = { type: "exponential", delay: 5_000, jitter: 0.5 } as const;

export interface DeliveryQueues {
  connection: Redis;
  /** Resolves when Redis answers, or rejects after timeoutMs (so callers never hang on an outage). */
  ready(timeoutMs?: number): Promise<void>;
  get(channel: DeliveryChannel): Queue<NotifyJob>;
  all(): Queue<NotifyJob>[];
  close(): Promise<void>;
}

const registry = new WeakMap<AppContext, DeliveryQueues>();

/** Rejects with QueueUnavailableError when the promise takes longer than ms. */
export async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QueueUnavailableError()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The queues of this context, created once, on their own connection. Commands wait for
 * Redis rather than fail (BullMQ's queues cannot recover from a failed first connect), so
 * every caller checks ready() first and bounds its calls with within(): during an outage
 * the relay leaves outbox rows PENDING and the admin page says Redis is down.
 */
export function deliveryQueues(ctx: AppContext): DeliveryQueues {
  const existing = registry.get(ctx);
  if (existing) return existing;
  const connection = ctx.redis.duplicate({ maxRetriesPerRequest: null });
  connection.on("error", () => {}); // reconnects by itself; failures surface as rejected commands
  const queues = new Map<DeliveryChannel, Queue<NotifyJob>>();
  const get = (channel: DeliveryChannel) => {
    let q = queues.get(channel);
    if (!q) {
      q = new Queue<NotifyJob>(queueName(channel), {
        connection,
        prefix: bullPrefix(ctx),
        skipWaitingForReady: true,
        defaultJobOptions: {
          attempts: ATTEMPTS,
          backoff: { ...BACKOFF },
          removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      });
      q.on("error", () => {});
      queues.set(channel, q);
    }
    return q;
  };
  const handle: DeliveryQueues = {
    connection,
    async ready(timeoutMs = 2000) {
      if (connection.status === "ready") return;
      if (connection.status === "end") throw new QueueUnavailableError();
      await within(timeoutMs, new Promise<void>((resolve) => connection.once("ready", () => resolve())));
    },
    get,
    all: () => DELIVERY_CHANNELS.map(get),
    async close() {
      registry.delete(ctx);
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => {})));
      connection.disconnect();
    },
  };
  registry.set(ctx, handle);
  return handle;
}

/** Closes this context's queues if they were opened (idempotent). */
export async function closeDeliveryQueues(ctx: AppContext): Promise<void> {
  await registry.get(ctx)?.close();
}
