// The coaching request form, top to bottom. Each step asks one question, validates the answer
// on the spot with the zod schemas of core/validation (a wrong answer gets a specific hint and
// an example, then the same question again), and names the next step. At the end: a summary
// with edit-by-number, a duplicate check, and one submission per form (the run key is the
// submission key, so a double tap or a redelivered update can never create two requests).

import type { z } from "zod";
import type { AgencyLevel, Mode, OfficeLevel, ServiceType, TimeZone, Topic } from "../../core/db/generated/enums.js";
import type { MessageKey } from "../../core/messages/index.js";
import { AGENCY_LEVELS, labelOf, MODES, SERVICE_TYPES, TOPICS } from "../../core/reference/index.js";
import { routeRequest } from "../../core/requests/routing.js";
import { findDuplicates, findRequestsFor, submitRequest } from "../../core/requests/service.js";
import { formatDate, formatDateTime, isDayDuration, parseEnd, parseStart } from "../../core/validation/datetime.js";
import { fieldSchemas } from "../../core/validation/request.js";
import { type Answer, defineFlow, end, go, invalidKey, type Outcome, type Prompt, retry, type StepChoice, say, stay, type Turn } from "../engine/flow.js";
import { recordConsent, requesterRef } from "../engine/identity.js";
import { normalise } from "../engine/input.js";

interface AgencyMatch {
  id: string;
  name: string;
  level: AgencyLevel;
}

export interface FormState {
  name?: string;
  nip?: string | null;
  phone?: string;
  email?: string;
  agencyQuery?: string;
  matches?: AgencyMatch[];
  agencyId?: string | null;
  agencyName?: string;
  level?: AgencyLevel;
  producer?: boolean;
  service?: ServiceType;
  topics?: Topic[];
  /** Topics toggled with buttons, before "done". */
  picking?: Topic[];
  description?: string;
  location?: string;
  mode?: Mode;
  /** The handling office's time zone, for reading and showing dates. */
  zone?: TimeZone;
  startAt?: string;
  endAt?: string;
  /** An end read from an ambiguous duration ("1 hari"), waiting for the person's confirmation. */
  pendingEndAt?: string;
  picName?: string;
  picPhone?: string;
  attachment?: { id: string; name: string } | null;
  consentAt?: string;
  /** Set while changing one field from the summary: the next answer returns to the summary. */
  editing?: boolean;
  duplicates?: string[];
  /** A returning PIC's details from their latest request, offered for reuse. */
  previous?: {
    name: string;
    nip: string | null;
    phone: string;
    email: string;
    agencyId: string | null;
    agencyName: string;
    level: AgencyLevel;
    producer: boolean;
  };
}

type FormTurn = Turn<FormState>;

/**
 * The form's fields, in the order people answer them: the step that asks, the summary label,
 * how the summary shows the value, and whether the form may be sent without it. The progress
 * numbers "(n/17)", the summary's numbering and "ubah n" all come from this one table.
 */
interface FormField {
  step: string;
  label: MessageKey;
  show: (s: FormState, turn: FormTurn) => string | null | undefined;
  optional?: true;
}

const FIELDS = [
  { step: "name", label: "form.field.name", show: (s) => s.name },
  { step: "nip", label: "form.field.nip", show: (s) => s.nip, optional: true },
  { step: "phone", label: "form.field.phone", show: (s) => s.phone },
  { step: "email", label: "form.field.email", show: (s) => s.email },
  { step: "agency", label: "form.field.agency", show: (s) => s.agencyName },
  { step: "level", label: "form.field.level", show: (s, turn) => s.level && labelOf(AGENCY_LEVELS, s.level, turn.locale) },
  { step: "producer", label: "form.field.producer", show: (s, turn) => (s.producer === undefined ? undefined : turn.t(s.producer ? "bot.yes" : "bot.no")) },
  { step: "service", label: "form.field.service", show: (s, turn) => s.service && labelOf(SERVICE_TYPES, s.service, turn.locale) },
  { step: "topics", label: "form.field.topics", show: (s, turn) => (s.topics ?? []).map((c) => labelOf(TOPICS, c, turn.locale)).join(", ") || undefined },
  { step: "description", label: "form.field.description", show: (s) => s.description },
  { step: "location", label: "form.field.location", show: (s) => s.location },
  { step: "mode", label: "form.field.mode", show: (s, turn) => s.mode && labelOf(MODES, s.mode, turn.locale) },
  { step: "start", label: "form.field.start", show: (s) => s.startAt && formatDateTime(new Date(s.startAt), s.zone ?? "WIB") },
  { step: "end", label: "form.field.end", show: (s) => s.endAt && formatDateTime(new Date(s.endAt), s.zone ?? "WIB") },
  { step: "pic", label: "form.field.picName", show: (s) => s.picName },
  { step: "picPhone", label: "form.field.picPhone", show: (s) => s.picPhone },
  { step: "attachment", label: "form.field.attachment", show: (s) => s.attachment?.name, optional: true },
] as const satisfies readonly FormField[];

