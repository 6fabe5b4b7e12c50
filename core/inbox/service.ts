// The Inbox: conversations with people (PICs) on every channel, their transcript, and the
// human takeover. A person asks for staff (WAITING); one staff member holds the conversation
// (HUMAN) and replies through the outbox on the person's own channel; handing it back returns
// the person to the bot. Every staff change is audited in the same transaction.

import { type StaffActor, visibleOfficeIds } from "../access/index.js";
import { auditIn, writeAudit } from "../audit/service.js";
import type { Db, Prisma, Tx } from "../db/client.js";
import type { ConversationState, TimeZone, TranscriptAuthor } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { t } from "../messages/index.js";
import { supervisorsOf } from "../notifications/intents.js";
import { writePanelNotices } from "../notifications/panel.js";
import { can } from "../permissions.js";
import { TIME_ZONES } from "../reference/index.js";
import { cleanText } from "../validation/text.js";

export const REPLY_MAX = 3000;
const TRANSCRIPT_MAX = 4000;
const PREVIEW = 140;

export interface PersonRef {
  identityId: string;
  requesterId: string | null;
  /** This deployment's office, for people without a request yet. */
  defaultOfficeId: string;
}

export interface TranscriptLine {
  author: TranscriptAuthor;
  text: string;
  attachmentId?: string | null;
  authorUserId?: string | null;
  outboxId?: string | null;
}

/** Office hours: Monday to Friday, 08:00–16:00 on the office's own clock. */
export const OFFICE_HOURS = { fromMinute: 8 * 60, toMinute: 16 * 60 } as const;

export function withinOfficeHours(now: Date, zone: TimeZone): boolean {
  const local = new Date(now.getTime() + TIME_ZONES[zone].offsetMinutes * 60_000);
  const day = local.getUTCDay();
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  return day >= 1 && day <= 5 && minute >= OFFICE_HOURS.fromMinute && minute < OFFICE_HOURS.toMinute;
}

const preview = (text: string) => (text.length > PREVIEW ? `${text.slice(0, PREVIEW - 1)}…` : text);

/** The office whose staff see this person's conversation: of their latest request, else this deployment's. */
async function officeOf(tx: Db | Tx, who: PersonRef): Promise<string> {
  const or: Prisma.CoachingRequestWhereInput[] = [{ identityId: who.identityId }];
  if (who.requesterId) or.push({ requesterId: who.requesterId });
  const latest = await tx.coachingRequest.findFirst({ where: { deletedAt: null, OR: or }, orderBy: { createdAt: "desc" }, select: { officeId: true } });
  return latest?.officeId ?? who.defaultOfficeId;
}

/** The conversation's state for the bot (null: never recorded, so the bot answers). */
export async function conversationState(db: Db | Tx, identityId: string): Promise<ConversationState | null> {
  return (await db.conversation.findUnique({ where: { identityId }, select: { state: true } }))?.state ?? null;
}

async function ensureConversation(tx: Db | Tx, who: PersonRef) {
  const existing = await tx.conversation.findUnique({ where: { identityId: who.identityId } });
  if (existing) return existing;
  return tx.conversation.upsert({
    where: { identityId: who.identityId },
    create: { identityId: who.identityId, officeId: await officeOf(tx, who) },
    update: {},
  });
}

/** A turn's transcript as it is stored, or null when there is nothing to keep. */
export interface TranscriptEntries {
  messages: { author: TranscriptAuthor; text: string; attachmentId: string | null; authorUserId: string | null; outboxId: string | null; createdAt: Date }[];
  /** The conversation's new lastMessageAt and lastMessage (the list's preview). */
  lastMessageAt: Date;
  lastMessage: string;
}

/**
 * The lines as stored: what people type is kept as text (control characters removed, bounded like
 * every chat text), empty lines are dropped, and the lines are one millisecond apart so the order
 * within a turn survives sorting by time. The chat engine writes these itself, with its turn.
 */
export function transcriptEntries(lines: readonly TranscriptLine[], at: Date, after?: Date): TranscriptEntries | null {
  // Never at or before the conversation's latest line, so a turn in the same millisecond still sorts after it.
  const now = after && after.getTime() >= at.getTime() ? new Date(after.getTime() + 1) : at;
  const kept = lines.map((l) => ({ ...l, text: cleanText(l.text).slice(0, TRANSCRIPT_MAX) })).filter((l) => l.text || l.attachmentId);
  if (kept.length === 0) return null;
  return {
    messages: kept.map((l, i) => ({
      author: l.author,
      text: l.text,
      attachmentId: l.attachmentId ?? null,
      authorUserId: l.authorUserId ?? null,
      outboxId: l.outboxId ?? null,
      createdAt: new Date(now.getTime() + i),
    })),
    lastMessageAt: new Date(now.getTime() + kept.length - 1),
    lastMessage: preview(kept[kept.length - 1]!.text),
  };
}

