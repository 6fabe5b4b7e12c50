// Strict per-person ordering. Inside one process, a promise chain per identity keeps arrival
// order; across instances, a Redis lock with an expiry (renewed while held) makes sure only
// one instance handles a person's message at a time. A crashed holder frees it by expiry.
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import type { Redis } from "ioredis";
import { redisDeadline } from "../../core/runtime/outage.js";

const RELEASE = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE_SHA = createHash("sha1").update(RELEASE).digest("hex");

export class LockTimeoutError extends Error {}

export interface IdentityLockOptions {
  /** How long a lock lives without renewal (a crashed holder blocks at most this long). */
  ttlMs?: number;
  /** How long to wait for another instance before giving up. */
  waitMs?: number;
}

export class IdentityLocks {
  private readonly chains = new Map<string, Promise<unknown>>();
  private connected = false;
  private readonly ttlMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: IdentityLockOptions = {},
  ) {
    // Renewed while held, so short: a person whose instance died waits at most this long.
    this.ttlMs = opts.ttlMs ?? 8_000;
    if (redis.status === "ready") this.connected = true;
    else redis.once("ready", () => (this.connected = true));
    this.waitMs = opts.waitMs ?? 30_000;
  }

  /** Runs fn after every earlier call for the same key, holding the distributed lock. */
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
        this.redis.eval(EXTEND, 1, redisKey, token, String(this.ttlMs)).catch(() => {});
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
      this.release(redisKey, token);
    }
  }

  private release(redisKey: string, token: string): void {
    this.redis.evalsha(RELEASE_SHA, 1, redisKey, token).catch((err: Error) => {
      if (/NOSCRIPT/.test(err.message)) this.redis.eval(RELEASE, 1, redisKey, token).catch(() => {});
    });
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