type FieldStep = (typeof FIELDS)[number]["step"];

// ------------------------------------------------------------------ small helpers

/** A question with its progress number: "(3/17) Nomor HP/WhatsApp…". */
function ask(turn: FormTurn, step: FieldStep, key: MessageKey, params?: Record<string, string | number>): string {
  return `${turn.t("form.progress", { n: FIELDS.findIndex((f) => f.step === step) + 1, total: FIELDS.length })} ${turn.t(key, params)}`;
}

/** The next step, or back to the summary when the person is changing one field. */
const then = (turn: FormTurn, next: string): Outcome => go(turn.state.editing ? "summary" : next);

/** Validates one answer with a core schema: the value, or the hint for what is wrong. */
function check<T>(schema: z.ZodType<T>, input: unknown): { ok: true; value: T } | { ok: false; key: MessageKey } {
  const r = schema.safeParse(input);
  return r.success ? { ok: true, value: r.data } : { ok: false, key: invalidKey(r.error.issues[0]?.message) };
}

const yesNo = (turn: FormTurn): StepChoice[] => [
  { id: "yes", label: turn.t("bot.yes"), aliases: ["ya", "y", "yes", "iya", "benar"] },
  { id: "no", label: turn.t("bot.no"), aliases: ["tidak", "no", "n", "bukan", "tdk", "gak", "nggak"] },
];
const skipChoice = (turn: FormTurn): StepChoice => ({ id: "skip", label: turn.t("bot.skip"), aliases: ["lewati", "skip", "lewat", "tidak ada", "none", "-"] });
const listChoices = <C extends string>(items: readonly { code: C; id: string; en: string }[], prefix: string, turn: FormTurn): StepChoice[] =>
  items.map((i) => ({ id: `${prefix}:${i.code}`, label: i[turn.locale], aliases: [i.id, i.en] }));
const codeOf = <C extends string>(choice: StepChoice | undefined, prefix: string): C | undefined =>
  choice?.id.startsWith(`${prefix}:`) ? (choice.id.slice(prefix.length + 1) as C) : undefined;

type OfficeRow = { id: string; name: string; level: OfficeLevel; parentId: string | null; timeZone: TimeZone };
const officeCache = new WeakMap<object, { at: number; rows: Promise<OfficeRow[]> }>();

/** The office tree, cached for a minute (it changes only when an admin edits offices). */
function officesOf(db: FormTurn["app"]["db"]): Promise<OfficeRow[]> {
  const hit = officeCache.get(db);
  if (hit && Date.now() - hit.at < 60_000) return hit.rows;
  const rows = db.office.findMany({ select: { id: true, name: true, level: true, parentId: true, timeZone: true } });
  officeCache.set(db, { at: Date.now(), rows });
  rows.catch(() => officeCache.delete(db));
  return rows;
}

/** The handling office's zone, from the agency (when picked) and its level. */
async function officeZone(turn: FormTurn): Promise<TimeZone> {
  const { db, defaultOfficeId } = turn.app;
  const offices = await officesOf(db);
  const agency = turn.state.agencyId ? await db.agency.findUnique({ where: { id: turn.state.agencyId }, select: { officeId: true } }) : null;
  const officeId = routeRequest({ level: turn.state.level ?? "OTHER", agencyOfficeId: agency?.officeId }, offices, defaultOfficeId);
  return offices.find((o) => o.id === officeId)?.timeZone ?? "WIB";
}

