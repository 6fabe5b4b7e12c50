// What every part of the running product shares: configuration, database, Redis, logs, storage.
import type { Config } from "../config.js";
import { createDb, type Db } from "../db/client.js";
import { deploymentOfficeCode } from "../setup/service.js";
import { LocalDiskStorage, type Storage } from "../storage/index.js";
import { createLogger, type Logger } from "./logger.js";
import { createRedis, type Redis, reportRedisOutages } from "./redis.js";

export interface AppContext {
  config: Config;
  db: Db;
  redis: Redis;
  log: Logger;
  storage: Storage;
  /** The office this deployment belongs to (DEFAULT_OFFICE_CODE). */
  defaultOfficeId: string;
  /** Key prefix for everything this instance keeps in Redis (queues, locks, sessions). */
  redisPrefix: string;
}

export async function createContext(config: Config, overrides: Partial<AppContext> = {}): Promise<AppContext> {
  const db = overrides.db ?? createDb(config.DATABASE_URL);
  // The office chosen at first-run setup, else DEFAULT_OFFICE_CODE, else the oldest office.
  const office = await db.office.findUnique({ where: { code: await deploymentOfficeCode(db, config.DEFAULT_OFFICE_CODE) } });
  const fallback = office ?? (await db.office.findFirst({ orderBy: { createdAt: "asc" } }));
  if (!fallback)
    throw new Error(`No office found. Start Sibina with "npm start" to open the one-time setup page, or load the demo data with "npm run db:seed".`);
  const log = overrides.log ?? createLogger(config.LOG_LEVEL);
  return {
    config,
    db,
    redis: overrides.redis ?? reportRedisOutages(createRedis(config.REDIS_URL), log),
    log,
    storage: overrides.storage ?? new LocalDiskStorage(config.STORAGE_DIR),
    defaultOfficeId: fallback.id,
    redisPrefix: overrides.redisPrefix ?? config.REDIS_PREFIX,
  };
}
