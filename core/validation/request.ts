// The coaching request form, field by field. The bot validates one answer at a time with
// these schemas; the admin panel validates a whole form with requestInputSchema.
import { z } from "zod";
import type { TimeZone } from "../db/generated/enums.js";
import { AGENCY_LEVELS, codesOf, MODES, SERVICE_TYPES, TOPICS } from "../reference/index.js";
import { parseEnd, parseStart } from "./datetime.js";
import { emailSchema, nipSchema, phoneSchema } from "./identity.js";
import { LIMITS, lineText, longText } from "./text.js";

export const fieldSchemas = {
  requesterName: lineText(3, LIMITS.name),
  requesterNip: nipSchema,
  requesterPhone: phoneSchema,
  requesterEmail: emailSchema,
  agencyName: lineText(3, LIMITS.agency),
  agencyLevel: z.enum(codesOf(AGENCY_LEVELS)),
  isDataProducer: z.boolean(),
  serviceType: z.enum(codesOf(SERVICE_TYPES)),
  topics: z
    .array(z.enum(codesOf(TOPICS)))
    .min(1)
    .max(TOPICS.length),
  description: longText(10, LIMITS.description),
  location: lineText(3, LIMITS.location),
  mode: z.enum(codesOf(MODES)),
  picName: lineText(3, LIMITS.name),
  picPhone: phoneSchema,
} as const;

/** A whole request, with start and end as instants already parsed in the office's zone. */
export const requestInputSchema = z
  .object({
    requesterName: fieldSchemas.requesterName,
    requesterNip: z.preprocess((v) => (v === "" || v === null ? undefined : v), fieldSchemas.requesterNip.optional()),
    requesterPhone: fieldSchemas.requesterPhone,
    requesterEmail: fieldSchemas.requesterEmail,
    agencyId: z.uuid().optional(),
    agencyName: fieldSchemas.agencyName,
    agencyLevel: fieldSchemas.agencyLevel,
    isDataProducer: fieldSchemas.isDataProducer,
    serviceType: fieldSchemas.serviceType,
    topics: fieldSchemas.topics,
    description: fieldSchemas.description,
    location: fieldSchemas.location,
    mode: fieldSchemas.mode,
    startAt: z.coerce.date(),
    endAt: z.coerce.date(),
    picName: fieldSchemas.picName,
    picPhone: fieldSchemas.picPhone,
  })
  .refine((r) => r.endAt.getTime() > r.startAt.getTime(), { message: "end_before_start", path: ["endAt"] });

export type RequestInput = z.infer<typeof requestInputSchema>;

/** Parses typed start and end texts (as in the admin form) into instants. */
export function parseSchedule(startText: string, endText: string, zone: TimeZone, now = new Date()) {
  const start = parseStart(startText, zone, now);
  if (!start.ok) return { ok: false as const, field: "startAt" as const, error: start.error };
  const end = parseEnd(endText, start.value, zone);
  if (!end.ok) return { ok: false as const, field: "endAt" as const, error: end.error };
  return { ok: true as const, startAt: start.value, endAt: end.value };
}

export const testimonialSchema = z.object({
  rating: z.coerce.number().int().min(1).max(5),
  text: longText(3, LIMITS.testimonial),
});

export const ticketCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^PB-\d{4}-\d{5,}$/);

/** Finds a ticket code anywhere in a message ("status PB-2026-00042 ya"). */
export function findTicketCode(text: string): string | null {
  const m = /\bPB[-\s]?(\d{4})[-\s]?(\d{5,})\b/i.exec(text);
  return m ? `PB-${m[1]}-${m[2]}` : null;
}
