// Turns an outbox row into the text one person reads, in their language. Loading (one
// read of the request and its parts) is separate from composing (pure), so every notice can
// be checked in both languages without a database.
import type { Db } from "../../core/db/client.js";
import type { DocumentationKind, Mode, RecipientKind, RequestStatus, ServiceType, TimeZone } from "../../core/db/generated/enums.js";
import { type MessageKey, type Params, t } from "../../core/messages/index.js";
import { ACCOUNT_ALERT_KIND, CHANNEL_ALERTS, type ChannelAlert, documentationStillMissing } from "../../core/notifications/intents.js";
import { isNoticeKind, type NoticeKind } from "../../core/notifications/kinds.js";
import { REPORT_KINDS } from "../../core/programme/reference.js";
import { DOCUMENTATION_KINDS, type Locale, labelOf, MODES, SERVICE_TYPES, STATUSES } from "../../core/reference/index.js";
import { formatDate, formatDateTime, formatTime } from "../../core/validation/datetime.js";
import type { Choice, OutboundDocument } from "../channels/types.js";
import { FEATURES } from "../flows/index.js";
import type { Links } from "./links.js";

export { type Links, panelLinks } from "./links.js";

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
  kind: NoticeKind;
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

/** What every renderer gets: the notice, a translator, the links and the request's fields. */
interface Composing {
  data: NoticeData;
  tr: (key: MessageKey, params?: Params) => string;
  links: Links;
  locale: Locale;
}

/** The request-based parameters shared by most notices (SPEKTRAL's notice fields). */
function requestParams({ data, tr, links, locale }: Composing, r: NoticeRequest): Params {
  const digits = r.picPhone.replace(/\D/g, "");
  return {
    code: r.code,
    service: labelOf(SERVICE_TYPES, r.serviceType, locale),
    agency: r.agencyName,
    location: r.location,
    mode: labelOf(MODES, r.mode, locale),
    date: formatDate(r.startAt, r.timeZone),
    time: formatTime(r.startAt, r.timeZone),
    office: r.officeName,
    picName: r.picName,
    picPhone: localPhone(r.picPhone),
    picContact: data.recipientHasWhatsapp ? tr("notify.phone.wa", { phone: localPhone(r.picPhone), digits }) : localPhone(r.picPhone),
    coaches: data.coaches.length ? data.coaches.join(", ") : tr("notify.none"),
    coachName: data.recipientName ?? "",
    link: links.request(r.id),
  };
}

type Renderer = (c: Composing) => RenderedNotice;

/** A notice about one request; without its request (deleted since) a short generic text. */
const aboutRequest =
  (title: "request" | "reminder" | "assigned", text: (c: Composing, base: Params, r: NoticeRequest) => string): Renderer =>
  (c) => {
    const r = c.data.request;
    if (!r) return { title: c.tr("notify.title.admin"), text: c.tr("notify.generic", { code: "-", link: c.links.base }) };
    const base = requestParams(c, r);
    const titleKey = title === "request" ? "notify.title.request" : title === "reminder" ? "notify.title.reminder" : "notify.title.coach.assigned";
    return { title: c.tr(titleKey, base), text: text(c, base, r) };
  };

/** Status notices go to the requester; supervisors get their own wording of some. */
const statusNotice = (requesterKey: MessageKey, supervisorKey?: MessageKey): Renderer =>
  aboutRequest("request", (c, base) => c.tr(c.data.recipientKind === "SUPERVISOR" && supervisorKey ? supervisorKey : requesterKey, base));

/** A reporting deadline of the programme: of an office's kind 1-4, or of one coaching's documentation. */
const deadlineNotice =
  (stage: "soon" | "passed"): Renderer =>
  ({ data, tr, links, locale }) => {
    const p = data.payload;
    const reportKind = REPORT_KINDS.find((k) => k.code === p.reportKind);
    const params: Params = { office: String(p.office ?? ""), due: String(p.due ?? ""), kind: reportKind ? reportKind[locale] : "" };
    const r = data.request;
    const text = r
      ? tr(`notify.programme.activity.${stage}`, {
          ...params,
          code: r.code,
          agency: r.agencyName,
          date: formatDate(r.startAt, r.timeZone),
          link: links.documentation(r.id),
        })
      : tr(`notify.programme.deadline.${stage}`, { ...params, link: `${links.base}/programme` });
    return { title: tr("notify.title.programme", params), text };
  };

