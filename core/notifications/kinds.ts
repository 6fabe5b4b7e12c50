// Every kind of notice Sibina sends, as one list. The outbox stores the kind as text; the
// delivery renderer has one entry per kind (a missing one does not compile).
import type { RequestStatus } from "../db/generated/enums.js";

export const NOTICE_KINDS = [
  // To the requester: the receipt and every status change (request.<status>).
  "request.received",
  "request.submitted",
  "request.in_review",
  "request.approved",
  "request.rejected",
  "request.done",
  "request.cancelled",
  // To supervisors.
  "request.escalated",
  "request.clarification_answer",
  // To the requester, from a supervisor.
  "request.clarification",
  // To coaches and PICs.
  "coach.assigned",
  // The Surat Tugas (PDF) and its calendar file (.ics), sent as documents (core/programme/letters).
  "coach.letter",
  "coach.calendar",
  // Reporting deadlines of the coaching programme (core/programme/deadlines).
  "programme.deadline.soon",
  "programme.deadline.passed",
  "reminder.session",
  "reminder.documentation",
  // To whoever left a form half-filled in a chat (by that chat address).
  "reminder.idle",
  // To staff and admins about accounts and channels.
  "account.under_attack",
  "account.welcome",
  "channel.whatsapp_logged_out",
  "channel.whatsapp_alert",
  // The Inbox: a staff reply and the hand-back to the person; a waiting conversation to supervisors.
  "inbox.reply",
  "inbox.released",
  "inbox.waiting",
] as const;

export type NoticeKind = (typeof NOTICE_KINDS)[number];

const KINDS = new Set<string>(NOTICE_KINDS);
export const isNoticeKind = (v: string): v is NoticeKind => KINDS.has(v);

/** The requester's notice of a status change. */
export const statusNoticeKind = (to: RequestStatus): NoticeKind => `request.${to.toLowerCase()}` as Lowercase<`request.${RequestStatus}`>;
