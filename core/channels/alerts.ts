// Alerts to every admin about a chat channel (for example: the office's WhatsApp number was
// logged out, restricted, banned or kicked off by another session). Through the outbox like
// every notice, so the delivery worker picks a channel that still works; cause makes it once per event.
import type { Db } from "../db/client.js";
import { adminAlertIntents, CHANNEL_ALERT_KIND, type ChannelAlertCause } from "../notifications/intents.js";
import type { NoticeKind } from "../notifications/kinds.js";

/** Queues the alert for every admin; returns how many new rows (0 when this cause was already alerted). */
export async function alertAdmins(db: Db, kind: NoticeKind, cause: string, payload: Record<string, string>): Promise<number> {
  return db.$transaction(async (tx) => {
    const rows = await adminAlertIntents(tx, kind, cause, payload);
    if (rows.length === 0) return 0;
    return (await tx.outbox.createMany({ data: rows, skipDuplicates: true })).count;
  });
}

/** A WhatsApp condition an admin must act on (README, "WhatsApp"); once per alert and cause. */
export function raiseChannelAlert(db: Db, c: ChannelAlertCause): Promise<number> {
  const details = Object.fromEntries(Object.entries(c.details ?? {}).map(([k, v]) => [k, String(v)]));
  return alertAdmins(db, CHANNEL_ALERT_KIND, `${c.alert}:${c.cause}`, { channel: "whatsapp", alert: c.alert, ...details });
}
