// Telling "a service we need is briefly unreachable" apart from a bug, so that people get a
// calm 503 ("briefly disturbed, your work is safe") instead of a 500, and Redis calls on a
// request path get a deadline instead of hanging while ioredis reconnects.

/** Redis did not answer within the deadline (down, restarting, or unreachable). */
export class RedisUnavailableError extends Error {
  constructor(readonly what = "redis") {
    super(`Redis did not answer (${what})`);
    this.name = "RedisUnavailableError";
  }
}

/** How long a request waits for Redis before it answers "briefly disturbed". */
export const REDIS_REQUEST_TIMEOUT_MS = 1_000;

/** Resolves like `promise`, or rejects with RedisUnavailableError after `ms`. */
export function redisDeadline<T>(promise: Promise<T>, what = "redis", ms = REDIS_REQUEST_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(what)), ms);
    timer.unref?.();
  });
  // The command may still settle later; its outcome is then of no interest.
  promise.catch(() => {});
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

const OUTAGE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTFOUND",
  "EPIPE",
  // Prisma: can't reach / timed out / connection closed / pool timeout
  "P1001",
  "P1002",
  "P1017",
  "P2024",
  // PostgreSQL: shutting down, starting up, cannot connect now, too many connections
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

const OUTAGE_TEXT =
  /ECONNREFUSED|ECONNRESET|Connection terminated|Connection is closed|connect ETIMEDOUT|Can't reach database|database system is (?:starting up|shutting down|in recovery)|terminating connection due to administrator command|Timed out fetching a new connection|Stream isn't writeable|Redis did not answer|Command timed out|MaxRetriesPerRequest/i;

/** True when `err` (or what caused it) says PostgreSQL or Redis is unreachable right now. */
export function isServiceOutage(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 4) return false;
  const e = err as { name?: unknown; code?: unknown; errorCode?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown };
  if (e.name === "RedisUnavailableError" || e.name === "PrismaClientInitializationError") return true;
  for (const code of [e.code, e.errorCode, e.originalCode]) if (typeof code === "string" && OUTAGE_CODES.has(code)) return true;
  if (typeof e.message === "string" && OUTAGE_TEXT.test(e.message)) return true;
  if (err instanceof AggregateError && err.errors.some((x) => isServiceOutage(x, depth + 1))) return true;
  return isServiceOutage(e.cause, depth + 1);
}
