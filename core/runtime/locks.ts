// Redis locking primitives, both built on "the key holds my token" checked atomically in Lua:
//
// - ChatTurnLocks: one turn at a time per chat. Inside a process a promise chain per chat keeps
//   arrival order; across instances a short Redis lock (renewed while held) makes sure only one
//   instance handles a chat's message at a time. A crashed holder frees it by expiry. This is the
//   one inbound ordering mechanism of every channel (README: Architecture).
// - RedisLease + LeaseKeeper: exactly one instance holds a connection that must not exist twice:
//   the WhatsApp socket of the office number (two sockets throw each other off) and the Telegram
//   long poll of a bot token (Telegram answers a second poller with 409). The holder renews it
//   every few seconds; when the holder dies the key expires and a standby takes it. Each fresh
//   acquisition gets a fencing token, a number that only grows: the holder re-checks it before
//   each send and reconnect, so a holder that was paused past its expiry can be told from the new one.
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import type { Redis } from "ioredis";
import { redisDeadline } from "./outage.js";

// ---------------------------------------------------------------- shared scripts

/** A Lua script run by its SHA1 (sent once per Redis, then only the hash). */
class Script {
  private readonly sha: string;
  constructor(private readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: Redis, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!/NOSCRIPT/.test((err as Error).message)) throw err;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** Deletes the key only while it still holds our token (never someone else's lock or lease). */
const RELEASE = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

/** Extends the key's expiry only while it still holds our token. */
const EXTEND = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);

// ---------------------------------------------------------------- per-chat turn lock

export class LockTimeoutError extends Error {}

export interface ChatTurnLockOptions {
  /** How long a lock lives without renewal (a crashed holder blocks at most this long). */
  ttlMs?: number;
  /** How long to wait for another instance before giving up. */
  waitMs?: number;
}

export class ChatTurnLocks {
  private readonly chains = new Map<string, Promise<unknown>>();
  private connected = false;
  private readonly ttlMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: ChatTurnLockOptions = {},
  ) {
    // Renewed while held, so short: a person whose instance died waits at most this long.
    this.ttlMs = opts.ttlMs ?? 8_000;
    if (redis.status === "ready") this.connected = true;
    else redis.once("ready", () => (this.connected = true));
    this.waitMs = opts.waitMs ?? 30_000;
  }

  /**
   * Runs fn after every earlier call for the same key, holding the distributed lock. The place
   * in line is taken synchronously, so calls made in arrival order run in arrival order.
   */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.then(
      () => this.withLock(key, fn),
      () => this.withLock(key, fn),
    );
    this.chains.set(key, next);
    const cleanup = () => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  /** How many keys have work queued in this process (for tests and shutdown). */
  get pending(): number {
    return this.chains.size;
  }

  /** Resolves when everything queued so far has finished. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }

  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const redisKey = `${this.prefix}:bot:lock:${key}`;
    const token = randomBytes(12).toString("hex");
    await this.acquire(redisKey, token);
    const renew = setInterval(
      () => {
        EXTEND.run(this.redis, [redisKey], [token, String(this.ttlMs)]).catch(() => {});
      },
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
    renew.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renew);
      // Not awaited: commands on one connection run in order, so our own next SET for this
      // person always comes after this release; other instances simply see it a moment later.
      RELEASE.run(this.redis, [redisKey], [token]).catch(() => {});
    }
  }

  /**
   * Redis down or restarting: RedisUnavailableError within about a second (the connection has no
   * offline queue, so nothing is left queued to run when Redis comes back), never a long hang.
   */
  private async acquire(redisKey: string, token: string): Promise<void> {
    const deadline = Date.now() + this.waitMs;
    for (let attempt = 0; ; attempt++) {
      // The first connection may take a moment on a busy machine; after that, a second is plenty.
      if (this.redis.status !== "ready") await redisDeadline(once(this.redis, "ready"), "person lock", this.connected ? undefined : 10_000);
      if ((await redisDeadline(this.redis.set(redisKey, token, "PX", this.ttlMs, "NX"), "person lock")) === "OK") return;
      if (Date.now() > deadline) throw new LockTimeoutError("identity lock wait timed out");
      await new Promise((r) => setTimeout(r, Math.min(2 ** attempt, 50) + Math.random() * 5));
    }
  }
}

// ---------------------------------------------------------------- fenced lease

// Take the lease if free, or extend it if we already hold it. Atomic, so two instances never both
// win. Returns the fencing token while held, 0 when someone else holds it.
const ACQUIRE = new Script(`
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  local f = tonumber(redis.call('GET', KEYS[2]) or '0')
  if f > 0 then return f end
  return redis.call('INCR', KEYS[2])
end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('INCR', KEYS[2])`);

