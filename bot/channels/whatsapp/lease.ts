// A lease in Redis so exactly one instance holds the WhatsApp socket of the office number:
// two sockets on one number throw each other off (the "replaced" close). The holder renews
// it every few seconds; when the holder dies the key expires and a standby takes it.
import type { Redis } from "ioredis";

// Take the lease if free, or extend it if we already hold it. Atomic, so two instances never both win.
const ACQUIRE = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if v then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export class RedisLease {
  constructor(
    private readonly redis: Redis,
    readonly key: string,
    readonly owner: string,
    readonly ttlMs: number,
  ) {}

  /** Acquires or renews; true while we hold it. */
  async acquire(): Promise<boolean> {
    const r = await this.redis.eval(ACQUIRE, 1, this.key, this.owner, String(this.ttlMs));
    return r === 1;
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
