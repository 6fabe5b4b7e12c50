// When and whether to reconnect after a close. Pure, so the policy is tested without sockets.
import { DisconnectReason } from "@whiskeysockets/baileys";

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };

/** A socket must stay open this long before the backoff starts over (a flapping one keeps growing). */
export const STABLE_OPEN_MS = 60_000;

/**
 * Capped exponential backoff with "equal jitter": half the step is fixed, half random, so
 * a fleet of restarts does not reconnect in lockstep. attempt counts from 0.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + (random() * step) / 2);
}

/** The status code Baileys puts on a close (a Boom error), if any. */
export function closeCode(error: unknown): number | undefined {
  const code = (error as { output?: { statusCode?: unknown } } | undefined)?.output?.statusCode;
  return typeof code === "number" ? code : undefined;
}

// Codes Baileys has no name for, named after what WhatsApp means by them.
const EXTRA_NAMES: Record<number, string> = { 402: "temporarilyBanned", 405: "versionRefused", 406: "banned" };

/** A readable name for the admin page and logs: "connectionLost", "loggedOut", … */
export function closeReason(code: number | undefined): string {
  if (code === undefined) return "unknown";
  // timedOut and connectionLost share 408; the enum's reverse map keeps the last name.
  const name = (DisconnectReason as unknown as Record<number, string>)[code] ?? EXTRA_NAMES[code];
  return name ?? `code ${code}`;
}

/** 402 (temporary ban), 403 (forbidden: banned or blocked) and 406 (banned): retrying only makes it worse. */
export const BANNED_CODES: ReadonlySet<number> = new Set([402, DisconnectReason.forbidden, 406]);
/** 405: WhatsApp no longer accepts the WhatsApp Web version we announced. */
export const VERSION_REFUSED = 405;

export type CloseAction =
  | { kind: "logout" }
  | { kind: "replaced" }
  | { kind: "banned" }
  | { kind: "version" }
  | { kind: "reconnect"; delayMs: number; countsAsAttempt: boolean };

/**
 * loggedOut ends the session for good (clear auth, pair again). connectionReplaced means
 * another socket uses our credentials: the channel checks its lease instead of fighting.
 * Bans stop; a refused version fetches the current one. Every other close backs off.
 * restartRequired is WhatsApp's normal request right after a scan: it takes the first step
 * and does not grow the backoff, so the office is not kept waiting after pairing.
 */
export function onClose(code: number | undefined, attempt: number, policy: BackoffPolicy, random?: () => number): CloseAction {
  if (code === DisconnectReason.loggedOut) return { kind: "logout" };
  if (code === DisconnectReason.connectionReplaced) return { kind: "replaced" };
  if (code !== undefined && BANNED_CODES.has(code)) return { kind: "banned" };
  if (code === VERSION_REFUSED) return { kind: "version" };
  if (code === DisconnectReason.restartRequired) return { kind: "reconnect", delayMs: backoffDelay(0, policy, random), countsAsAttempt: false };
  return { kind: "reconnect", delayMs: backoffDelay(attempt, policy, random), countsAsAttempt: true };
}
