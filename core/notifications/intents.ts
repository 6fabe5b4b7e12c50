// Notification intents: which outbox rows a change creates. Written in the same transaction
// as the change, so a notice is never lost and, thanks to dedupeKey, never created twice.
// Payloads carry ids only; the delivery worker renders text in the recipient's language.

import { addWorkingDays as addCalendarWorkingDays, type Calendar, calendarOf, workingDaysBetween as calendarWorkingDaysBetween } from "../calendar/index.js";
import type { Prisma, Tx } from "../db/client.js";
import type { DocumentationKind, RequestStatus, TimeZone } from "../db/generated/enums.js";
import { REQUIRED_DOCUMENTATION, TIME_ZONES } from "../reference/index.js";
import { WITH_COACHES } from "../requests/lifecycle.js";
import { type OfficeNode, selfAndAncestorIds } from "../requests/routing.js";
import { type NoticeKind, statusNoticeKind } from "./kinds.js";

/** An outbox row whose kind is a known notice kind. */
export type OutboxRow = Prisma.OutboxCreateManyInput & { kind: NoticeKind };

interface RequestRef {
  id: string;
  requesterId: string | null;
  requesterPhone: string;
  picPhone: string;
  officeId: string;
  startAt: Date;
}

const DAY_MS = 24 * 3600_000;

/**
 * Who hears about a request of this office: its supervisors, or, when it has no active
 * supervisor, those of the nearest office above that has one (`via` names that office).
 */
export async function alertedSupervisorsOf(tx: Tx, officeId: string, offices?: readonly OfficeNode[]): Promise<{ ids: string[]; via: string | null }> {
  // With the office tree at hand (a submission has it), one query over the whole chain.
  if (offices) {
    const chain = selfAndAncestorIds(officeId, offices).slice(0, 5);
    const found = await tx.user.findMany({
      where: { officeId: { in: chain }, roles: { has: "SUPERVISOR" }, deletedAt: null },
      select: { id: true, officeId: true },
    });
    const nearest = chain.find((id) => found.some((u) => u.officeId === id));
    if (!nearest) return { ids: [], via: null };
    return { ids: found.filter((u) => u.officeId === nearest).map((u) => u.id), via: nearest === officeId ? null : nearest };
  }
  let current: string | null = officeId;
  for (let depth = 0; current && depth < 5; depth++) {
    const found = await supervisorsOf(tx, current);
    if (found.length > 0) return { ids: found.map((s) => s.id), via: current === officeId ? null : current };
    const office: { parentId: string | null } | null = await tx.office.findUnique({ where: { id: current }, select: { parentId: true } });
    current = office?.parentId ?? null;
  }
  return { ids: [], via: null };
}

export async function supervisorsOf(tx: Tx, officeId: string) {
  return tx.user.findMany({ where: { officeId, roles: { has: "SUPERVISOR" }, deletedAt: null }, select: { id: true } });
}

type SupervisorNotice = "request.submitted" | "request.escalated" | "request.cancelled" | "request.clarification_answer";

/**
 * Supervisors hear of what happened to a request without them: a new request, an escalation
 * to their office, a cancellation by the requester, an answer to their question. cause (the
 * request, status change or message) makes each notice once per supervisor.
 */
export function supervisorIntents(
  kind: SupervisorNotice,
  requestId: string,
  supervisorIds: readonly string[],
  cause: string,
  payload: Record<string, string> = {},
): OutboxRow[] {
  return supervisorIds.map((userId) => ({
    kind,
    dedupeKey: `${cause}:${userId}`,
    requestId,
    recipientKind: "SUPERVISOR",
    recipientUserId: userId,
    payload: { requestId, ...payload },
  }));
}

/** A new request: alert every supervisor of the handling office. */
/** A new request: every supervisor of the handling office (or of the office above, `via`). */
export const submittedIntents = (request: RequestRef, supervisorIds: readonly string[], via: string | null = null) =>
  supervisorIntents("request.submitted", request.id, supervisorIds, `${request.id}:submitted`, via ? { viaOfficeId: via } : {});

