// Redis connections. BullMQ needs maxRetriesPerRequest: null on the connections it blocks on.
import { Redis, type RedisOptions } from "ioredis";

export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...opts });
}

export type { Redis };

interface WarnLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/**
 * Reports a Redis outage once ("unreachable", then "back") instead of ioredis's
 * "Unhandled error event" on every reconnect attempt. ioredis keeps reconnecting by itself.
 */
export function reportRedisOutages(redis: Redis, log: WarnLog, name = "redis"): Redis {
  let down = false;
  redis.on("error", (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ connection: name, err: { name: err.name, message: err.message } }, "Redis is unreachable; reconnecting");
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    log.info({ connection: name }, "Redis is reachable again");
  });
  return redis;
}