/** Agencies whose names contain the typed words, best match first. */
async function searchAgencies(turn: FormTurn, query: string): Promise<AgencyMatch[]> {
  const words = normalise(query)
    .split(" ")
    .filter((w) => w.length >= 3)
    .slice(0, 6);
  if (words.length === 0) return [];
  const rows = await turn.app.db.agency.findMany({
    where: { OR: words.map((w) => ({ name: { contains: w, mode: "insensitive" as const } })) },
    select: { id: true, name: true, level: true },
    take: 50,
  });
  const score = (name: string) => words.filter((w) => normalise(name).includes(w)).length;
  const scored = rows.map((r) => ({ r, s: score(r.name) }));
  // Names holding every typed word come alone when there are any ("dinas kesehatan" should not
  // list Dinas Pendidikan); otherwise names holding at least half of the words.
  const full = scored.filter((x) => x.s === words.length);
  const candidates = full.length > 0 ? full : scored.filter((x) => words.length > 1 && x.s >= Math.ceil(words.length / 2));
  return candidates
    .sort((a, b) => b.s - a.s || a.r.name.length - b.r.name.length)
    .slice(0, 6)
    .map((x) => x.r);
}

const exampleStart = (turn: FormTurn, zone: TimeZone) => `${formatDate(new Date(turn.now.getTime() + 14 * 24 * 3600_000), zone)} 09:00`;

/** The summary text: every field numbered, as the edit question numbers them. */
function summaryText(turn: FormTurn): string {
  const empty = turn.t("bot.empty");
  const lines = FIELDS.map((f: FormField, i) => `${i + 1}. ${turn.t(f.label)}: ${f.show(turn.state, turn) || empty}`);
  return [turn.t("form.summary.title"), ...lines, "", turn.t("form.summary.footer")].join("\n");
}

/** "ubah 5" / "edit 5" typed at the summary. */
function editShortcut(text: string): number | null {
  const m = /^(?:ubah|edit|ganti|change)\s+(?:no\.?\s*|nomor\s*)?(\d{1,2})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}

function editField(turn: FormTurn, n: number): Outcome {
  const field = FIELDS[n - 1];
  if (!field) return retry(turn, "bot.invalid.choice");
  turn.state.editing = true;
  return go(field.step);
}

async function submit(turn: FormTurn): Promise<Outcome> {
  const s = turn.state;
  const { db } = turn.app;
  const { request } = await submitRequest(
    db,
    {
      requesterName: s.name!,
      requesterNip: s.nip ?? undefined,
      requesterPhone: s.phone!,
      requesterEmail: s.email!,
      agencyId: s.agencyId ?? undefined,
      agencyName: s.agencyName!,
      agencyLevel: s.level!,
      isDataProducer: s.producer!,
      serviceType: s.service!,
      topics: s.topics!,
      description: s.description!,
      location: s.location!,
      mode: s.mode!,
      startAt: new Date(s.startAt!),
      endAt: new Date(s.endAt!),
      picName: s.picName!,
      picPhone: s.picPhone!,
    },
    {
      channel: turn.event.channel,
      identityId: turn.who.identityId,
      requesterId: turn.who.requester?.id ?? null,
      submissionKey: turn.runKey,
      consentAt: s.consentAt ? new Date(s.consentAt) : null,
      locale: turn.locale,
      defaultOfficeId: turn.app.defaultOfficeId,
      attachmentIds: s.attachment ? [s.attachment.id] : [],
      now: turn.now,
    },
  );
  const office = (await officesOf(db)).find((o) => o.id === request.officeId);
  turn.app.log.info({ request: request.id, channel: turn.event.channel }, "request submitted from chat");
  return end(say(turn.t("form.submitted", { code: request.code, office: office?.name ?? "BPS" })));
}

// ------------------------------------------------------------------ the form