/**
 * The nudge after a half-filled form went quiet: to that chat address only, through the paced
 * queue like every notice (on WhatsApp, pacing is what keeps the office number safe).
 */
export function idleReminderIntent(identityId: string, sessionId: string, due: number): OutboxRow {
  return {
    kind: "reminder.idle",
    dedupeKey: `idle:${sessionId}:${due}`,
    recipientKind: "CHAT",
    recipientIdentityId: identityId,
    payload: { sessionId },
  };
}

/** A supervisor's question to the requester (by chat identity, or by phone if none). */
export function clarificationIntent(request: RequestRef, messageId: string): OutboxRow {
  return {
    kind: "request.clarification",
    dedupeKey: `${messageId}:clarification`,
    requestId: request.id,
    recipientKind: "REQUESTER",
    recipientRequesterId: request.requesterId,
    recipientPhone: request.requesterId ? null : request.requesterPhone,
    payload: { requestId: request.id, messageId },
  };
}

/** The requester hears about every status change (by chat identity, or by phone if none). */
export function requesterIntent(request: RequestRef, statusChangeId: string, to: RequestStatus): OutboxRow {
  return {
    kind: statusNoticeKind(to),
    dedupeKey: `${statusChangeId}:requester`,
    requestId: request.id,
    recipientKind: "REQUESTER",
    recipientRequesterId: request.requesterId,
    recipientPhone: request.requesterId ? null : request.requesterPhone,
    payload: { requestId: request.id, statusChangeId },
  };
}

/** The requester is told their request went to another office, with that office's name. */
export function escalatedIntent(request: RequestRef, statusChangeId: string, officeName: string): OutboxRow {
  return {
    ...requesterIntent(request, statusChangeId, "SUBMITTED"),
    kind: "request.escalated",
    payload: { requestId: request.id, statusChangeId, officeName },
  };
}

/** Each newly assigned coach gets the SPEKTRAL assignment notice, and reminders are scheduled. */
export function assignmentIntents(request: RequestRef, coachIds: readonly string[], now: Date): OutboxRow[] {
  const rows: OutboxRow[] = [];
  const dayBefore = new Date(request.startAt.getTime() - DAY_MS);
  for (const coachId of coachIds) {
    rows.push({
      kind: "coach.assigned",
      dedupeKey: `${request.id}:assigned:${coachId}`,
      requestId: request.id,
      recipientKind: "COACH",
      recipientUserId: coachId,
      payload: { requestId: request.id, coachId },
    });
    if (dayBefore > now) {
      rows.push({
        kind: "reminder.session",
        dedupeKey: `${request.id}:reminder.session:coach:${coachId}`,
        requestId: request.id,
        recipientKind: "COACH",
        recipientUserId: coachId,
        availableAt: dayBefore,
        payload: { requestId: request.id, coachId },
      });
    }
  }
  return rows;
}

/** The Surat Tugas (PDF) and its calendar file (.ics), sent to each coach as documents. */
export const LETTER_KINDS = ["coach.letter", "coach.calendar"] as const;

/** The two outbox rows per coach that carry the letter and the calendar file. */
export function letterIntents(request: { id: string }, coachIds: readonly string[]): OutboxRow[] {
  return coachIds.flatMap((coachId) =>
    LETTER_KINDS.map((kind) => ({
      kind,
      dedupeKey: `${request.id}:${kind}:${coachId}`,
      requestId: request.id,
      recipientKind: "COACH" as const,
      recipientUserId: coachId,
      payload: { requestId: request.id, coachId },
    })),
  );
}

/** The PIC is reminded the day before the session (once per request). */
export function picReminderIntent(request: RequestRef, now: Date): OutboxRow[] {
  const dayBefore = new Date(request.startAt.getTime() - DAY_MS);
  if (dayBefore <= now) return [];
  return [
    {
      kind: "reminder.session",
      dedupeKey: `${request.id}:reminder.session:pic`,
      requestId: request.id,
      recipientKind: "PIC",
      recipientRequesterId: null,
      recipientPhone: request.picPhone,
      availableAt: dayBefore,
      payload: { requestId: request.id },
    },
  ];
}

