// Everything templates may use: the translator, labels, formatters and permission checks.
// Templates receive data already shaped; they only format and escape it (Eta autoEscape).
import type { FastifyReply, FastifyRequest } from "fastify";
import type { TimeZone } from "../../core/db/generated/enums.js";
import { type MessageKey, type Params, t } from "../../core/messages/index.js";
import { type Action, can, canAsTeam } from "../../core/permissions.js";
import {
  AGENCY_LEVELS,
  DOCUMENTATION_KINDS,
  type Labelled,
  type Locale,
  labelOf,
  MODES,
  ROLES,
  SERVICE_TYPES,
  STATUSES,
  TOPICS,
} from "../../core/reference/index.js";
import { formatDate, formatDateTime, formatTime } from "../../core/validation/datetime.js";
import { qs } from "./forms.js";

const labeller =
  <C extends string>(items: readonly Labelled<C>[], locale: Locale) =>
  (code: C | null | undefined) =>
    code ? labelOf(items, code, locale) : "";

// One formatter per locale for the process: Number#toLocaleString builds a new one on every call
// (several per page: counts, stats).
const NUMBERS: Record<Locale, Intl.NumberFormat> = { id: new Intl.NumberFormat("id-ID"), en: new Intl.NumberFormat("en-GB") };

export function buildLocals(request: FastifyRequest, reply: FastifyReply) {
  const locale = request.locale;
  const staff = request.staff;
  const zone: TimeZone = staff?.office.timeZone ?? "WIB";
  let token: string | undefined;
  return {
    locale,
    user: staff,
    /** Unread in-panel notifications (set by the panel for signed-in GET pages). */
    unread: 0,
    path: request.url.split("?")[0] ?? "/",
    zone,
    t: (key: MessageKey, params?: Params) => t(locale, key, params),
    can: (action: Action) =>
      staff
        ? can(staff.roles, action) ||
          canAsTeam(
            staff.teamMemberships.map((m) => m.role),
            action,
          )
        : false,
    hasRole: (role: string) => staff?.roles.some((r) => r === role) ?? false,
    /** The CSRF token for this page's forms (created once per render). */
    csrf: () => {
      token ??= reply.generateCsrf();
      return token;
    },
    label: {
      status: labeller(STATUSES, locale),
      service: labeller(SERVICE_TYPES, locale),
      level: labeller(AGENCY_LEVELS, locale),
      mode: labeller(MODES, locale),
      topic: labeller(TOPICS, locale),
      kind: labeller(DOCUMENTATION_KINDS, locale),
      role: labeller(ROLES, locale),
    },
    lists: { STATUSES, SERVICE_TYPES, AGENCY_LEVELS, MODES, TOPICS, DOCUMENTATION_KINDS, ROLES },
    fmt: {
      dt: (d: Date | null | undefined, z: TimeZone = zone) => (d ? formatDateTime(d, z) : ""),
      date: (d: Date | null | undefined, z: TimeZone = zone) => (d ? formatDate(d, z) : ""),
      time: (d: Date | null | undefined, z: TimeZone = zone) => (d ? formatTime(d, z) : ""),
      num: (n: number) => NUMBERS[locale].format(n),
      bytes: (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(0)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`),
    },
    qs,
    /** ALLOW_INSECURE_HTTP=true: every page carries a warning banner. */
    insecureHttp: request.server.panel?.ctx.config.ALLOW_INSECURE_HTTP ?? false,
    flash: undefined as { kind: "ok" | "error"; key: MessageKey; params?: Params } | undefined,
  };
}
export type Locals = ReturnType<typeof buildLocals>;
