// A lease in Redis so exactly one instance holds the WhatsApp socket of the office number:
// two sockets on one number throw each other off (the "replaced" close). The holder renews
// it every few seconds; when the holder dies the key expires and a standby takes it.
//
// Fencing: every fresh take increments a counter and the taker keeps that token. A holder
// whose event loop stalled past the TTL may still believe it holds the lease; it re-checks
// its token in Redis before each send and reconnect, and finds it stale once another
// instance (or itself, after the expiry) took the lease since.
import type { Redis } from "ioredis";

// Take the lease if free (a new fencing token), or extend it if we already hold it (same
// token). Returns the token, or 0 when someone else holds it. Atomic across instances.
const TAKE = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return tonumber(redis.call('GET', KEYS[2]) or '0')
end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('INCR', KEYS[2])`;

const CHECK = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if tonumber(redis.call('GET', KEYS[2]) or '0') ~= tonumber(ARGV[2]) then return 0 end
return 1`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisLease {
  private readonly fenceKey: string;

  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly owner: string,
    readonly ttlMs: number,
  ) {
    this.fenceKey = `${key}:fence`;
  }

  /** Acquires or renews; the fencing token while we hold it, 0 when another instance does. */
  async take(): Promise<number> {
    return Number(await this.redis.eval(TAKE, 2, this.key, this.fenceKey, this.owner, String(this.ttlMs)));
  }

  /** Acquires or renews; true while we hold it. */
  async acquire(): Promise<boolean> {
    return (await this.take()) > 0;
  }

  /** Whether we still hold the lease under this token (nobody took it in between). */
  async check(token: number | undefined): Promise<boolean> {
    if (!token) return false;
    return Number(await this.redis.eval(CHECK, 2, this.key, this.fenceKey, this.owner, String(token))) === 1;
  }

  /** Gives the lease up at once (clean shutdown), so the standby need not wait for expiry. */
  async release(): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key, this.owner);
  }

  /** Who holds it now, if anyone. */
  holder(): Promise<string | null> {
    return this.redis.get(this.key);
  }
}

export const whatsappLeaseKey = (prefix: string) => `${prefix}:whatsapp:lease`;