// Still ours, under the same fencing token (nobody took it in between)?
const CHECK = new Script(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[2]) then return 0 end
return 1`);

export class RedisLease {
  /** The fencing token of our current hold (0 while we do not hold it). */
  fence = 0;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly owner: string,
    readonly ttlMs: number,
  ) {}

  /** Acquires or renews; true while we hold it. */
  async acquire(): Promise<boolean> {
    const r = Number(await ACQUIRE.run(this.redis, [this.key, `${this.key}:fence`], [this.owner, String(this.ttlMs)]));
    this.fence = Math.max(r, 0);
    return r > 0;
  }

  /** Acquires or renews; the fencing token while we hold it, 0 when another instance does. */
  async take(): Promise<number> {
    return (await this.acquire()) ? this.fence : 0;
  }

  /**
   * Whether we still hold the lease under this token. A holder whose event loop stalled past
   * the expiry re-checks this before each send and reconnect, and finds it stale.
   */
  async check(token: number | undefined): Promise<boolean> {
    if (!token) return false;
    return Number(await CHECK.run(this.redis, [this.key, `${this.key}:fence`], [this.owner, String(token)])) === 1;
  }

  /** Gives the lease up at once (clean shutdown), so the standby need not wait for expiry. */
  async release(): Promise<void> {
    this.fence = 0;
    await RELEASE.run(this.redis, [this.key], [this.owner]);
  }

  /** Who holds it now, if anyone. */
  holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}

export interface LeaseKeeperOptions {
  /** How often the holder renews and a standby tries to take over. */
  renewMs: number;
  /** Called once we hold the lease (with its fencing token). */
  onAcquired(fence: number): Promise<void> | void;
  /** Called when we must let go: renewals failed for too long, or someone else holds it. */
  onLost(reason: "lease_lost" | "lease_expired"): Promise<void> | void;
  /** Called after every attempt (for status heartbeats). */
  onTick?(holding: boolean): Promise<void> | void;
  onError?(err: unknown): void;
  /**
   * Keep holding while Redis is unreachable (let go only when another holder is seen). For a
   * resource whose owner enforces one user anyway (Telegram answers a second poller with 409),
   * serving on through a Redis outage is better than nobody serving.
   */
  holdThroughOutage?: boolean;
}

/** Waits for `work` (ignoring its outcome), at most `ms`. */
export async function settledWithin(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/**
 * Keeps trying to hold a lease: renews it while held, takes it over when free, and lets go
 * before it can expire when Redis stops answering (so a standby never overlaps with us).
 */

export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private expiryGuard: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  holding = false;

  constructor(
    readonly lease: RedisLease,
    private readonly opts: LeaseKeeperOptions,
  ) {}

  start(): Promise<void> {
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.opts.renewMs);
    this.timer.unref?.();
    return this.tick();
  }

  /**
   * Stops trying, lets `letGo` close the resource while the lease still covers it, then releases
   * the lease so a standby need not wait for it to expire.
   */
  async stop(letGo?: () => Promise<void>): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // Bounded: with Redis down a renewal may never answer, and stopping must not hang on it.
    await settledWithin(2_000, this.ticking);
    await letGo?.();
    clearTimeout(this.expiryGuard);
    if (this.holding) {
      this.holding = false;
      await settledWithin(2_000, this.lease.release());
    }
  }

  tick(): Promise<void> {
    this.ticking ??= this.renewOrTakeOver().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async renewOrTakeOver() {
    if (this.stopped) return;
    const asked = Date.now();
    let held: boolean;
    try {
      held = await this.lease.acquire();
    } catch (err) {
      // Redis unreachable: the expiry guard lets go before anyone else could take over.
      this.opts.onError?.(err);
      return;
    }
    if (this.stopped) {
      if (held) await this.lease.release().catch(() => {});
      return;
    }
    if (held) {
      if (!this.opts.holdThroughOutage) this.armExpiryGuard(asked);
      if (!this.holding) {
        this.holding = true;
        await this.opts.onAcquired(this.lease.fence);
      }
    } else if (this.holding) await this.letGo("lease_lost");
    await this.opts.onTick?.(this.holding);
  }

  /** Counted from when the renewal was sent, since a slow answer does not extend the lease. */
  private armExpiryGuard(renewedAt: number) {
    clearTimeout(this.expiryGuard);
    const margin = Math.min(1_000, Math.floor(this.opts.renewMs / 2));
    const left = renewedAt + this.lease.ttlMs - margin - Date.now();
    this.expiryGuard = setTimeout(() => void this.letGo("lease_expired"), Math.max(1, left));
    this.expiryGuard.unref?.();
  }

  private async letGo(reason: "lease_lost" | "lease_expired") {
    if (!this.holding) return;
    this.holding = false;
    clearTimeout(this.expiryGuard);
    await this.opts.onLost(reason);
  }
}

export const whatsappLeaseKey = (prefix: string) => `${prefix}:whatsapp:lease`;
/** One lease per bot token, named by the bot's numeric id (never the secret part). */
export const telegramLeaseKey = (prefix: string, botId: string) => `${prefix}:telegram:${botId}:lease`;
