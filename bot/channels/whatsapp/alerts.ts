// When the office phone logs the linked device out, WhatsApp is down until someone pairs
// again, so every admin is told through the outbox (the delivery worker picks the channel:
// Telegram, web or email, since WhatsApp itself is what broke).
import type { Db } from "../../../core/db/client.js";

export const LOGGED_OUT_KIND = "channel.whatsapp_logged_out";

/**
 * One outbox row per admin. sessionTag names the linked session that ended (a fingerprint
 * of its public identity key), so a repeated logout event of the same session alerts once.
 */
export async function alertAdminsLoggedOut(db: Db, sessionTag: string): Promise<number> {
  const admins = await db.user.findMany({ where: { roles: { has: "ADMIN" }, deletedAt: null }, select: { id: true } });
  if (admins.length === 0) return 0;
  const { count } = await db.outbox.createMany({
    data: admins.map((a) => ({
      kind: LOGGED_OUT_KIND,
      dedupeKey: `${LOGGED_OUT_KIND}:${sessionTag}:${a.id}`,
      recipientKind: "ADMIN" as const,
      recipientUserId: a.id,
      payload: { channel: "whatsapp", reason: "loggedOut" },
    })),
    skipDuplicates: true,
  });
  return count;
}