/** Appends lines to the transcript (one turn of the chat), in order. */
export async function recordTranscript(db: Db, who: PersonRef, lines: readonly TranscriptLine[], now = new Date()) {
  if (!transcriptEntries(lines, now)) return null;
  const conversation = await ensureConversation(db, who);
  const entries = transcriptEntries(lines, now, conversation.lastMessageAt)!;
  await db.conversationMessage.createMany({ data: entries.messages.map((m) => ({ conversationId: conversation.id, ...m })) });
  await db.conversation.update({ where: { id: conversation.id }, data: { lastMessageAt: entries.lastMessageAt, lastMessage: entries.lastMessage } });
  return conversation;
}

/** The person asks for staff: the conversation waits for a person, and the office's supervisors are told. */
export async function requestHuman(db: Db, who: PersonRef, now = new Date()) {
  return db.$transaction(async (tx) => {
    const conversation = await ensureConversation(tx, who);
    // The office of the latest request may have changed since the conversation began.
    const officeId = await officeOf(tx, who);
    const office = await tx.office.findUniqueOrThrow({ where: { id: officeId }, select: { name: true, timeZone: true } });
    const already = conversation.state !== "BOT";
    const updated = await tx.conversation.update({
      where: { id: conversation.id },
      data: already ? { officeId } : { officeId, state: "WAITING", waitingSince: now, holderUserId: null },
    });
    if (!already) {
      const staff = await supervisorsOf(tx, officeId);
      const alerts = staff.map((s) => ({
        kind: "inbox.waiting",
        dedupeKey: `${conversation.id}:waiting:${now.getTime()}:${s.id}`,
        recipientKind: "SUPERVISOR" as const,
        recipientUserId: s.id,
        payload: { conversationId: conversation.id },
      }));
      await tx.outbox.createMany({ data: alerts, skipDuplicates: true });
      // The bell too, so staff signed in to the panel see it at once.
      await writePanelNotices(tx, alerts);
    }
    return { conversation: updated, already, office: { name: office.name, timeZone: office.timeZone, open: withinOfficeHours(now, office.timeZone) } };
  });
}

/** The person says "selesai"/"kembalikan ke bot": the bot answers again. */
export async function releaseByPerson(db: Db, identityId: string) {
  const { count } = await db.conversation.updateMany({
    where: { identityId, state: { not: "BOT" } },
    data: { state: "BOT", holderUserId: null, waitingSince: null },
  });
  return count > 0;
}

// ---------------------------------------------------------------- staff side

export interface InboxFilters {
  state?: ConversationState;
  q?: string;
}

function assertCan(actor: StaffActor, action: "inbox.view" | "inbox.reply" | "inbox.savedReplies") {
  if (!can(actor.roles, action)) throw new DomainError("FORBIDDEN", "error.forbidden");
}

/** Conversations in the actor's offices (their own and those below), newest message first. */
export async function listConversations(db: Db, actor: StaffActor, f: InboxFilters = {}, take = 50) {
  assertCan(actor, "inbox.view");
  const offices = await visibleOfficeIds(db, actor);
  const q = f.q?.trim();
  const rows = await db.conversation.findMany({
    where: {
      officeId: { in: offices },
      state: f.state,
      // Staff's own linked chats (coaches uploading documentation) are not PIC conversations.
      identity: { userId: null },
      ...(q
        ? {
            OR: [
              { identity: { displayName: { contains: q, mode: "insensitive" } } },
              { identity: { requester: { name: { contains: q, mode: "insensitive" } } } },
              { identity: { requests: { some: { OR: [{ code: q.toUpperCase() }, { agencyName: { contains: q, mode: "insensitive" } }] } } } },
            ],
          }
        : {}),
    },
    orderBy: [{ lastMessageAt: "desc" }, { id: "desc" }],
    take,
    include: {
      holder: { select: { id: true, name: true } },
      office: { select: { name: true, timeZone: true } },
      identity: { select: { id: true, channel: true, displayName: true, phone: true, requesterId: true, requester: { select: { name: true, phone: true } } } },
    },
  });
  const linked = await linkedRequests(
    db,
    rows.map((r) => ({ identityId: r.identityId, requesterId: r.identity.requesterId })),
  );
  return rows.map((r, i) => ({ ...r, requests: linked[i]!, agencyName: linked[i]![0]?.agencyName ?? null }));
}
export type ConversationRow = Awaited<ReturnType<typeof listConversations>>[number];

