// Turns an outbox row into the text one person reads, in their language. Loading (one
// read of the request and its parts) is separate from composing (pure), so every notice can
// be checked in both languages without a database.
import type { Db } from "../../core/db/client.js";
import type { DocumentationKind, Mode, RecipientKind, RequestStatus, ServiceType, TimeZone } from "../../core/db/generated/enums.js";
import { type MessageKey, type Params, t } from "../../core/messages/index.js";
import { ACCOUNT_ALERT_KIND, documentationStillMissing } from "../../core/notifications/intents.js";
import { DOCUMENTATION_KINDS, type Locale, labelOf, MODES, SERVICE_TYPES, STATUSES } from "../../core/reference/index.js";
import { formatDate, formatTime } from "../../core/validation/datetime.js";
import type { Choice, OutboundDocument } from "../channels/types.js";
import { FEATURES } from "../flows/index.js";

export interface NoticeRequest {
  id: string;
  code: string;
  serviceType: ServiceType;
  agencyName: string;
  location: string;
  mode: Mode;
  startAt: Date;
  picName: string;
  picPhone: string;
  status: RequestStatus;
  rejectionReason: string | null;
  officeName: string;
  timeZone: TimeZone;
}

export interface NoticeData {
  kind: string;
  recipientKind: RecipientKind;
  payload: Record<string, unknown>;
  request: NoticeRequest | null;
  coaches: string[];
  /** The staff recipient's name (the coach of an assignment notice). */
  recipientName: string | null;
  /** Has the staff recipient linked WhatsApp? Then the PIC's number is a wa.me link. */
  recipientHasWhatsapp: boolean;
  /** Rejection reason, clarification question or answer. */
  note: string | null;
  missing: DocumentationKind[];
  /** The account an account notice is about (account.under_attack). */
  account?: { name: string; email: string } | null;
  /** An Inbox notice: the staff reply (text and file), or who is waiting for staff. */
  inbox?: { text: string; document: OutboundDocument | null; person: string; channel: string } | null;
}

export interface Links {
  base: string;
  request(id: string): string;
  documentation(id: string): string;
  channels(): string;
}

/** Panel links from PUBLIC_URL, or http://HOST:PORT when it is not set. */
export function panelLinks(config: { PUBLIC_URL?: string | undefined; HOST: string; PORT: number }): Links {
  const base = (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/+$/, "");
  return {
    base,
    request: (id) => `${base}/requests/${id}`,
    documentation: (id) => `${base}/coachings/${id}/documentation`,
    channels: () => `${base}/channels`,
  };
}

/** +6281234567890 → 081234567890, the way the SPEKTRAL notice writes numbers. */
export function localPhone(e164: string): string {
  return e164.startsWith("+62") ? `0${e164.slice(3)}` : e164;
}

export interface RenderedNotice {
  title: string;
  text: string;
  /** A staff reply's file (a module or an upload). */
  document?: OutboundDocument;
  /** Buttons: the main menu when a conversation goes back to the bot. */
  choices?: Choice[];
}

/** The main menu's entries, as the bot shows them (flow ids are the menu's choice ids). */
const mainMenu = (locale: Locale): Choice[] =>
  FEATURES.filter((f) => f.menu)
    .sort((a, b) => a.menu!.order - b.menu!.order)
    .map((f) => ({ id: f.id, label: t(locale, f.menu!.label) }));

const excerpt = (s: string | null, max = 600) => (s && s.length > max ? `${s.slice(0, max - 1)}…` : (s ?? ""));

