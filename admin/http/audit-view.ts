// The audit log for people: action names in words, the record it is about (a ticket code or a
// person's name, linked), and each change as "field: before → after" with values in words.
// Pure: the route loads the names, this only formats.
import type { Role } from "../../core/db/generated/enums.js";
import { hasMessage, type MessageKey, t } from "../../core/messages/index.js";
import { type Locale, labelOf, ROLES, STATUSES } from "../../core/reference/index.js";

/** Every action the product writes, in the order the filter lists them. */
export const AUDIT_ACTIONS = [
  "auth.login",
  "auth.logout",
  "auth.underAttack",
  "auth.failed.password",
  "auth.failed.totp",
  "request.create",
  "request.edit",
  "request.status",
  "request.completeEarly",
  "request.assign",
  "request.escalate",
  "request.clarify",
  "request.export",
  "coaching.export",
  "documentation.export",
  "request.delete",
  "documentation.upload",
  "documentation.replace",
  "documentation.delete",
  "documentation.denied",
  "module.create",
  "module.delete",
  "testimonial.delete",
  "user.create",
  "user.edit",
  "user.roles",
  "user.password",
  "user.resetPassword",
  "user.delete",
  "user.linkCode",
  "user.totp.enable",
  "user.totp.disable",
  "settings.totpRoles",
  "channel.pairing",
  "channel.retry",
  "inbox.claim",
  "inbox.reply",
  "inbox.release",
  "savedReply.create",
  "savedReply.delete",
] as const;

export function actionLabel(action: string, locale: Locale): string {
  const key = `audit.action.${action}`;
  return hasMessage(key) ? t(locale, key) : action;
}

export interface Names {
  requests: Map<string, { id: string; code: string }>;
  users: Map<string, { id: string; name: string }>;
  offices: Map<string, string>;
}

export interface Subject {
  text: string;
  href: string | null;
}

/** What an entry is about, in words, with a link where the panel has a page for it. */
export function subjectOf(entry: { entity: string; entityId: string | null }, names: Names, locale: Locale): Subject | null {
  if (!entry.entityId) return null;
  if (entry.entity === "CoachingRequest") {
    const r = names.requests.get(entry.entityId);
    return r ? { text: r.code, href: `/requests/${r.id}` } : null;
  }
  if (entry.entity === "User") {
    const u = names.users.get(entry.entityId);
    return u ? { text: u.name, href: `/users/${u.id}/edit` } : null;
  }
  if (entry.entity === "Conversation") return { text: t(locale, "admin.nav.inbox"), href: `/inbox/${entry.entityId}` };
  return null;
}

export interface ChangeLine {
  label: string;
  from?: string;
  to?: string;
  value?: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** One value in words: statuses and roles by their labels, yes/no, dates as written, ids as names. */
function inWords(key: string, v: unknown, names: Names, locale: Locale, fmt: (d: Date) => string): string {
  if (v === null || v === undefined || v === "") return "–";
  if (typeof v === "boolean") return t(locale, v ? "admin.yes" : "admin.no");
  if (Array.isArray(v)) return v.map((x) => inWords(key, x, names, locale, fmt)).join(", ");
  if (typeof v === "string") {
    if (STATUSES.some((s) => s.code === v)) return labelOf(STATUSES, v as (typeof STATUSES)[number]["code"], locale);
    if (ROLES.some((r) => r.code === v)) return labelOf(ROLES, v as Role, locale);
    if (ISO.test(v)) return fmt(new Date(v));
    if (/^[0-9a-f-]{36}$/i.test(v)) return names.users.get(v)?.name ?? names.offices.get(v) ?? names.requests.get(v)?.code ?? v.slice(0, 8);
    return v;
  }
  if (typeof v === "object")
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${fieldLabel(k, locale)}: ${inWords(k, x, names, locale, fmt)}`)
      .join("; ");
  return String(v);
}

function fieldLabel(field: string, locale: Locale): string {
  const key = `audit.field.${field}`;
  return hasMessage(key) ? t(locale, key as MessageKey) : field;
}

const isChange = (v: unknown): v is { from: unknown; to: unknown } =>
  Boolean(v) && typeof v === "object" && !Array.isArray(v) && "from" in (v as object) && "to" in (v as object);

/** The change set as lines a person reads. */
export function describeChanges(changes: unknown, names: Names, locale: Locale, fmt: (d: Date) => string): ChangeLine[] {
  if (!changes || typeof changes !== "object" || Array.isArray(changes)) return [];
  const lines: ChangeLine[] = [];
  for (const [key, v] of Object.entries(changes as Record<string, unknown>)) {
    if (v === undefined) continue;
    const label = fieldLabel(key, locale);
    if (isChange(v)) lines.push({ label, from: inWords(key, v.from, names, locale, fmt), to: inWords(key, v.to, names, locale, fmt) });
    else lines.push({ label, value: inWords(key, v, names, locale, fmt) });
  }
  return lines;
}

/** Ids mentioned in the change sets (to load their names in one query each). */
export function idsIn(changes: unknown, out = new Set<string>()): Set<string> {
  if (typeof changes === "string" && /^[0-9a-f-]{36}$/i.test(changes)) out.add(changes);
  else if (Array.isArray(changes)) for (const x of changes) idsIn(x, out);
  else if (changes && typeof changes === "object") for (const x of Object.values(changes)) idsIn(x, out);
  return out;
}
