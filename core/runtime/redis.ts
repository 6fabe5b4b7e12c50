// Redis connections. BullMQ needs maxRetriesPerRequest: null on the connections it blocks on.
import { Redis, type RedisOptions } from "ioredis";

export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...opts });
}

export type { Redis };
