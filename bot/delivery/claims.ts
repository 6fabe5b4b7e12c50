// The Delivery claim: a row with status SENDING written right before a send and turned into
// SENT (or FAILED) right after it. Several sends are in flight per process, so a crash can
// leave several claims behind; each names one message whose fate is unknown, and only those
// are sent again (at most one per person, since a person has one send in flight at a time).
import type { Db } from "../../core/db/client.js";
import { REJECTED } from "./rejections.js";

export const SENDING = "SENDING";

export type Claim =
  /** This run may send. */
  | { kind: "mine" }
  /** Already sent (or refused for good) by an earlier run. */
  | { kind: "done" }
  /** Another run claimed it moments ago and may still be sending: look again in retryInMs. */
  | { kind: "held"; retryInMs: number };

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

/**
 * Claims (outboxId, channel) for one send. A SENDING claim older than ttlMs belongs to a run
 * that died (BullMQ only hands a job to another run after its lock lapsed), so it is taken over.
 */
export async function claimSend(db: Db, outboxId: string, channel: string, address: string, ttlMs: number): Promise<Claim> {
  try {
    await db.delivery.create({ data: { outboxId, channel, address, status: SENDING } });
    return { kind: "mine" };
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
  }
  const now = new Date();
  const taken = await db.delivery.updateMany({
    where: {
      outboxId,
      channel,
      OR: [{ status: { notIn: ["SENT", REJECTED, SENDING] } }, { status: SENDING, createdAt: { lt: new Date(now.getTime() - ttlMs) } }],
    },
    // createdAt is the claim's time while the row is SENDING.
    data: { status: SENDING, address, error: null, createdAt: now },
  });
  if (taken.count === 1) return { kind: "mine" };
  const row = await db.delivery.findUnique({ where: { outboxId_channel: { outboxId, channel } }, select: { status: true, createdAt: true } });
  if (!row || row.status !== SENDING) return row ? { kind: "done" } : claimSend(db, outboxId, channel, address, ttlMs);
  return { kind: "held", retryInMs: Math.max(50, row.createdAt.getTime() + ttlMs - now.getTime()) };
}

/** The platform answered and did not take the message: the claim goes, a retry may send at once. */
export async function releaseClaim(db: Db, outboxId: string, channel: string): Promise<void> {
  await db.delivery.deleteMany({ where: { outboxId, channel, status: SENDING } });
}
