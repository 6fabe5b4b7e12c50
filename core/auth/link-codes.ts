// Linking a staff member's Telegram or WhatsApp: the profile page shows a one-time code,
// the staff member sends it to the bot, and the chat identity is tied to their account.
import { randomInt } from "node:crypto";
import { type AuditActor, auditIn } from "../audit/service.js";
import type { Db } from "../db/client.js";

const TTL_MS = 15 * 60_000;
const ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"; // no 0/O, 1/I/L

/** A new code for the staff member's own account (audited: it grants access to their chats). */
export async function createLinkCode(db: Db, self: AuditActor & { userId: string }, now = new Date()): Promise<string> {
  const code = `LINK-${Array.from({ length: 6 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("")}`;
  await db.$transaction(async (tx) => {
    await tx.linkCode.create({ data: { code, userId: self.userId, expiresAt: new Date(now.getTime() + TTL_MS) } });
    await auditIn(tx, self, "user.linkCode", "User", self.userId);
  });
  return code;
}

/** Finds a link code in a chat message ("LINK-AB12CD"). */
export function findLinkCode(text: string): string | null {
  const m = /\bLINK-([A-Z0-9]{6})\b/i.exec(text);
  return m ? `LINK-${m[1]!.toUpperCase()}` : null;
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
