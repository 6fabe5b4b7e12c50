// The idle reminder of a half-filled chat form, queued as a notice like any other.
import type { Db } from "../db/client.js";
import type { Channel } from "../db/generated/enums.js";
import { idleReminderIntent } from "./intents.js";

/** Queues the reminder for the chat address of this session; false when that address is unknown. */
export async function queueIdleReminder(db: Db, chat: { channel: Channel; externalId: string }, sessionId: string, due: number): Promise<boolean> {
  const identity = await db.channelIdentity.findUnique({ where: { channel_externalId: chat }, select: { id: true } });
  if (!identity) return false;
  await db.outbox.createMany({ data: [idleReminderIntent(identity.id, sessionId, due)], skipDuplicates: true });
  return true;
}
