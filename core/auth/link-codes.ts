// Linking a staff member's Telegram or WhatsApp: the profile page shows a one-time code,
// the staff member sends it to the bot, and the chat identity is tied to their account.
import { randomInt } from "node:crypto";
import type { Redis } from "ioredis";
import { type AuditActor, auditIn } from "../audit/service.js";
import type { Db, Tx } from "../db/client.js";

const TTL_MS = 15 * 60_000;
/** A link handed over with a new account (page, welcome email) stays valid for a week. */
export const WELCOME_LINK_TTL_MS = 7 * 24 * 3600_000;
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I/L

async function insertCode(tx: Db | Tx, userId: string, now: Date, ttlMs: number): Promise<string> {
  const code = `LINK-${Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("")}`;
  await tx.linkCode.create({ data: { code, userId, expiresAt: new Date(now.getTime() + ttlMs) } });
  return code;
}

/** A new code for the staff member's own account (audited: it grants access to their chats). */
export async function createLinkCode(db: Db, self: AuditActor & { userId: string }, now = new Date()): Promise<string> {
  return db.$transaction(async (tx) => {
    const code = await insertCode(tx, self.userId, now, TTL_MS);
    await auditIn(tx, self, "user.linkCode", "User", self.userId);
    return code;
  });
}

/** The profile's code: an unused one with at least five minutes left, or a new one. */
export async function currentLinkCode(db: Db, self: AuditActor & { userId: string }, now = new Date()): Promise<string> {
  const open = await db.linkCode.findFirst({
    where: { userId: self.userId, usedAt: null, expiresAt: { gt: new Date(now.getTime() + 5 * 60_000) } },
    orderBy: { expiresAt: "desc" },
  });
  return open?.code ?? createLinkCode(db, self, now);
}

/**
 * A week-long code for a new account (its page and welcome email), in the transaction that
 * creates the account, whose audit row ("user.create" by the admin) covers it.
 */
export const welcomeLinkCode = (tx: Tx, userId: string, now = new Date()) => insertCode(tx, userId, now, WELCOME_LINK_TTL_MS);

/** A week-long code an admin hands over with a new account (the "account created" page). */
export async function createWelcomeLinkCode(db: Db, actor: AuditActor, userId: string, now = new Date()): Promise<string> {
  return db.$transaction(async (tx) => {
    const code = await insertCode(tx, userId, now, WELCOME_LINK_TTL_MS);
    await auditIn(tx, actor, "user.linkCode", "User", userId, { welcome: true });
    return code;
  });
}

/** Telegram's deep link: opening it sends "/start <code>" to the bot, which links the chat at once. */
export const telegramStartLink = (botUsername: string, code: string) => `https://t.me/${botUsername}?start=${code}`;

/** Finds a link code in a chat message ("LINK-AB12CD"). */
export function findLinkCode(text: string): string | null {
  const m = /\bLINK-([A-Z0-9]{6})\b/i.exec(text);
  return m ? `LINK-${m[1]!.toUpperCase()}` : null;
}

/**
 * Wrong codes a chat may send in an hour. A code links a chat to a staff account (its notices,
 * its requesters' details), so guessing one must not be free: after these the chat is told to
 * wait, and even a right code is not tried until the hour is over.
 */
export const LINK_FAILURES_PER_HOUR = 5;

/** The wrong link codes of one chat identity, counted in Redis for an hour from the first. */
export function linkCodeFailures(redis: Redis, prefix: string, identityId: string) {
  const key = `${prefix}:link-fail:${identityId}`;
  return {
    exhausted: async () => Number((await redis.get(key)) ?? 0) >= LINK_FAILURES_PER_HOUR,
    add: async () => {
      const [[, n] = []] = (await redis.multi().incr(key).expire(key, 3600, "NX").exec()) ?? [];
      return Number(n ?? 0);
    },
  };
}

/** Redeems a code for a chat identity; returns the linked user, or null when invalid or expired. */
export async function redeemLinkCode(db: Db, code: string, identityId: string, now = new Date()) {
  return db.$transaction(async (tx) => {
    const used = await tx.linkCode.updateMany({ where: { code, usedAt: null, expiresAt: { gt: now } }, data: { usedAt: now } });
    if (used.count !== 1) return null;
    const link = await tx.linkCode.findUniqueOrThrow({ where: { code }, include: { user: true } });
    if (link.user.deletedAt) return null;
    await tx.channelIdentity.update({ where: { id: identityId }, data: { userId: link.userId } });
    return link.user;
  });
}