/** Composes a notice. Pure: the same data and locale always give the same text. */
export function composeNotice(data: NoticeData, locale: Locale, links: Links): RenderedNotice {
  const tr = (key: MessageKey, params?: Params) => t(locale, key, params);
  const r = data.request;
  if (data.kind.startsWith("channel.") && data.kind.endsWith("logged_out")) {
    return {
      title: tr("notify.title.admin"),
      text: tr("notify.admin.channel_logged_out", { channel: String(data.payload.channel ?? ""), link: links.channels() }),
    };
  }
  if (data.kind === ACCOUNT_ALERT_KIND) {
    const p = data.payload;
    const stage = p.stage === "totp" ? "totp" : "password";
    const owner = data.recipientKind === "STAFF";
    const params = {
      name: data.account?.name ?? "",
      email: data.account?.email ?? "",
      failures: Number(p.failures ?? 0),
      clients: Number(p.clients ?? 0),
      link: owner ? `${links.base}/profile/${stage === "totp" ? "password" : "security"}` : `${links.base}/audit?action=auth`,
    };
    return { title: tr("notify.title.security"), text: tr(`notify.account.${owner ? "owner" : "admin"}.${stage}`, params) };
  }
  if (data.kind === "inbox.reply") {
    const reply = data.inbox;
    const text = reply?.text || reply?.document?.fileName || "";
    return { title: tr("notify.title.inbox"), text, ...(reply?.document ? { document: reply.document } : {}) };
  }
  if (data.kind === "inbox.released") return { title: tr("notify.title.inbox"), text: tr("inbox.released"), choices: mainMenu(locale) };
  if (data.kind === "inbox.waiting") {
    const id = String(data.payload.conversationId ?? "");
    return {
      title: tr("notify.title.inbox"),
      text: tr("notify.inbox.waiting", { name: data.inbox?.person ?? "", channel: data.inbox?.channel ?? "", link: `${links.base}/inbox/${id}` }),
    };
  }
  if (!r) return { title: tr("notify.title.admin"), text: tr("notify.generic", { code: "-", link: links.base }) };
  const service = labelOf(SERVICE_TYPES, r.serviceType, locale);
  const date = formatDate(r.startAt, r.timeZone);
  const time = formatTime(r.startAt, r.timeZone);
  const digits = r.picPhone.replace(/\D/g, "");
  const picContact = data.recipientHasWhatsapp ? tr("notify.phone.wa", { phone: localPhone(r.picPhone), digits }) : localPhone(r.picPhone);
  const base: Params = {
    code: r.code,
    service,
    agency: r.agencyName,
    location: r.location,
    mode: labelOf(MODES, r.mode, locale),
    date,
    time,
    office: r.officeName,
    picName: r.picName,
    picPhone: localPhone(r.picPhone),
    picContact,
    coaches: data.coaches.length ? data.coaches.join(", ") : tr("notify.none"),
    coachName: data.recipientName ?? "",
    link: links.request(r.id),
  };
  const requestTitle = tr("notify.title.request", base);
  const reminderTitle = tr("notify.title.reminder", base);
  const missing = data.missing.map((k) => labelOf(DOCUMENTATION_KINDS, k, locale)).join(", ") || tr("notify.none");
  const supervisorKinds: Record<string, MessageKey> = {
    "request.submitted": "notify.supervisor.submitted",
    "request.escalated": "notify.supervisor.escalated",
    "request.cancelled": "notify.supervisor.cancelled",
  };
  if (data.recipientKind === "SUPERVISOR" && supervisorKinds[data.kind]) return { title: requestTitle, text: tr(supervisorKinds[data.kind]!, base) };
  switch (data.kind) {
    case "request.received":
      return { title: requestTitle, text: tr("notify.request.received", { ...base, summary: tr("notify.summary", base) }) };
    case "request.in_review":
      return { title: requestTitle, text: tr("notify.request.in_review", base) };
    case "request.approved":
      return { title: requestTitle, text: tr("notify.request.approved", base) };
    case "request.rejected":
      return { title: requestTitle, text: tr("notify.request.rejected", { ...base, reason: excerpt(data.note ?? r.rejectionReason) }) };
    case "request.done":
      return { title: requestTitle, text: tr("notify.request.done", { ...base, menuItem: tr("bot.menu.testimonial") }) };
    case "request.cancelled":
      return { title: requestTitle, text: tr("notify.request.cancelled", base) };
    case "request.escalated":
      // The office named when it happened (a later escalation has its own notice).
      return { title: requestTitle, text: tr("notify.request.escalated", { ...base, office: String(data.payload.officeName ?? r.officeName) }) };
    case "coach.assigned":
      return { title: tr("notify.title.coach.assigned", base), text: tr("notify.coach.assigned", base) };
    case "reminder.session":
      return { title: reminderTitle, text: tr(data.recipientKind === "COACH" ? "notify.reminder.session.coach" : "notify.reminder.session.pic", base) };
    case "reminder.documentation":
      return {
        title: reminderTitle,
        text: tr(data.payload.round === 2 ? "notify.reminder.documentation.2" : "notify.reminder.documentation.1", {
          ...base,
          missing,
          link: links.documentation(r.id),
        }),
      };
    case "request.clarification":
      return { title: requestTitle, text: tr("notify.clarification.question", { ...base, question: excerpt(data.note) }) };
    case "request.clarification_answer":
      return { title: requestTitle, text: tr("notify.supervisor.answer", { ...base, answer: excerpt(data.note) }) };
    default: {
      const status = STATUSES.find((s) => `request.${s.code.toLowerCase()}` === data.kind);
      if (status) return { title: requestTitle, text: tr("notify.request.update", { ...base, status: labelOf(STATUSES, status.code, locale) }) };
      return { title: requestTitle, text: tr("notify.generic", base) };
    }
  }
}

