// The request form (add on behalf, edit): the same zod schema as the bot, with the start and
// end typed as people type them and read in the office's time zone.
import type { Db } from "../../core/db/client.js";
import type { TimeZone } from "../../core/db/generated/enums.js";
import type { MessageKey } from "../../core/messages/index.js";
import { formatDateTime } from "../../core/validation/datetime.js";
import { parseSchedule, type RequestInput, requestInputSchema } from "../../core/validation/request.js";
import { bool, type FormBody, fieldErrors, list, str } from "./forms.js";

/** What the form shows: the typed values, as strings. */
export interface RequestFormValues {
  requesterName: string;
  requesterNip: string;
  requesterPhone: string;
  requesterEmail: string;
  agencyName: string;
  agencyLevel: string;
  isDataProducer: boolean;
  serviceType: string;
  topics: string[];
  description: string;
  location: string;
  mode: string;
  start: string;
  end: string;
  picName: string;
  picPhone: string;
}

export const emptyRequestForm = (): RequestFormValues => ({
  requesterName: "",
  requesterNip: "",
  requesterPhone: "",
  requesterEmail: "",
  agencyName: "",
  agencyLevel: "PROVINCE",
  isDataProducer: true,
  serviceType: "DIKLAT_BIMTEK",
  topics: [],
  description: "",
  location: "",
  mode: "OFFLINE",
  start: "",
  end: "",
  picName: "",
  picPhone: "",
});

type StoredRequest = Omit<RequestInput, "requesterNip" | "agencyId"> & { requesterNip: string | null };

export function formFromRequest(r: StoredRequest, zone: TimeZone): RequestFormValues {
  return {
    requesterName: r.requesterName,
    requesterNip: r.requesterNip ?? "",
    requesterPhone: r.requesterPhone,
    requesterEmail: r.requesterEmail,
    agencyName: r.agencyName,
    agencyLevel: r.agencyLevel,
    isDataProducer: r.isDataProducer,
    serviceType: r.serviceType,
    topics: [...r.topics],
    description: r.description,
    location: r.location,
    mode: r.mode,
    start: formatDateTime(r.startAt, zone),
    end: formatDateTime(r.endAt, zone),
    picName: r.picName,
    picPhone: r.picPhone,
  };
}

export function readRequestForm(body: FormBody): RequestFormValues {
  return {
    requesterName: str(body, "requesterName"),
    requesterNip: str(body, "requesterNip"),
    requesterPhone: str(body, "requesterPhone"),
    requesterEmail: str(body, "requesterEmail"),
    agencyName: str(body, "agencyName"),
    agencyLevel: str(body, "agencyLevel"),
    isDataProducer: bool(body, "isDataProducer"),
    serviceType: str(body, "serviceType"),
    topics: list(body, "topics"),
    description: str(body, "description"),
    location: str(body, "location"),
    mode: str(body, "mode"),
    start: str(body, "start"),
    end: str(body, "end"),
    picName: str(body, "picName"),
    picPhone: str(body, "picPhone"),
  };
}

export type RequestFormResult = { ok: true; input: RequestInput } | { ok: false; errors: Record<string, MessageKey> };

/**
 * Validates the form. When editing, an unchanged start/end keeps the stored instants (a past
 * coaching can still be corrected); a changed one must be in the future, as in the bot.
 */
export async function validateRequestForm(
  db: Db,
  v: RequestFormValues,
  zone: TimeZone,
  original?: { startAt: Date; endAt: Date },
  now = new Date(),
): Promise<RequestFormResult> {
  const errors: Record<string, MessageKey> = {};
  let startAt: Date | undefined;
  let endAt: Date | undefined;
  if (original && v.start.trim() === formatDateTime(original.startAt, zone) && v.end.trim() === formatDateTime(original.endAt, zone)) {
    startAt = original.startAt;
    endAt = original.endAt;
  } else {
    const schedule = parseSchedule(v.start, v.end, zone, now);
    if (schedule.ok) {
      startAt = schedule.startAt;
      endAt = schedule.endAt;
    } else {
      errors[schedule.field === "startAt" ? "start" : "end"] = `invalid.${schedule.error}` as MessageKey;
    }
  }
  const agency = v.agencyName.trim()
    ? await db.agency.findFirst({ where: { name: { equals: v.agencyName.trim(), mode: "insensitive" } }, select: { id: true, level: true } })
    : null;
  const parsed = requestInputSchema.safeParse({
    requesterName: v.requesterName,
    requesterNip: v.requesterNip,
    requesterPhone: v.requesterPhone,
    requesterEmail: v.requesterEmail,
    agencyId: agency?.id,
    agencyName: v.agencyName,
    agencyLevel: v.agencyLevel,
    isDataProducer: v.isDataProducer,
    serviceType: v.serviceType,
    topics: v.topics,
    description: v.description,
    location: v.location,
    mode: v.mode,
    startAt: startAt ?? new Date(0),
    endAt: endAt ?? new Date(1),
    picName: v.picName,
    picPhone: v.picPhone,
  });
  if (!parsed.success) {
    for (const [field, key] of Object.entries(fieldErrors(parsed.error))) {
      const name = field === "startAt" ? "start" : field === "endAt" ? "end" : field;
      errors[name] ??= key;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, input: parsed.data };
}
