// What the office number sent, for WhatsApp's retry protocol. When a recipient's phone cannot
// decrypt a message it sends a retry receipt, and Baileys re-encrypts the original through
// getMessage. Baileys' own cache holds a few hundred messages for minutes, per socket, and is
// gone after a reconnect, so without this store the recipient sees "Waiting for this message"
// for ever. Rows are kept for WHATSAPP_SENT_RETENTION_DAYS, then pruned.
import { type CacheStore, proto, type WAMessage, type WAMessageKey } from "@whiskeysockets/baileys";
import type { Redis } from "ioredis";
import type { Db } from "../../../core/db/client.js";

/** Stores one sent message (its proto.Message bytes) under WhatsApp's message id. */
export async function rememberSent(db: Db, sent: WAMessage | undefined): Promise<void> {
  const id = sent?.key?.id;
  if (!id || !sent.message) return;
  const message = Buffer.from(proto.Message.encode(sent.message).finish());
  await db.whatsappSentMessage.upsert({
    where: { id },
    create: { id, remoteJid: sent.key.remoteJid ?? "", message },
    update: {},
  });
}

/** Baileys' getMessage: the message we sent with this id, if still kept. */
export function sentMessageLookup(db: Db): (key: WAMessageKey) => Promise<proto.IMessage | undefined> {
  return async (key) => {
    if (!key.id) return undefined;
    const row = await db.whatsappSentMessage.findUnique({ where: { id: key.id } });
    return row ? proto.Message.decode(row.message) : undefined;
  };
}

/** Deletes what is older than the retention; returns how many rows went. */
export async function pruneSent(db: Db, olderThan: Date): Promise<number> {
  const { count } = await db.whatsappSentMessage.deleteMany({ where: { createdAt: { lt: olderThan } } });
  return count;
}

/**
 * Baileys' msgRetryCounterCache in Redis: how often each message was re-sent to each device
 * ("<id>:<participant>" → count). Shared by every socket and instance, so the cap on re-sends
 * (maxMsgRetryCount) holds across reconnects and lease handovers instead of starting over.
 */
export function redisRetryCounterCache(redis: Redis, prefix: string, ttlSeconds = 3600): CacheStore {
  const k = (key: string) => `${prefix}:whatsapp:msg-retry:${key}`;
  return {
    // Baileys' type promises a T; a missing counter is undefined, which it reads as 0.
    get: <T>(key: string) => redis.get(k(key)).then((raw) => (raw === null ? undefined : JSON.parse(raw)) as T),
    async set<T>(key: string, value: T) {
      await redis.set(k(key), JSON.stringify(value), "EX", ttlSeconds);
    },
    async del(key: string) {
      await redis.del(k(key));
    },
    // Counters expire by themselves; flushing everyone's would only allow extra re-sends.
    flushAll() {},
  };
}