export interface OutboxForNotice {
  kind: string;
  recipientKind: RecipientKind;
  recipientUserId: string | null;
  requestId: string | null;
  payload: unknown;
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Reads what a notice needs: the request, its coaches, the recipient's name, the note. */
export async function loadNotice(db: Db, row: OutboxForNotice): Promise<NoticeData> {
  const payload = asRecord(row.payload);
  const request = row.requestId
    ? await db.coachingRequest.findUnique({
        where: { id: row.requestId },
        include: {
          office: { select: { name: true, timeZone: true } },
          assignments: { include: { coach: { select: { name: true } } }, orderBy: { createdAt: "asc" } },
        },
      })
    : null;
  const user = row.recipientUserId
    ? await db.user.findUnique({
        where: { id: row.recipientUserId },
        select: { name: true, identities: { where: { channel: "whatsapp" }, select: { id: true } } },
      })
    : null;
  let note: string | null = null;
  if (typeof payload.messageId === "string") note = (await db.requestMessage.findUnique({ where: { id: payload.messageId } }))?.text ?? null;
  else if (typeof payload.statusChangeId === "string" && row.kind === "request.rejected")
    note = (await db.statusChange.findUnique({ where: { id: payload.statusChangeId } }))?.note ?? null;
  const missing = request && row.kind === "reminder.documentation" ? await documentationStillMissing(db, request.id) : [];
  const inbox = row.kind.startsWith("inbox.") ? await loadInbox(db, payload) : null;
  const account =
    row.kind === ACCOUNT_ALERT_KIND && typeof payload.userId === "string"
      ? await db.user.findUnique({ where: { id: payload.userId }, select: { name: true, email: true } })
      : null;
  return {
    kind: row.kind,
    recipientKind: row.recipientKind,
    payload,
    request: request
      ? {
          id: request.id,
          code: request.code,
          serviceType: request.serviceType,
          agencyName: request.agencyName,
          location: request.location,
          mode: request.mode,
          startAt: request.startAt,
          picName: request.picName,
          picPhone: request.picPhone,
          status: request.status,
          rejectionReason: request.rejectionReason,
          officeName: request.office.name,
          timeZone: request.office.timeZone,
        }
      : null,
    coaches: request ? request.assignments.map((a) => a.coach.name) : [],
    recipientName: user?.name ?? null,
    recipientHasWhatsapp: (user?.identities.length ?? 0) > 0,
    note,
    missing,
    account,
    inbox,
  };
}

/** The staff reply of an Inbox notice, or the person a waiting conversation is about. */
async function loadInbox(db: Db, payload: Record<string, unknown>): Promise<NoticeData["inbox"]> {
  const message =
    typeof payload.messageId === "string"
      ? await db.conversationMessage.findUnique({
          where: { id: payload.messageId },
          include: { attachment: { select: { id: true, fileName: true, mimeType: true } } },
        })
      : null;
  const conversation =
    typeof payload.conversationId === "string"
      ? await db.conversation.findUnique({
          where: { id: payload.conversationId },
          select: { identity: { select: { channel: true, displayName: true, requester: { select: { name: true } } } } },
        })
      : null;
  const a = message?.attachment;
  return {
    text: message?.text ?? "",
    document: a ? { attachmentId: a.id, fileName: a.fileName, mimeType: a.mimeType } : null,
    person: conversation?.identity.requester?.name ?? conversation?.identity.displayName ?? "",
    channel: conversation?.identity.channel ?? "",
  };
}
