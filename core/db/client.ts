// One Prisma client per process, on the pg driver adapter (no native engine needed).
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.js";

export type { Prisma } from "./generated/client.js";
export { PrismaClient };
export type Db = PrismaClient;
/** What a service receives inside a transaction. */
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

/**
 * Prisma's defaults (2 s to get a connection and begin, 5 s per transaction) turn a burst of
 * submissions or a busy CPU into errors; waiting a little longer is better. Transactions here are
 * short, so the timeout only catches a stuck one.
 */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 30_000 } as const;

export function createDb(databaseUrl: string, poolSize = 10): Db {
  return new PrismaClient({
    // PostgreSQL's JIT spends seconds compiling report queries whose cost estimates look large but
    // which run in milliseconds (seen on the semester report); short OLTP queries never gain from it.
    adapter: new PrismaPg({ connectionString: databaseUrl, max: poolSize, options: "-c jit=off" }),
    transactionOptions: TRANSACTION_OPTIONS,
  });
}