export const requestForm = defineFlow<FormState>({
  id: "request",
  menu: { label: "bot.menu.submit", order: 10 },
  resumable: true,
  begin: () => go("consent"),
  steps: {
    consent: {
      prompt: (turn) => ({
        text: turn.t("form.consent"),
        choices: [
          { id: "agree", label: turn.t("form.consent.agree"), aliases: ["ya", "yes", "setuju", "ok", "oke", "agree", "y"] },
          { id: "decline", label: turn.t("form.consent.decline"), aliases: ["tidak", "no", "n", "tidak setuju"] },
        ],
      }),
      answer: async (a, turn) => {
        if (a.choice?.id !== "agree") return end(say(turn.t("form.consent.declined")));
        await recordConsent(turn.app.db, turn.who, turn.now, turn.locale);
        turn.state.consentAt = turn.now.toISOString();
        // A returning PIC is offered their previous details instead of every question again.
        const [latest] = await findRequestsFor(turn.app.db, requesterRef(turn.who), 1);
        if (!latest) return go("name");
        turn.state.previous = {
          name: latest.requesterName,
          nip: latest.requesterNip,
          phone: latest.requesterPhone,
          email: latest.requesterEmail,
          agencyId: latest.agencyId,
          agencyName: latest.agencyName,
          level: latest.agencyLevel,
          producer: latest.isDataProducer,
        };
        return go("reuse");
      },
    },

    reuse: {
      prompt: (turn) => {
        const p = turn.state.previous!;
        const details = [p.name, p.nip ? `NIP ${p.nip}` : null, p.phone, p.email, `${p.agencyName} (${labelOf(AGENCY_LEVELS, p.level, turn.locale)})`]
          .filter(Boolean)
          .join("\n");
        return { text: turn.t("form.reuse.ask", { details }), choices: yesNo(turn) };
      },
      answer: async (a, turn) => {
        const s = turn.state;
        const p = s.previous;
        s.previous = undefined;
        if (a.choice?.id !== "yes" || !p) return go("name");
        Object.assign(s, {
          name: p.name,
          nip: p.nip,
          phone: p.phone,
          email: p.email,
          agencyId: p.agencyId,
          agencyName: p.agencyName,
          level: p.level,
          producer: p.producer,
        });
        s.zone = await officeZone(turn);
        // Straight to the questions about this coaching; the summary still edits every field.
        return go("service");
      },
    },

    name: {
      freeText: true,
      prompt: (turn) => ({
        text: ask(turn, "name", "form.name.ask"),
        choices: turn.who.requester?.name ? [{ id: "known", label: turn.who.requester.name }] : [],
      }),
      answer: (a, turn) => {
        const r = check(fieldSchemas.requesterName, a.choice?.id === "known" ? turn.who.requester?.name : a.text);
        if (!r.ok) return retry(turn, r.key, undefined, "form.name.example");
        turn.state.name = r.value;
        return then(turn, "nip");
      },
    },

    nip: {
      freeText: true,
      prompt: (turn) => ({ text: ask(turn, "nip", "form.nip.ask"), choices: [skipChoice(turn)] }),
      answer: (a, turn) => {
        if (a.choice?.id === "skip") {
          turn.state.nip = null;
          return then(turn, "phone");
        }
        const r = check(fieldSchemas.requesterNip, a.text);
        if (!r.ok) return retry(turn, r.key);
        turn.state.nip = r.value;
        return then(turn, "phone");
      },
    },

    phone: {
      freeText: true,
      // On WhatsApp the chat's own number is offered as the default answer.
      prompt: (turn) => {
        const known = turn.who.phone ?? turn.who.requester?.phone;
        return { text: ask(turn, "phone", "form.phone.ask"), choices: known ? [{ id: "this", label: turn.t("form.phone.useThis", { phone: known }) }] : [] };
      },
      answer: (a, turn) => {
        const r = check(fieldSchemas.requesterPhone, a.choice?.id === "this" ? (turn.who.phone ?? turn.who.requester?.phone) : a.text);
        if (!r.ok) return retry(turn, r.key);
        turn.state.phone = r.value;
        return then(turn, "email");
      },
    },

    email: {
      freeText: true,
      prompt: (turn) => ({
        text: ask(turn, "email", "form.email.ask"),
        choices: turn.who.requester?.email ? [{ id: "known", label: turn.who.requester.email }] : [],
      }),
      answer: (a, turn) => {
        const r = check(fieldSchemas.requesterEmail, a.choice?.id === "known" ? turn.who.requester?.email : a.text);
        if (!r.ok) return retry(turn, r.key);
        turn.state.email = r.value;
        return then(turn, "agency");
      },
    },

    agency: {
      prompt: (turn) => ({ text: ask(turn, "agency", "form.agency.ask") }),
      answer: async (a, turn) => {
        const r = check(fieldSchemas.agencyName, a.text);
        if (!r.ok) return retry(turn, r.key, undefined, "form.agency.example");
        return agencyFound(turn, r.value, await searchAgencies(turn, r.value));
      },
    },

    agencyPick: {
      freeText: true, // typing another name searches again
      prompt: (turn) => ({
        text: ask(turn, "agency", "form.agency.pick"),
        choices: [
          ...(turn.state.matches ?? []).map((m) => ({ id: `agency:${m.id}`, label: m.name })),
          { id: "keep", label: turn.t("form.agency.keep", { name: turn.state.agencyQuery ?? "" }) },
        ],
      }),
      answer: async (a, turn) => {
        const s = turn.state;
        if (a.choice?.id === "keep") {
          s.agencyId = null;
          s.agencyName = s.agencyQuery;
          s.matches = undefined;
          return then(turn, "level");
        }
        const picked = s.matches?.find((m) => a.choice?.id === `agency:${m.id}`);
        if (picked) {
          // A listed agency brings its level; the level question is skipped.
          Object.assign(s, { agencyId: picked.id, agencyName: picked.name, level: picked.level, matches: undefined });
          s.zone = await officeZone(turn);
          return then(turn, "producer");
        }
        const r = check(fieldSchemas.agencyName, a.text);
        if (!r.ok) return retry(turn, r.key, undefined, "form.agency.example");
        return agencyFound(turn, r.value, await searchAgencies(turn, r.value));
      },
    },

    level: {
      prompt: (turn) => ({ text: ask(turn, "level", "form.level.ask"), choices: listChoices(AGENCY_LEVELS, "level", turn) }),
      answer: async (a, turn) => {
        const level = codeOf<AgencyLevel>(a.choice, "level");
        if (!level) return retry(turn, "bot.invalid.choice");
        turn.state.level = level;
        turn.state.zone = await officeZone(turn);
        return then(turn, "producer");
      },
    },

    producer: {
      prompt: (turn) => ({ text: ask(turn, "producer", "form.producer.ask"), choices: yesNo(turn) }),
      answer: (a, turn) => {
        turn.state.producer = a.choice?.id === "yes";
        return then(turn, "service");
      },
    },

    service: {
      prompt: (turn) => ({ text: ask(turn, "service", "form.service.ask"), choices: listChoices(SERVICE_TYPES, "service", turn) }),
      answer: (a, turn) => {
        const service = codeOf<ServiceType>(a.choice, "service");
        if (!service) return retry(turn, "bot.invalid.choice");
        turn.state.service = service;
        return then(turn, "topics");
      },
    },

    topics: {
      prompt: (turn) => topicsPrompt(turn),
      answer: (a, turn) => topicsAnswer(a, turn),
    },

    description: {
      prompt: (turn) => ({ text: ask(turn, "description", "form.description.ask") }),
      answer: (a, turn) => {
        const r = check(fieldSchemas.description, a.text);
        if (!r.ok) return retry(turn, r.key, undefined, "form.description.example");
        turn.state.description = r.value;
        return then(turn, "location");
      },
    },

    location: {
      prompt: (turn) => ({ text: ask(turn, "location", "form.location.ask") }),
      answer: (a, turn) => {
        const r = check(fieldSchemas.location, a.text);
        if (!r.ok) return retry(turn, r.key, undefined, "form.location.example");
        turn.state.location = r.value;
        return then(turn, "mode");
      },
    },

    mode: {
      prompt: (turn) => ({ text: ask(turn, "mode", "form.mode.ask"), choices: listChoices(MODES, "mode", turn) }),
      answer: (a, turn) => {
        const mode = codeOf<Mode>(a.choice, "mode");
        if (!mode) return retry(turn, "bot.invalid.choice");
        turn.state.mode = mode;
        return then(turn, "start");
      },
    },

    start: {
      prompt: (turn) => {
        const zone = turn.state.zone ?? "WIB";
        return { text: ask(turn, "start", "form.start.ask", { zone, example: exampleStart(turn, zone) }) };
      },
      answer: (a, turn) => {
        const s = turn.state;
        const r = parseStart(a.text, s.zone ?? "WIB", turn.now);
        if (!r.ok) return retry(turn, invalidKey(r.error));
        s.startAt = r.value.toISOString();
        // A changed start keeps the old end only while it still makes sense.
        const endStillFits = s.endAt && new Date(s.endAt) > r.value && new Date(s.endAt).getTime() - r.value.getTime() <= 14 * 24 * 3600_000;
        return s.editing && endStillFits ? go("summary") : go("end");
      },
    },

    end: {
      prompt: (turn) => ({ text: ask(turn, "end", "form.end.ask") }),
      answer: (a, turn) => {
        const s = turn.state;
        if (!s.startAt) return go("start");
        const r = parseEnd(a.text, new Date(s.startAt), s.zone ?? "WIB");
        if (!r.ok) return retry(turn, invalidKey(r.error));
        if (isDayDuration(a.text)) {
          s.pendingEndAt = r.value.toISOString();
          return go("endConfirm");
        }
        s.endAt = r.value.toISOString();
        return then(turn, "pic");
      },
    },

    // "1 hari" may mean a working day or a full day: show the end it gives and ask.
    endConfirm: {
      prompt: (turn) => ({
        text: turn.t("form.end.confirm", { end: formatDateTime(new Date(turn.state.pendingEndAt ?? turn.state.startAt ?? 0), turn.state.zone ?? "WIB") }),
        choices: [
          { id: "yes", label: turn.t("form.end.confirm.yes"), aliases: ["ya", "y", "yes", "iya", "benar", "betul"] },
          { id: "no", label: turn.t("form.end.confirm.no"), aliases: ["tidak", "no", "n", "bukan", "ubah", "change"] },
        ],
      }),
      answer: (a, turn) => {
        const s = turn.state;
        if (a.choice?.id === "yes" && s.pendingEndAt) {
          s.endAt = s.pendingEndAt;
          delete s.pendingEndAt;
          return then(turn, "pic");
        }
        if (a.choice?.id === "no") {
          delete s.pendingEndAt;
          return go("end", { text: turn.t("form.end.confirm.again") });
        }
        return retry(turn, "bot.invalid.choice");
      },
    },

    pic: {
      freeText: true,
      prompt: (turn) => ({
        text: ask(turn, "pic", "form.pic.ask"),
        choices: [{ id: "same", label: turn.t("form.pic.same"), aliases: ["sama", "saya", "same", "me", "sama dengan saya"] }],
      }),
      answer: (a, turn) => {
        const s = turn.state;
        if (a.choice?.id === "same") {
          s.picName = s.name;
          s.picPhone = s.phone;
          return then(turn, "attachment");
        }
        const r = check(fieldSchemas.picName, a.text);
        if (!r.ok) return retry(turn, r.key, undefined, "form.name.example");
        s.picName = r.value;
        return go("picPhone"); // a different person: ask their number too, even when editing
      },
    },

    picPhone: {
      prompt: (turn) => ({ text: ask(turn, "picPhone", "form.picPhone.ask") }),
      answer: (a, turn) => {
        const r = check(fieldSchemas.picPhone, a.text);
        if (!r.ok) return retry(turn, r.key);
        turn.state.picPhone = r.value;
        return then(turn, "attachment");
      },
    },

    attachment: {
      expects: "file",
      prompt: (turn) => ({
        text: ask(turn, "attachment", "form.attachment.ask", { max: turn.app.config.MAX_UPLOAD_MB }),
        choices: [skipChoice(turn)],
      }),
      answer: async (a, turn) => {
        if (a.choice?.id === "skip") {
          turn.state.attachment = null;
          return go("summary");
        }
        if (!a.file) return retry(turn, "bot.invalid.needFile");
        const stored = await turn.storeFile();
        if (!stored.ok) return { to: "stay", say: [stored.reply], invalid: true };
        turn.state.attachment = { id: stored.attachment.id, name: stored.attachment.fileName };
        return go("summary", say(turn.t("form.attachment.received", { name: stored.attachment.fileName })));
      },
    },

    summary: {
      freeText: true, // "ubah 5"
      prompt: (turn) => ({
        text: summaryText(turn),
        choices: [
          { id: "confirm", label: turn.t("form.summary.confirm"), aliases: ["kirim", "send", "submit", "ya", "yes", "ok"] },
          { id: "edit", label: turn.t("form.summary.edit"), aliases: ["ubah", "edit", "ganti", "change"] },
          { id: "cancel", label: turn.t("form.summary.cancel") },
        ],
      }),
      answer: async (a, turn) => {
        turn.state.editing = false;
        switch (a.choice?.id) {
          case "confirm":
            return confirm(turn);
          case "edit":
            return go("edit");
          case "cancel":
            return end(say(turn.t("form.cancelled")));
        }
        const n = editShortcut(a.text);
        if (n) return editField(turn, n);
        // A bare field number ("13") is easy to mistake for a button number: say how to edit it.
        const bare = /^\d{1,2}$/.test(a.text.trim()) ? Number(a.text.trim()) : 0;
        return bare > 0 && bare <= FIELDS.length ? retry(turn, "form.summary.editHint", { n: bare }) : retry(turn, "bot.invalid.choice");
      },
    },

    edit: {
      prompt: (turn) => ({ text: turn.t("form.edit.ask"), choices: FIELDS.map((f, i) => ({ id: `field:${i + 1}`, label: turn.t(f.label) })) }),
      answer: (a, turn) => (a.choice ? editField(turn, Number(a.choice.id.slice("field:".length))) : retry(turn, "bot.invalid.choice")),
    },

    duplicate: {
      prompt: (turn) => ({
        text: turn.t("form.duplicate", {
          service: turn.state.service ? labelOf(SERVICE_TYPES, turn.state.service, turn.locale) : "",
          codes: (turn.state.duplicates ?? []).join(", "),
        }),
        choices: [
          { id: "submit", label: turn.t("form.duplicate.submit"), aliases: ["kirim", "ya", "yes", "send"] },
          { id: "edit", label: turn.t("form.summary.edit") },
          { id: "cancel", label: turn.t("form.summary.cancel") },
        ],
      }),
      answer: (a, turn) => {
        if (a.choice?.id === "submit") return submit(turn);
        if (a.choice?.id === "edit") return go("edit");
        return end(say(turn.t("form.cancelled")));
      },
    },
  },
});

