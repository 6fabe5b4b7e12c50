// Alerts about the office's chat channels, for admins. The channel adapters report what
// happened; this service writes the notices to the outbox (the delivery worker picks Telegram,
// web or email, since the broken channel itself cannot carry them). Deduplicated per cause.
import type { Db } from "../db/client.js";
import { type ChannelAlertCause, channelAlertIntents } from "../notifications/intents.js";

export const LOGGED_OUT_KIND = "channel.whatsapp_logged_out";

/** Raises an alert; returns how many admins it was queued for (0 when already raised for this cause). */
export async function raiseChannelAlert(db: Db, cause: ChannelAlertCause): Promise<number> {
  return db.$transaction(async (tx) => {
    const rows = await channelAlertIntents(tx, cause);
    if (rows.length === 0) return 0;
    const { count } = await tx.outbox.createMany({ data: rows, skipDuplicates: true });
    return count;
  });
}

/**
 * The office phone logged this linked device out. sessionTag names the session that ended (a
 * fingerprint of its public identity key), so a repeated logout event of it alerts once.
 */
export async function alertLoggedOut(db: Db, sessionTag: string): Promise<number> {
  return db.$transaction(async (tx) => {
    const admins = await tx.user.findMany({ where: { roles: { has: "ADMIN" }, deletedAt: null }, select: { id: true } });
    if (admins.length === 0) return 0;
    const { count } = await tx.outbox.createMany({
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
  });
}
