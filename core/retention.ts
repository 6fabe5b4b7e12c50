// What Sibina forgets on purpose: chat bookkeeping a week past its use. Run by the periodic
// housekeeping job (bot/housekeeping.ts), once per deployment.
import type { Db } from "./db/client.js";

const WEEK_MS = 7 * 24 * 3600_000;

/** Deletes handled-update ids and expired chat sessions older than a week; returns the counts. */
export async function pruneChatBookkeeping(db: Db, now = new Date()): Promise<{ updates: number; sessions: number }> {
  const before = new Date(now.getTime() - WEEK_MS);
  const [updates, sessions] = await Promise.all([
    db.processedUpdate.deleteMany({ where: { createdAt: { lt: before } } }),
    db.conversationSession.deleteMany({ where: { expiresAt: { lt: before } } }),
  ]);
  return { updates: updates.count, sessions: sessions.count };
}