/** One renderer per kind: adding a kind without its text does not compile. */
const RENDERERS: Record<NoticeKind, Renderer> = {
  "request.received": aboutRequest("request", (c, base) => c.tr("notify.request.received", { ...base, summary: c.tr("notify.summary", base) })),
  "request.submitted": aboutRequest("request", (c, base) =>
    c.data.recipientKind === "SUPERVISOR"
      ? c.tr("notify.supervisor.submitted", base)
      : c.tr("notify.request.update", { ...base, status: labelOf(STATUSES, "SUBMITTED", c.locale) }),
  ),
  "request.in_review": statusNotice("notify.request.in_review"),
  "request.approved": statusNotice("notify.request.approved"),
  "request.rejected": aboutRequest("request", (c, base, r) => c.tr("notify.request.rejected", { ...base, reason: excerpt(c.data.note ?? r.rejectionReason) })),
  "request.done": aboutRequest("request", (c, base) => c.tr("notify.request.done", { ...base, menuItem: c.tr("bot.menu.testimonial") })),
  "request.cancelled": statusNotice("notify.request.cancelled", "notify.supervisor.cancelled"),
  // Supervisors of the new office get the request; the requester hears which office has it now
  // (the office named when it happened: a later escalation has its own notice).
  "request.escalated": aboutRequest("request", (c, base, r) =>
    c.data.recipientKind === "SUPERVISOR"
      ? c.tr("notify.supervisor.escalated", base)
      : c.tr("notify.request.escalated", { ...base, office: String(c.data.payload.officeName ?? r.officeName) }),
  ),
  "request.clarification": aboutRequest("request", (c, base) => c.tr("notify.clarification.question", { ...base, question: excerpt(c.data.note) })),
  "request.clarification_answer": aboutRequest("request", (c, base) => c.tr("notify.supervisor.answer", { ...base, answer: excerpt(c.data.note) })),
  "coach.assigned": aboutRequest("assigned", (c, base) => c.tr("notify.coach.assigned", base)),
  "coach.letter": aboutRequest("assigned", (c, base) => c.tr("notify.coach.letter", base)),
  "coach.calendar": aboutRequest("assigned", (c, base) => c.tr("notify.coach.calendar", base)),
  "programme.deadline.soon": deadlineNotice("soon"),
  "programme.deadline.passed": deadlineNotice("passed"),
  "reminder.session": aboutRequest("reminder", (c, base) =>
    c.tr(c.data.recipientKind === "COACH" ? "notify.reminder.session.coach" : "notify.reminder.session.pic", base),
  ),
  "reminder.documentation": aboutRequest("reminder", (c, base, r) =>
    c.tr(c.data.payload.round === 2 ? "notify.reminder.documentation.2" : "notify.reminder.documentation.1", {
      ...base,
      missing: c.data.missing.map((k) => labelOf(DOCUMENTATION_KINDS, k, c.locale)).join(", ") || c.tr("notify.none"),
      link: c.links.documentation(r.id),
    }),
  ),
  "reminder.idle": ({ tr }) => ({ title: tr("notify.title.idle"), text: tr("bot.idle.reminder") }),
  "account.under_attack": ({ data, tr, links }) => {
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
  },
  "account.welcome": ({ data, tr, links }) => {
    const telegram = typeof data.payload.telegramLink === "string" ? data.payload.telegramLink : null;
    const text = tr("notify.welcome", { name: data.account?.name ?? data.recipientName ?? "", email: data.account?.email ?? "", link: `${links.base}/login` });
    return { title: tr("notify.title.welcome"), text: telegram ? `${text}\n\n${tr("notify.welcome.telegram", { link: telegram })}` : text };
  },
  "channel.whatsapp_logged_out": ({ data, tr, links }) => ({
    title: tr("notify.title.admin"),
    text: tr("notify.admin.channel_logged_out", { channel: String(data.payload.channel ?? ""), link: links.channels() }),
  }),
  "channel.whatsapp_alert": ({ data, tr, links }) => {
    const p = data.payload;
    const alert = (CHANNEL_ALERTS as readonly string[]).includes(String(p.alert)) ? (p.alert as ChannelAlert) : "down";
    const when = (v: unknown) => (typeof v === "string" && !Number.isNaN(Date.parse(v)) ? formatDateTime(new Date(v), "WIB") : "-");
    const params = {
      code: String(p.code ?? "-"),
      count: Number(p.count ?? 0),
      minutes: Number(p.minutes ?? 0),
      until: when(p.until),
      since: when(p.since),
      link: links.channels(),
    };
    return { title: tr("notify.title.admin"), text: tr(`notify.admin.whatsapp.${alert}`, params) };
  },
  "inbox.reply": ({ data, tr }) => {
    const reply = data.inbox;
    return { title: tr("notify.title.inbox"), text: reply?.text || reply?.document?.fileName || "", ...(reply?.document ? { document: reply.document } : {}) };
  },
  "inbox.released": ({ tr, locale }) => ({ title: tr("notify.title.inbox"), text: tr("inbox.released"), choices: mainMenu(locale) }),
  "inbox.waiting": ({ data, tr, links }) => ({
    title: tr("notify.title.inbox"),
    text: tr("notify.inbox.waiting", {
      name: data.inbox?.person ?? "",
      channel: data.inbox?.channel ?? "",
      link: `${links.base}/inbox/${String(data.payload.conversationId ?? "")}`,
    }),
  }),
};

/** Composes a notice. Pure: the same data and locale always give the same text. */
export function composeNotice(data: NoticeData, locale: Locale, links: Links): RenderedNotice {
  return RENDERERS[data.kind]({ data, tr: (key, params) => t(locale, key, params), links, locale });
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
        select: { name: true, whatsapp: true, identities: { where: { channel: "whatsapp" }, select: { id: true } } },
      })
    : null;
  let note: string | null = null;
  if (typeof payload.messageId === "string" && !row.kind.startsWith("inbox."))
    note = (await db.requestMessage.findUnique({ where: { id: payload.messageId } }))?.text ?? null;
  else if (typeof payload.statusChangeId === "string" && row.kind === "request.rejected")
    note = (await db.statusChange.findUnique({ where: { id: payload.statusChangeId } }))?.note ?? null;
  const missing = request && row.kind === "reminder.documentation" ? await documentationStillMissing(db, request.id) : [];
  const account =
    (row.kind === ACCOUNT_ALERT_KIND || row.kind === "account.welcome") && typeof payload.userId === "string"
      ? await db.user.findUnique({ where: { id: payload.userId }, select: { name: true, email: true } })
      : null;
  const inbox = row.kind.startsWith("inbox.") ? await loadInbox(db, payload) : null;
  // A kind this version cannot render is a bug (or a row from a newer version): fail the job
  // visibly on the Channels page instead of sending a vague text.
  if (!isNoticeKind(row.kind)) throw new Error(`unknown notice kind: ${row.kind}`);
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
    recipientHasWhatsapp: (user?.identities.length ?? 0) > 0 || Boolean(user?.whatsapp),
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