/** Each person's requests (by chat identity or requester), newest first. */
async function linkedRequests(db: Db | Tx, people: { identityId: string; requesterId: string | null }[]) {
  if (people.length === 0) return [];
  const identityIds = people.map((p) => p.identityId);
  const requesterIds = people.map((p) => p.requesterId).filter((x): x is string => Boolean(x));
  const requests = await db.coachingRequest.findMany({
    where: { deletedAt: null, OR: [{ identityId: { in: identityIds } }, ...(requesterIds.length ? [{ requesterId: { in: requesterIds } }] : [])] },
    orderBy: { createdAt: "desc" },
    select: { id: true, code: true, status: true, agencyName: true, identityId: true, requesterId: true, officeId: true },
  });
  return people.map((p) => requests.filter((r) => r.identityId === p.identityId || (p.requesterId && r.requesterId === p.requesterId)));
}

/** One conversation the actor may see, or NOT_FOUND (never reveals that it exists). */
async function conversationFor(db: Db | Tx, actor: StaffActor, id: string) {
  const conversation = await db.conversation.findUnique({ where: { id }, include: { identity: true, holder: { select: { id: true, name: true } } } });
  if (!conversation || !(await visibleOfficeIds(db, actor)).includes(conversation.officeId)) throw new DomainError("NOT_FOUND", "error.notFound");
  return conversation;
}

