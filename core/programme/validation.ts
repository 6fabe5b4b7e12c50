// zod schemas of every programme form and import row (seed 002 field lists).
import { z } from "zod";
import { emailSchema, phoneSchema } from "../validation/identity.js";
import { lineText, longText } from "../validation/text.js";
import { COLLECTION_METHODS, codesIn, DATA_USES, DECREE_TYPES, TEAM_ROLES } from "./reference.js";

/** Empty form fields are "not given". */
const blank = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <T extends z.ZodType>(s: T) => z.preprocess(blank, s.optional());
const yearSchema = z.coerce.number().int().min(2020).max(2100);
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "invalid_date" })
  .transform((v) => new Date(`${v}T00:00:00Z`))
  .refine((d) => !Number.isNaN(d.getTime()), { message: "invalid_date" });

/** The 16 fields of "Informasi Narahubung" (seed 002), in the guideline's order. */
export const CONTACT_FIELDS = [
  "leaderName",
  "leaderPosition",
  "email",
  "walidataUnit",
  "walidataUnitEmail",
  "walidataHeadName",
  "walidataHeadPosition",
  "walidataHeadEmail",
  "epssContactName",
  "epssContactPosition",
  "epssContactEmail",
  "epssContactWhatsapp",
  "walidataContactName",
  "walidataContactPosition",
  "walidataContactEmail",
  "walidataContactWhatsapp",
] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];

const name = optional(lineText(2, 150));
const email = optional(emailSchema);
const whatsapp = optional(phoneSchema);
export const contactSchema = z.object({
  leaderName: name,
  leaderPosition: name,
  email,
  walidataUnit: name,
  walidataUnitEmail: email,
  walidataHeadName: name,
  walidataHeadPosition: name,
  walidataHeadEmail: email,
  epssContactName: name,
  epssContactPosition: name,
  epssContactEmail: email,
  epssContactWhatsapp: whatsapp,
  walidataContactName: name,
  walidataContactPosition: name,
  walidataContactEmail: email,
  walidataContactWhatsapp: whatsapp,
});
export type ContactInput = z.input<typeof contactSchema>;

export const teamSchema = z.object({
  officeId: z.uuid(),
  year: yearSchema,
  name: lineText(3, 150),
});

export const decreeSchema = z.object({
  decreeType: z.enum(codesIn(DECREE_TYPES)),
  decreeNumber: lineText(3, 100),
});

export const memberSchema = z.object({ userId: z.uuid(), role: z.enum(codesIn(TEAM_ROLES)) });

const yesNo = z.preprocess(
  (v) => {
    if (typeof v === "boolean") return v;
    const s = String(v ?? "")
      .trim()
      .toLowerCase();
    if (["1", "ya", "yes", "true", "y"].includes(s)) return true;
    if (["2", "tidak", "no", "false", "t", "n"].includes(s)) return false;
    return v;
  },
  z.boolean({ message: "invalid_choice" }),
);

/** A numbered choice ("2" or "2. Survei" or the code) of a reference list. */
const numbered = <C extends string>(items: readonly { code: C; id: string; en: string }[]) =>
  z.preprocess(
    (v) => {
      const s = String(v ?? "").trim();
      const n = /^(\d+)/.exec(s)?.[1];
      if (n) return items[Number(n) - 1]?.code ?? s;
      const byLabel = items.find((i) => i.code === s || i.id.toLowerCase() === s.toLowerCase() || i.en.toLowerCase() === s.toLowerCase());
      return byLabel?.code ?? s;
    },
    z.enum(codesIn(items)),
  );

/** One row of the inventaris kegiatan statistik (seed 002 table, columns B-J). */
export const inventorySchema = z.object({
  title: lineText(3, 300),
  period: lineText(2, 50),
  lastHeld: z.preprocess((v) => (typeof v === "number" ? String(v) : v), lineText(4, 20)),
  producerUnit: lineText(2, 200),
  method: numbered(COLLECTION_METHODS),
  mainIndicator: lineText(2, 500),
  priority: yesNo,
  dataUse: numbered(DATA_USES),
});
export type InventoryInput = z.input<typeof inventorySchema>;

export const epssSchema = z.object({
  agencyId: z.uuid(),
  year: yearSchema,
  activityName: lineText(3, 300),
  activityYear: yearSchema,
  method: numbered(COLLECTION_METHODS),
  producer: lineText(2, 200),
  echelon2Unit: lineText(2, 200),
  reason: longText(3, 1000),
  note: optional(longText(1, 1000)),
  inventoryItemId: optional(z.uuid()),
});
export type EpssInput = z.input<typeof epssSchema>;

export const planItemSchema = z.object({
  agencyId: z.uuid(),
  year: yearSchema,
  activity: lineText(3, 300),
  plannedDate: isoDate,
  mechanism: z.enum(["ONLINE", "OFFLINE", "HYBRID"]),
  organiser: z.enum(["BPS", "NON_BPS"]),
  fullday: z.preprocess((v) => v === true || v === "true" || v === "on" || v === "1", z.boolean()),
  expectedOutput: longText(3, 1000),
  note: optional(longText(1, 1000)),
});
export type PlanItemInput = z.input<typeof planItemSchema>;

export const deadlineSchema = z.object({
  year: yearSchema,
  kind: z.enum(["TEAM_DECREE", "CONTACTS", "EPSS_CANDIDATES", "WORK_PLAN", "ACTIVITIES"]),
  dueDate: optional(isoDate),
  daysAfter: optional(z.coerce.number().int().min(1).max(365)),
});

export const allocationSchema = z.object({ officeId: z.uuid(), year: yearSchema, count: z.coerce.number().int().min(0).max(100) });

export const capacityEventSchema = z.object({
  officeId: z.uuid(),
  title: lineText(3, 200),
  heldOn: isoDate,
  internalisation: z.preprocess((v) => v === true || v === "true" || v === "on" || v === "1", z.boolean()),
  attendeeIds: z.array(z.uuid()).max(500).default([]),
});

export const ipsSchema = z.object({ agencyId: z.uuid(), year: yearSchema, score: z.coerce.number().min(0).max(5) });

export const semesterSchema = z.object({ year: yearSchema, semester: z.coerce.number().int().min(1).max(2) });
