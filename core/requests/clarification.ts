// Clarification: SPEKTRAL's "we will contact the PIC" step, inside the product.
// A supervisor's question goes to the requester's chat; their answer lands on the timeline.

import { getRequestForStaff, type StaffActor } from "../access/index.js";
import { auditIn } from "../audit/service.js";
import type { Db } from "../db/client.js";
import type { Channel } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { alertedSupervisorsOf, clarificationIntent, supervisorIntents } from "../notifications/intents.js";
import { writePanelNotices } from "../notifications/panel.js";
import { can } from "../permissions.js";
import { LIMITS, longText } from "../validation/text.js";

const questionSchema = longText(3, LIMITS.message);

export async function askClarification(db: Db, actor: StaffActor, requestId: string, question: string) {
  if (!can(actor.roles, "request.clarify")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const text = questionSchema.parse(question);
  return db.$transaction(async (tx) => {
    const request = await getRequestForStaff(tx, actor, requestId);
    const message = await tx.requestMessage.create({ data: { requestId: request.id, direction: "OUTBOUND", text, authorUserId: actor.userId } });
    await tx.outbox.create({ data: clarificationIntent(request, message.id) });
    await auditIn(tx, actor, "request.clarify", "CoachingRequest", request.id, { messageId: message.id });
    return message;
  });
}

/** The newest request of this identity with an unanswered clarification question, if any. */
export async function openClarificationFor(db: Db, who: { identityId?: string | null; requesterId?: string | null }) {
  const or: object[] = [];
  if (who.identityId) or.push({ identityId: who.identityId });
  if (who.requesterId) or.push({ requesterId: who.requesterId });
  if (or.length === 0) return null;
  const requests = await db.coachingRequest.findMany({
    where: { deletedAt: null, OR: or, messages: { some: { direction: "OUTBOUND" } } },
    include: { messages: { orderBy: { createdAt: "desc" }, take: 1 } },
    orderBy: { updatedAt: "desc" },
    take: 5,
  });
  return requests.find((r) => r.messages[0]?.direction === "OUTBOUND") ?? null;
}

/** Records the requester's answer on the request's timeline and alerts its supervisors. */
export async function recordClarificationAnswer(db: Db, requestId: string, answer: string, channel: Channel) {
  const text = questionSchema.parse(answer);
  return db.$transaction(async (tx) => {
    const request = await tx.coachingRequest.findUniqueOrThrow({ where: { id: requestId } });
    const message = await tx.requestMessage.create({ data: { requestId, direction: "INBOUND", text, channel } });
    // Its supervisors, or those of the office above when it has none; in chat and in the bell.
    const supervisors = await alertedSupervisorsOf(tx, request.officeId);
    const rows = supervisorIntents("request.clarification_answer", requestId, supervisors.ids, `${message.id}:answer`, { messageId: message.id });
    await tx.outbox.createMany({ data: rows, skipDuplicates: true });
    await writePanelNotices(tx, rows);
    return message;
  });
}