function agencyFound(turn: FormTurn, typed: string, matches: AgencyMatch[]): Outcome {
  const s = turn.state;
  s.agencyQuery = typed;
  if (matches.length === 0) {
    s.agencyId = null;
    s.agencyName = typed;
    s.matches = undefined;
    return s.editing
      ? go("summary", say(turn.t("form.agency.notListed", { name: typed })))
      : go("level", say(turn.t("form.agency.notListed", { name: typed })));
  }
  s.matches = matches;
  return go("agencyPick");
}

function topicsPrompt(turn: FormTurn): Prompt {
  const picking = turn.state.picking ?? turn.state.topics ?? [];
  const selected = picking.map((c) => labelOf(TOPICS, c, turn.locale)).join(", ");
  return {
    text: [ask(turn, "topics", "form.topics.ask"), selected ? turn.t("form.topics.selected", { list: selected }) : ""].filter(Boolean).join("\n"),
    multi: true,
    choices: [
      ...listChoices(TOPICS, "topic", turn).map((c) => (picking.includes(c.id.slice(6) as Topic) ? { ...c, selected: true } : c)),
      { id: "done", label: turn.t("form.topics.done"), aliases: ["selesai", "done", "ok", "sudah"] },
    ],
  };
}

function topicsAnswer(a: Answer, turn: FormTurn): Outcome {
  const s = turn.state;
  const finish = (topics: Topic[]): Outcome => {
    if (topics.length === 0) return retry(turn, "form.topics.none");
    s.topics = TOPICS.map((x) => x.code).filter((c) => topics.includes(c)); // keep the reference order
    s.picking = undefined;
    return then(turn, "description");
  };
  if (a.choices) return finish(a.choices.map((c) => codeOf<Topic>(c, "topic")).filter((c): c is Topic => !!c));
  if (a.choice?.id === "done") return finish(s.picking ?? s.topics ?? []);
  const topic = codeOf<Topic>(a.choice, "topic");
  if (!topic) return retry(turn, "bot.invalid.choice");
  // A typed topic is a complete answer; a pressed button toggles it until "done".
  if (turn.event.kind !== "choice") return finish([topic]);
  const picking = new Set(s.picking ?? s.topics ?? []);
  if (picking.has(topic)) picking.delete(topic);
  else picking.add(topic);
  s.picking = [...picking];
  return stay();
}

async function confirm(turn: FormTurn): Promise<Outcome> {
  const s = turn.state;
  // Every required field answered (a change from the summary may have left one empty).
  const missing = FIELDS.find((f: FormField) => !f.optional && !f.show(s, turn));
  if (missing) {
    s.editing = true;
    return go(missing.step);
  }
  const duplicates = await findDuplicates(turn.app.db, {
    agencyId: s.agencyId,
    agencyName: s.agencyName!,
    serviceType: s.service!,
    startAt: new Date(s.startAt!),
  });
  if (duplicates.length > 0) {
    s.duplicates = duplicates.map((d) => d.code);
    return go("duplicate");
  }
  return submit(turn);
}
