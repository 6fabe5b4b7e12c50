// A platform may refuse a message after the send call returned: WhatsApp answers the send
// with an ack, and a negative ack arrives later as messages.update with status ERROR (463:
// account restricted or no privacy token; 479: malformed; the reach-out time lock). The
// Delivery row recorded SENT is then marked REJECTED with the reason, which the admin
// Channels page lists, and the notice falls back to email when the person has an address.
// A REJECTED delivery is never retried on that channel: retrying makes a restriction worse.
import type { AppContext } from "../../core/runtime/context.js";
import { type DeliveryChannel, deliveryQueues, jobIdOf, within } from "./queues.js";
import { resolveTarget } from "./recipients.js";

export const REJECTED = "REJECTED";

export interface Rejection {
  channel: DeliveryChannel;
  /** The platform's message id (Delivery.externalId). */
  messageId: string;
  /** Why, for admins: "whatsapp 463: …". */
  reason: string;
}

export type RejectionOutcome = "unknown_message" | "email_fallback" | "sent_elsewhere" | "not_notified";

/**
 * Marks the delivery of this message REJECTED and falls back to email. "unknown_message"
 * when no delivery carries this id (a chat reply, not a notice), so the caller may try again
 * shortly in case the SENT row is still being written.
 */
export async function recordRejection(ctx: AppContext, r: Rejection): Promise<RejectionOutcome> {
  const { db } = ctx;
  const delivery = await db.delivery.findFirst({ where: { channel: r.channel, externalId: r.messageId } });
  if (!delivery) return "unknown_message";
  const outboxId = delivery.outboxId;
  const row = await db.outbox.findUnique({ where: { id: outboxId } });
  const email = ctx.config.SMTP_URL && row ? await resolveTarget(db, row, "email") : null;
  const emailed = email ? await db.delivery.findUnique({ where: { outboxId_channel: { outboxId, channel: "email" } } }) : null;
  const fallback = email !== null && emailed?.status !== "SENT";
  const delivered = await db.$transaction(async (tx) => {
    await tx.delivery.update({ where: { id: delivery.id }, data: { status: REJECTED, error: r.reason.slice(0, 500) } });
    const elsewhere = await tx.delivery.count({ where: { outboxId, status: "SENT", channel: { not: r.channel } } });
    if (elsewhere === 0) {
      // QUEUED while the email fallback is on its way; FAILED ("not notified") when there is none.
      await tx.outbox.update({ where: { id: outboxId }, data: { status: fallback ? "QUEUED" : "FAILED", lastError: r.reason.slice(0, 500) } });
    }
    return elsewhere > 0;
  });
  if (delivered) return "sent_elsewhere";
  if (!fallback || !row) return "not_notified";
  // An email job may exist already (the relay queues every channel); the same job id keeps it single.
  const queues = deliveryQueues(ctx);
  await queues.ready();
  await within(5_000, queues.get("email").add(row.kind, { outboxId, channel: "email" }, { jobId: jobIdOf(outboxId, "email") }));
  return "email_fallback";
}