/** Once done, coaches are asked for documentation now and again after 3 working days. */
export function documentationReminderIntents(
  request: RequestRef,
  coachIds: readonly string[],
  now: Date,
  office: { timeZone: TimeZone; calendar: Calendar } = { timeZone: "WIB", calendar: calendarOf() },
): OutboxRow[] {
  // 3 working days of the handling office: its time zone, its holidays and cuti bersama.
  const later = addWorkingDays(now, 3, TIME_ZONES[office.timeZone].offsetMinutes, office.calendar);
  return coachIds.flatMap((coachId) => [
    {
      kind: "reminder.documentation",
      dedupeKey: `${request.id}:reminder.documentation:1:${coachId}`,
      requestId: request.id,
      recipientKind: "COACH" as const,
      recipientUserId: coachId,
      payload: { requestId: request.id, coachId, round: 1 },
    },
    {
      kind: "reminder.documentation",
      dedupeKey: `${request.id}:reminder.documentation:2:${coachId}`,
      requestId: request.id,
      recipientKind: "COACH" as const,
      recipientUserId: coachId,
      availableAt: later,
      payload: { requestId: request.id, coachId, round: 2 },
    },
  ]);
}

/** Reminders that no longer make sense once a request is rejected or cancelled. */
export async function cancelPendingReminders(tx: Tx, requestId: string): Promise<number> {
  const { count } = await tx.outbox.updateMany({
    where: { requestId, kind: { startsWith: "reminder." }, status: { in: ["PENDING", "QUEUED"] } },
    data: { status: "CANCELLED" },
  });
  return count;
}

const WIB_MINUTES = 7 * 60;

/**
 * Adds working days (Monday to Friday, minus national holidays and cuti bersama), keeping the
 * time of day. Days are counted on the office's wall clock (WIB unless told otherwise), not in
 * UTC, where 06:00 on a Monday in Jakarta is still Sunday.
 */
export function addWorkingDays(from: Date, days: number, offsetMinutes = WIB_MINUTES, calendar: Calendar = calendarOf()): Date {
  return addCalendarWorkingDays(from, days, offsetMinutes, calendar);
}

/** Working days between two instants, on the office's wall clock (for the supervisor's queue). */
export function workingDaysBetween(from: Date, to: Date, offsetMinutes = WIB_MINUTES, calendar: Calendar = calendarOf()): number {
  return calendarWorkingDaysBetween(from, to, offsetMinutes, calendar);
}

/**
 * The requester's receipt on submit. In chat the bot answers at once, so the row is written
 * already SENT (recorded, not sent twice); a request entered any other way is sent by the relay.
 */
export function receiptIntent(request: RequestRef, alreadyAnswered: boolean, now: Date = new Date()): OutboxRow {
  return {
    kind: "request.received",
    dedupeKey: `${request.id}:received`,
    requestId: request.id,
    recipientKind: "REQUESTER",
    recipientRequesterId: request.requesterId,
    recipientPhone: request.requesterId ? null : request.requesterPhone,
    payload: { requestId: request.id },
    ...(alreadyAnswered ? { status: "SENT" as const, sentAt: now } : {}),
  };
}

/** Alerts every admin (e.g. the WhatsApp number was logged out). cause makes it once per event. */
export async function adminAlertIntents(tx: Tx, kind: NoticeKind, cause: string, payload: Record<string, string>): Promise<OutboxRow[]> {
  const admins = await tx.user.findMany({ where: { roles: { has: "ADMIN" }, deletedAt: null }, select: { id: true } });
  return admins.map((a) => ({ kind, dedupeKey: `${kind}:${cause}:${a.id}`, recipientKind: "ADMIN" as const, recipientUserId: a.id, payload }));
}

