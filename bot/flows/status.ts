// Status: the requests of this chat identity, and details by ticket code. A code that belongs
// to someone else gets exactly the same "not found" as a code that does not exist, so nobody
// can probe for codes.
import type { RequestStatus, ServiceType, TimeZone } from "../../core/db/generated/enums.js";
import { t } from "../../core/messages/index.js";
import { sharedDocumentation } from "../../core/programme/sharing.js";
import { DOCUMENTATION_KINDS, type Locale, labelOf, SERVICE_TYPES, STATUSES } from "../../core/reference/index.js";
import { WITH_COACHES } from "../../core/requests/lifecycle.js";
import { findRequestsFor, lookupByCode } from "../../core/requests/service.js";
import type { AppContext } from "../../core/runtime/context.js";
import { formatDate, formatDateTime, formatTime } from "../../core/validation/datetime.js";
import type { OutboundMessage } from "../channels/types.js";
import { defineFlow, end, go, type Who } from "../engine/flow.js";
import { requesterRef } from "../engine/identity.js";

interface StatusState {
  codes?: string[];
}

interface Described {
  code: string;
  status: RequestStatus;
  serviceType: ServiceType;
  startAt: Date;
  endAt: Date;
  rejectionReason: string | null;
  assignments: { coach: { name: string } }[];
}

const coachNames = (r: Described) => r.assignments.map((a) => a.coach.name).join(", ");
const showsCoaches = (r: Described) => WITH_COACHES.includes(r.status) && r.assignments.length > 0;

/** "12/01/2027 09:00 – 12:00 WIB", or with the end date when it ends on another day. */
export function schedule(startAt: Date, endAt: Date, zone: TimeZone): string {
  const sameDay = formatDate(startAt, zone) === formatDate(endAt, zone);
  return `${formatDateTime(startAt, zone).replace(` ${zone}`, "")} – ${sameDay ? formatTime(endAt, zone) : formatDateTime(endAt, zone)}`;
}

/** The reply to a typed ticket code: details when it is the asker's, otherwise "not found". */
export async function describeTicket(app: AppContext, who: Who, locale: Locale, code: string): Promise<OutboundMessage> {
  const tr = (key: Parameters<typeof t>[1], params?: Parameters<typeof t>[2]) => t(locale, key, params);
  const request = await lookupByCode(app.db, code, requesterRef(who));
  if (!request) return { text: tr("status.notFound", { code }) };
  const lines = [
    tr("status.detail", {
      code: request.code,
      status: labelOf(STATUSES, request.status, locale),
      service: labelOf(SERVICE_TYPES, request.serviceType, locale),
      agency: request.agencyName,
      schedule: schedule(request.startAt, request.endAt, request.office.timeZone),
      location: request.location,
    }),
  ];
  if (showsCoaches(request)) lines.push(tr("status.coaches", { names: coachNames(request) }));
  if (request.status === "REJECTED" && request.rejectionReason) lines.push(tr("status.reason", { reason: request.rejectionReason }));
  return { text: lines.join("\n") };
}

/**
 * The ticket's details, followed by the files staff shared with the agency once it is DONE
 * (one message per file, sent as a document; links in the text). Strangers get "not found" only.
 */
export async function describeTicketWithFiles(app: AppContext, who: Who, locale: Locale, code: string): Promise<OutboundMessage[]> {
  const detail = await describeTicket(app, who, locale, code);
  const shared = await sharedDocumentation(app.db, code, requesterRef(who));
  if (shared.length === 0) return [detail];
  const links = shared.filter((d) => d.link).map((d) => d.link!);
  const lines = [detail.text, t(locale, "status.shared", { count: shared.length }), ...links.map((l) => `• ${l}`)];
  return [
    { text: lines.join("\n") },
    ...shared
      .filter((d) => d.attachment)
      .map((d) => ({
        text: `${labelOf(DOCUMENTATION_KINDS, d.kind, locale)}: ${d.attachment!.fileName}`,
        document: { attachmentId: d.attachment!.id, fileName: d.attachment!.fileName, mimeType: d.attachment!.mimeType },
      })),
  ];
}

export const statusFlow = defineFlow<StatusState>({
  id: "status",
  menu: { label: "bot.menu.status", order: 20 },
  begin: async (turn) => {
    const requests = await findRequestsFor(turn.app.db, requesterRef(turn.who), 10);
    if (requests.length === 0) return end({ text: turn.t("status.none") });
    const zones = new Map((await turn.app.db.office.findMany({ select: { id: true, timeZone: true } })).map((o) => [o.id, o.timeZone]));
    const lines = [turn.t("status.list.title")];
    for (const r of requests) {
      lines.push(
        `• ${turn.t("status.list.item", {
          code: r.code,
          service: labelOf(SERVICE_TYPES, r.serviceType, turn.locale),
          date: formatDate(r.startAt, zones.get(r.officeId) ?? "WIB"),
          status: labelOf(STATUSES, r.status, turn.locale),
        })}`,
      );
      if (showsCoaches(r)) lines.push(`  ${turn.t("status.coaches", { names: coachNames(r) })}`);
      if (r.status === "REJECTED" && r.rejectionReason) lines.push(`  ${turn.t("status.reason", { reason: r.rejectionReason })}`);
    }
    turn.state.codes = requests.map((r) => r.code);
    return go("pick", { text: lines.join("\n") });
  },
  steps: {
    pick: {
      prompt: (turn) => ({
        text: turn.t("status.list.footer"),
        choices: [...(turn.state.codes ?? []).map((code) => ({ id: `code:${code}`, label: code })), { id: "menu", label: turn.t("bot.choice.menu") }],
      }),
      answer: async (a, turn) => {
        if (!a.choice || a.choice.id === "menu") return end();
        return end(...(await describeTicketWithFiles(turn.app, turn.who, turn.locale, a.choice.label)));
      },
    },
  },
});
