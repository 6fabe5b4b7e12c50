// Shared set-up for the notification tests: a real context on a cloned database and a
// unique Redis prefix, a sender that records what it was asked to send, and polling.

import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DeliveryChannel } from "../../bot/delivery/queues.js";
import type { NoticeMessage, Sender } from "../../bot/delivery/senders.js";
import { parseConfig } from "../../core/config.js";
import { type AppContext, createContext } from "../../core/runtime/context.js";
import { createLogger } from "../../core/runtime/logger.js";
import { createRedis } from "../../core/runtime/redis.js";
import { type TestDb, testRedisPrefix } from "../helpers/db.js";

export async function notifyContext(t: TestDb, env: Record<string, string> = {}): Promise<AppContext> {
  const config = parseConfig({
    DATABASE_URL: t.url,
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    PUBLIC_URL: "https://sibina.example.go.id",
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    // Files made while delivering (the Surat Tugas) go to a scratch directory, not ./storage.
    STORAGE_DIR: path.join(tmpdir(), `sibina-notify-${randomBytes(4).toString("hex")}`),
    ...env,
  });
  const redis = createRedis(config.REDIS_URL);
  redis.on("error", () => {});
  return createContext(config, { db: t.db, redis, redisPrefix: testRedisPrefix(), log: createLogger(process.env.NOTIFY_LOG ?? "silent") });
}

export interface SentMessage {
  address: string;
  text: string;
  subject?: string;
  locale?: string;
  at: number;
  /** A file sent with the message (the Surat Tugas and its calendar file). */
  document?: { attachmentId: string; fileName: string; mimeType: string };
}

export interface RecordingSender extends Sender {
  sent: SentMessage[];
  /** Make the next sends fail with this error (cleared by setting null). */
  failWith: Error | null;
}

export function recordingSender(channel: DeliveryChannel): RecordingSender {
  const sender: RecordingSender = {
    channel,
    sent: [],
    failWith: null,
    async send(address: string, message: NoticeMessage) {
      if (sender.failWith) throw sender.failWith;
      sender.sent.push({ address, text: message.text, subject: message.subject, locale: message.locale, at: Date.now(), document: message.document });
      return { messageId: String(sender.sent.length) };
    },
  };
  return sender;
}

/** Polls until check() returns a truthy value; fails with what it last saw. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 60_000, what = "condition"): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < until) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

export async function closeContext(ctx: AppContext) {
  // Leave nothing of ours behind in the shared Redis.
  const stream = ctx.redis.scanStream({ match: `${ctx.redisPrefix}:*`, count: 500 });
  for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await ctx.redis.del(...keys);
  ctx.redis.disconnect();
}

export { createRedis };
