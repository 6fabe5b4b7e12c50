// What every WhatsApp test file needs: a real database and Redis, a context on them, the
// fake socket factory, a hand-driven reconnect timer and a way to wait without sleeping.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_CONNECTION_CONFIG, type WAVersion } from "@whiskeysockets/baileys";
import { pino } from "pino";
import type { ConversationEngine, InboundEvent, OutboundMessage } from "../../bot/channels/types.js";
import { WhatsAppChannel, type WhatsAppOptions } from "../../bot/channels/whatsapp/channel.js";
import { receiveInTurn } from "../../bot/engine/turn-order.js";
import { parseConfig } from "../../core/config.js";
import type { AppContext } from "../../core/runtime/context.js";
import { ChatTurnLocks } from "../../core/runtime/locks.js";
import { createRedis, type Redis } from "../../core/runtime/redis.js";
import { LocalDiskStorage } from "../../core/storage/index.js";
import { createTestDb, type TestDb, testRedisPrefix } from "../helpers/db.js";
import { seedOffices } from "../helpers/fixtures.js";

export interface Harness {
  t: TestDb;
  ctx: AppContext;
  redis: Redis;
  close(): Promise<void>;
}

/** The harness made last in this file (recordingEngine takes its turn locks from it). */
let current: Harness | undefined;

export async function harness(env: Record<string, string> = {}): Promise<Harness> {
  const t = await createTestDb(6);
  const offices = await seedOffices(t.db);
  const storageDir = await mkdtemp(path.join(tmpdir(), "sibina-wa-"));
  const config = parseConfig({ NODE_ENV: "test", DATABASE_URL: t.url, STORAGE_DIR: storageDir, LOG_LEVEL: "silent", WHATSAPP_ENABLED: "true", ...env });
  const redis = createRedis(config.REDIS_URL);
  const ctx: AppContext = {
    config,
    db: t.db,
    redis,
    log: pino({ level: "silent" }),
    storage: new LocalDiskStorage(storageDir),
    defaultOfficeId: offices.riau.id,
    redisPrefix: testRedisPrefix(),
  };
  current = {
    t,
    ctx,
    redis,
    async close() {
      const keys = await redis.keys(`${ctx.redisPrefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await t.drop();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
  return current;
}

/**
 * An engine that answers every event with a fixed reply and records what it was given. Chat
 * messages reach it through the product's own turn order (the per-chat turn lock), as they
 * reach the real engine, so the channel's order can be tested with it.
 */
export function recordingEngine(reply: (e: InboundEvent) => OutboundMessage[] = (e) => [{ text: `ok ${e.kind}` }]) {
  const h = current;
  if (!h) throw new Error("create the harness before a recording engine");
  const events: InboundEvent[] = [];
  const locks = new ChatTurnLocks(h.redis, h.ctx.redisPrefix);
  const engine: ConversationEngine = {
    async handle(event) {
      events.push(event);
      return reply(event);
    },
    receive: (arrival) => receiveInTurn(locks, arrival, (event) => engine.handle(event), h.ctx.log),
  };
  return { engine, events };
}

/** Reconnect timers driven by the test: delays are recorded, callbacks run on demand. */
export function manualSchedule() {
  const pending: { ms: number; fn: () => void; cancelled: boolean; fired: boolean }[] = [];
  const schedule: NonNullable<WhatsAppOptions["schedule"]> = (fn, ms) => {
    const entry = { ms, fn, cancelled: false, fired: false };
    pending.push(entry);
    return () => {
      entry.cancelled = true;
    };
  };
  return {
    schedule,
    delays: () => pending.map((p) => p.ms),
    /** Runs the latest scheduled reconnect. */
    fire() {
      const last = pending.at(-1);
      if (!last || last.cancelled) throw new Error("no reconnect scheduled");
      last.fired = true;
      last.fn();
    },
    /** Whether a reconnect is scheduled and has not run yet. */
    due: () => pending.some((p) => !p.cancelled && !p.fired),
  };
}

/** Polls until check() returns a truthy value (no fixed sleeps). */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = 5_000, label = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Tests do not ask web.whatsapp.com for the current version (one test does, to show it fails quietly offline). */
export const pinnedVersion = async () => ({ version: [...DEFAULT_CONNECTION_CONFIG.version] as WAVersion, isLatest: false });

export function channelFor(h: Harness, opts: WhatsAppOptions, redis?: Redis) {
  return new WhatsAppChannel(h.ctx, { printQr: () => {}, say: () => {}, fetchVersion: pinnedVersion, ...opts, ...(redis ? { redis } : {}) });
}
