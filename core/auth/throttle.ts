// Sign-in throttling. No account is ever locked: failures are counted per (account, client
// address), and a client that keeps failing waits longer and longer before its next try. The
// owner signing in from another address is never held back by someone else's failures.
//
// - Password stage: keyed by the typed email (hashed), known or not, so an unknown email gets
//   exactly the same counts, waits and answers as a real account (no account oracle).
// - Two-factor stage: failures are counted per account as well; a client that has failed a
//   code waits according to the account's count, so rotating addresses buys no extra guesses
//   once an address has failed.
// - Every failure also counts towards the account's hourly tally, which raises one alert per
//   account, stage and hour (core/users/alerts.ts).
// Counts live in Redis (shared by every instance) and fade 24 hours after the last failure.
// A client is its IPv4 address or its IPv6 /64 (clientNetwork).
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { clientNetwork } from "./client-network.js";

export type AuthStage = "password" | "totp";

export interface ThrottlePolicy {
  /** Failures a client may make before the first wait. */
  free: number;
  /** The first wait; each further failure doubles it. */
  baseMs: number;
  maxMs: number;
  /** Account-wide failures within an hour that mean the account is under attack. */
  alertAt: number;
}

export const POLICIES: Record<AuthStage, ThrottlePolicy> = {
  password: { free: 3, baseMs: 1000, maxMs: 15 * 60_000, alertAt: 10 },
  totp: { free: 2, baseMs: 2000, maxMs: 15 * 60_000, alertAt: 3 },
};

const HOUR_MS = 3600_000;
const KEEP_SECONDS = 24 * 3600;

/** How long a client waits after `failures` failures (0 while free tries remain). */
export function waitAfter(policy: ThrottlePolicy, failures: number): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, failures - policy.free));
}

/** The account as the password stage knows it: the typed email, normalised and hashed. */
export const subjectOfEmail = (email: string) => createHash("sha256").update(email.trim().toLowerCase()).digest("hex").slice(0, 32);

export interface FailureCount {
  /** This client's failures on this account. */
  client: number;
  /** The account's failures in the current hour, from any client. */
  accountHour: number;
  /** Distinct client addresses behind them. */
  clientsHour: number;
  /** The hour, as a number (for once-per-hour alerts). */
  hour: number;
}

export function signInThrottle(redis: Redis, prefix: string, now: () => number = Date.now) {
  const clientKey = (stage: AuthStage, subject: string, client: string) => `${prefix}:auth:fail:${stage}:${subject}:${clientNetwork(client)}`;
  const accountKey = (stage: AuthStage, subject: string) => `${prefix}:auth:acct:${stage}:${subject}`;
  const hourKey = (stage: AuthStage, subject: string, hour: number) => `${prefix}:auth:hour:${stage}:${subject}:${hour}`;

  return {
    now,
    /** Milliseconds this client must still wait before trying this account again (0: go ahead). */
    async waitFor(stage: AuthStage, subject: string, client: string): Promise<number> {
      const policy = POLICIES[stage];
      const [mine, account] = await Promise.all([
        redis.hmget(clientKey(stage, subject, client), "n", "at"),
        redis.hmget(accountKey(stage, subject), "n", "at"),
      ]);
      const n = Number(mine[0] ?? 0);
      if (n === 0) return 0;
      // Two-factor: a client that has failed waits by the account's count, whichever is larger.
      const [count, at] =
        stage === "totp" ? [Math.max(n, Number(account[0] ?? 0)), Math.max(Number(mine[1] ?? 0), Number(account[1] ?? 0))] : [n, Number(mine[1] ?? 0)];
      return Math.max(0, at + waitAfter(policy, count) - now());
    },

    /** Records a failure and returns the counts after it. */
    async fail(stage: AuthStage, subject: string, client: string): Promise<FailureCount> {
      const at = now();
      const hour = Math.floor(at / HOUR_MS);
      const mine = clientKey(stage, subject, client);
      const account = accountKey(stage, subject);
      const tally = hourKey(stage, subject, hour);
      const res = await redis
        .multi()
        .hincrby(mine, "n", 1)
        .hset(mine, "at", at)
        .expire(mine, KEEP_SECONDS)
        .hincrby(account, "n", 1)
        .hset(account, "at", at)
        .expire(account, KEEP_SECONDS)
        .sadd(tally, clientNetwork(client))
        .incr(`${tally}:n`)
        .scard(tally)
        .expire(tally, 2 * 3600)
        .expire(`${tally}:n`, 2 * 3600)
        .exec();
      const value = (i: number) => Number(res?.[i]?.[1] ?? 0);
      return { client: value(0), accountHour: value(7), clientsHour: value(8), hour };
    },

    /** A success clears this client's count (and, for two-factor, the account's wait). */
    async succeed(stage: AuthStage, subject: string, client: string): Promise<void> {
      const keys = [clientKey(stage, subject, client)];
      if (stage === "totp") keys.push(accountKey(stage, subject));
      await redis.del(...keys);
    },

    /** Forgets every count of an account (after an admin resets its password). */
    async clear(subjects: { stage: AuthStage; subject: string }[]): Promise<void> {
      for (const { stage, subject } of subjects) {
        const doomed: string[] = [accountKey(stage, subject)];
        let cursor = "0";
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:auth:fail:${stage}:${subject}:*`, "COUNT", 500);
          doomed.push(...keys);
          cursor = next;
        } while (cursor !== "0");
        await redis.del(...doomed);
      }
    },
  };
}
export type SignInThrottle = ReturnType<typeof signInThrottle>;
