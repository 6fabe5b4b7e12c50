// When the office phone logs the linked device out, WhatsApp is down until someone pairs
// again, so every admin is told (core/channels/alerts.ts: through the outbox, on Telegram,
// web or email, since WhatsApp itself is what broke). Other conditions (restricted, banned,
// replaced, refused version, down too long) go through raiseChannelAlert.
import { alertAdmins } from "../../../core/channels/alerts.js";
import type { Db } from "../../../core/db/client.js";

export { raiseChannelAlert } from "../../../core/channels/alerts.js";

/**
 * sessionTag names the linked session that ended (a fingerprint of its public identity key),
 * so a repeated logout event of the same session alerts once.
 */
export function alertAdminsLoggedOut(db: Db, sessionTag: string): Promise<number> {
  return alertAdmins(db, "channel.whatsapp_logged_out", sessionTag, { channel: "whatsapp", reason: "loggedOut" });
}