/** Required documentation kinds a request still lacks. */
export async function documentationStillMissing(tx: Tx, requestId: string): Promise<DocumentationKind[]> {
  const have = new Set((await tx.documentation.findMany({ where: { requestId, deletedAt: null }, select: { kind: true } })).map((d) => d.kind));
  return REQUIRED_DOCUMENTATION.filter((k) => !have.has(k));
}

/**
 * Whether a notice still makes sense at the moment it is sent: a reminder of a session that is
 * no longer approved, for a coach who was removed, or for documentation already complete is
 * dropped. Status notices are always sent: people should hear about every change.
 */
export async function stillRelevant(
  tx: Tx,
  row: { kind: string; requestId: string | null; recipientUserId: string | null },
  now: Date = new Date(),
): Promise<boolean> {
  if (!row.requestId) return true;
  const request = await tx.coachingRequest.findUnique({ where: { id: row.requestId }, select: { status: true, startAt: true, deletedAt: true } });
  if (!request || request.deletedAt) return false;
  const stillAssigned = async () =>
    !row.recipientUserId || (await tx.assignment.count({ where: { requestId: row.requestId!, coachId: row.recipientUserId } })) > 0;
  switch (row.kind) {
    case "reminder.session":
      return request.status === "APPROVED" && request.startAt > now && (await stillAssigned());
    case "reminder.documentation":
      return request.status === "DONE" && (await stillAssigned()) && (await documentationStillMissing(tx, row.requestId)).length > 0;
    case "coach.assigned":
      return WITH_COACHES.includes(request.status) && (await stillAssigned());
    default:
      return true;
  }
}

export const ACCOUNT_ALERT_KIND: NoticeKind = "account.under_attack";

export interface AccountAlert {
  userId: string;
  stage: "password" | "totp";
  /** Failures in the hour so far, and the distinct client addresses behind them. */
  failures: number;
  clients: number;
  /** The hour the alert is about (epoch hours): one alert per account, stage and hour. */
  hour: number;
}

/**
 * Someone keeps failing to sign in to an account: the owner (on their own linked chats and
 * email) and every admin hear of it. Counts only: no addresses or typed passwords in the payload.
 */
export async function accountAlertIntents(tx: Tx, alert: AccountAlert): Promise<OutboxRow[]> {
  const cause = `${alert.userId}:${alert.stage}:${alert.hour}`;
  const payload = { userId: alert.userId, stage: alert.stage, failures: alert.failures, clients: alert.clients };
  const admins = await tx.user.findMany({ where: { roles: { has: "ADMIN" }, deletedAt: null, id: { not: alert.userId } }, select: { id: true } });
  return [
    { kind: ACCOUNT_ALERT_KIND, dedupeKey: `${ACCOUNT_ALERT_KIND}:${cause}:owner`, recipientKind: "STAFF" as const, recipientUserId: alert.userId, payload },
    ...admins.map((a) => ({
      kind: ACCOUNT_ALERT_KIND,
      dedupeKey: `${ACCOUNT_ALERT_KIND}:${cause}:${a.id}`,
      recipientKind: "ADMIN" as const,
      recipientUserId: a.id,
      payload,
    })),
  ];
}

export const CHANNEL_ALERT_KIND = "channel.whatsapp_alert" satisfies NoticeKind;

/**
 * What can go wrong with the office WhatsApp number that an admin must act on (README,
 * "WhatsApp"): restricted or time-locked by WhatsApp, replaced by another session (440),
 * banned or forbidden (402/403/406), a retired WhatsApp Web version (405), down for long.
 */
export const CHANNEL_ALERTS = ["restricted", "time_lock", "replaced", "banned", "version", "down"] as const;
export type ChannelAlert = (typeof CHANNEL_ALERTS)[number];

export interface ChannelAlertCause {
  alert: ChannelAlert;
  /** What makes this occurrence distinct (one alert per admin per cause): e.g. the hour, or the lock's end. */
  cause: string;
  /** Small values only (close code, lock end as ISO text): never phone numbers. */
  details?: Record<string, string | number>;
}