/** The whole transcript with files, in time order, and the person's requests. */
export async function conversationDetail(db: Db, actor: StaffActor, id: string) {
  assertCan(actor, "inbox.view");
  const conversation = await conversationFor(db, actor, id);
  const [messages, requester, office] = await Promise.all([
    db.conversationMessage.findMany({
      where: { conversationId: id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      include: {
        attachment: { select: { id: true, fileName: true, size: true, mimeType: true } },
        authorUser: { select: { name: true } },
      },
    }),
    conversation.identity.requesterId ? db.requester.findUnique({ where: { id: conversation.identity.requesterId } }) : null,
    db.office.findUniqueOrThrow({ where: { id: conversation.officeId }, select: { name: true, timeZone: true } }),
  ]);
  const outboxIds = messages.map((m) => m.outboxId).filter((x): x is string => Boolean(x));
  const outbox = outboxIds.length ? await db.outbox.findMany({ where: { id: { in: outboxIds } }, select: { id: true, status: true } }) : [];
  const [requests] = await linkedRequests(db, [{ identityId: conversation.identityId, requesterId: conversation.identity.requesterId }]);
  return {
    conversation,
    requester,
    office,
    requests: requests!,
    messages: messages.map((m) => ({ ...m, delivery: m.outboxId ? (outbox.find((o) => o.id === m.outboxId)?.status ?? null) : null })),
  };
}

/** The conversation is held by someone else: nobody else may answer or hand it back. */
function heldByOther(conversation: { holderUserId: string | null; holder: { name: string } | null }, actor: StaffActor) {
  return conversation.holderUserId !== null && conversation.holderUserId !== actor.userId;
}

/** A staff member takes the conversation: from now on only they answer, and the bot stays quiet. */
export async function claimConversation(db: Db, actor: StaffActor, id: string, ip?: string | null) {
  assertCan(actor, "inbox.reply");
  return db.$transaction(async (tx) => {
    const c = await conversationFor(tx, actor, id);
    if (heldByOther(c, actor)) throw new DomainError("HELD_BY_OTHER", "error.inbox.heldByOther", { name: c.holder?.name ?? "" });
    if (c.holderUserId === actor.userId && c.state === "HUMAN") return c;
    // Only the row as read changes: two staff pressing at once cannot both hold it.
    const { count } = await tx.conversation.updateMany({
      where: { id, holderUserId: null },
      data: { holderUserId: actor.userId, state: "HUMAN", waitingSince: null },
    });
    if (count !== 1) throw new DomainError("HELD_BY_OTHER", "error.inbox.heldByOther", { name: "" });
    await writeAudit(tx, {
      actorUserId: actor.userId,
      action: "inbox.claim",
      entity: "Conversation",
      entityId: id,
      ip,
      changes: { state: { from: c.state, to: "HUMAN" } },
    });
    return tx.conversation.findUniqueOrThrow({ where: { id } });
  });
}

export interface ReplyInput {
  text: string;
  /** A file uploaded with the reply, or a module's file. */
  attachmentId?: string | null;
  moduleId?: string | null;
}

/**
 * A staff reply: written to the transcript and sent as an outbox notice pinned to the person's
 * own chat, so it goes through the same paced queue as every notice. Replying takes the
 * conversation when nobody holds it.
 */
export async function replyToConversation(db: Db, actor: StaffActor, id: string, input: ReplyInput, ip?: string | null) {
  assertCan(actor, "inbox.reply");
  const text = cleanText(input.text ?? "");
  if (text.length > REPLY_MAX) throw new DomainError("VALIDATION", "error.validation");
  return db.$transaction(async (tx) => {
    const c = await conversationFor(tx, actor, id);
    if (heldByOther(c, actor)) throw new DomainError("HELD_BY_OTHER", "error.inbox.heldByOther", { name: c.holder?.name ?? "" });
    let attachmentId = input.attachmentId ?? null;
    if (input.moduleId) {
      const module = await tx.module.findFirst({ where: { id: input.moduleId, deletedAt: null }, select: { attachmentId: true } });
      if (!module) throw new DomainError("NOT_FOUND", "error.notFound");
      attachmentId = module.attachmentId;
    }
    if (!text && !attachmentId) throw new DomainError("VALIDATION", "error.inbox.emptyReply");
    if (!c.holderUserId) {
      const { count } = await tx.conversation.updateMany({
        where: { id, holderUserId: null },
        data: { holderUserId: actor.userId, state: "HUMAN", waitingSince: null },
      });
      if (count !== 1) throw new DomainError("HELD_BY_OTHER", "error.inbox.heldByOther", { name: "" });
    }
    const message = await tx.conversationMessage.create({ data: { conversationId: id, author: "STAFF", authorUserId: actor.userId, text, attachmentId } });
    const outbox = await tx.outbox.create({
      data: {
        kind: "inbox.reply",
        dedupeKey: `${message.id}:reply`,
        recipientKind: "REQUESTER",
        recipientRequesterId: c.identity.requesterId,
        // The PIC's own chat only: the channel they wrote on.
        recipientIdentityId: c.identityId,
        payload: { conversationId: id, messageId: message.id },
      },
    });
    const linked = await tx.conversationMessage.update({ where: { id: message.id }, data: { outboxId: outbox.id } });
    await tx.conversation.update({ where: { id }, data: { lastMessageAt: message.createdAt, lastMessage: preview(text || "📎") } });
    await writeAudit(tx, {
      actorUserId: actor.userId,
      action: "inbox.reply",
      entity: "Conversation",
      entityId: id,
      ip,
      changes: { messageId: message.id, attachmentId, moduleId: input.moduleId ?? undefined, length: text.length },
    });
    return linked;
  });
}

/** Back to the bot: the person is told and gets the main menu again. */
export async function handBack(db: Db, actor: StaffActor, id: string, ip?: string | null) {
  assertCan(actor, "inbox.reply");
  return db.$transaction(async (tx) => {
    const c = await conversationFor(tx, actor, id);
    if (heldByOther(c, actor) && !actor.roles.includes("ADMIN"))
      throw new DomainError("HELD_BY_OTHER", "error.inbox.heldByOther", { name: c.holder?.name ?? "" });
    if (c.state === "BOT") return c;
    const updated = await tx.conversation.update({ where: { id }, data: { state: "BOT", holderUserId: null, waitingSince: null } });
    // The person's chat starts again from the main menu.
    await tx.conversationSession.updateMany({
      where: { channel: c.identity.channel, externalId: c.identity.externalId },
      data: { flow: "menu", step: "pick", version: { increment: 1 } },
    });
    const notice = await tx.outbox.create({
      data: {
        kind: "inbox.released",
        dedupeKey: `${id}:released:${Date.now()}`,
        recipientKind: "REQUESTER",
        recipientRequesterId: c.identity.requesterId,
        recipientIdentityId: c.identityId,
        payload: { conversationId: id },
      },
    });
    const locale = c.identity.locale === "en" ? "en" : "id";
    await tx.conversationMessage.create({ data: { conversationId: id, author: "BOT", text: t(locale, "inbox.released"), outboxId: notice.id } });
    await writeAudit(tx, {
      actorUserId: actor.userId,
      action: "inbox.release",
      entity: "Conversation",
      entityId: id,
      ip,
      changes: { state: { from: c.state, to: "BOT" } },
    });
    return updated;
  });
}

/** Adds a saved reply ("balasan cepat"); admins only, audited with the row. */
export async function createSavedReply(db: Db, actor: StaffActor, input: { title: string; text: string }) {
  assertCan(actor, "inbox.savedReplies");
  return db.$transaction(async (tx) => {
    const saved = await tx.savedReply.create({ data: { title: input.title, text: input.text, createdById: actor.userId } });
    await auditIn(tx, actor, "savedReply.create", "SavedReply", saved.id, { title: input.title });
    return saved;
  });
}

/** Retires a saved reply (kept for the transcripts that used it); false when it was already gone. */
export async function deleteSavedReply(db: Db, actor: StaffActor, id: string): Promise<boolean> {
  assertCan(actor, "inbox.savedReplies");
  return db.$transaction(async (tx) => {
    const { count } = await tx.savedReply.updateMany({ where: { id, deletedAt: null }, data: { deletedAt: new Date() } });
    if (count) await auditIn(tx, actor, "savedReply.delete", "SavedReply", id);
    return count > 0;
  });
}
