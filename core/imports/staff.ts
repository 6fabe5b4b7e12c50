// Import staff from CSV or XLSX: name, NIP, email, phone (WhatsApp), office code, roles.
// preview() judges every row without writing; apply() re-judges inside one transaction and
// writes all rows or none. Existing accounts (same email) are updated only where they differ,
// so the same file twice changes nothing. New accounts get a temporary password to change at
// first sign-in.
import { z } from "zod";
import { visibleOfficeIds } from "../access/index.js";
import { writeAudit } from "../audit/service.js";
import { hashPassword } from "../auth/password.js";
import { temporaryPassword } from "../auth/password-policy.js";
import type { Db, Tx } from "../db/client.js";
import type { Role } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { ROLES } from "../reference/index.js";
import { type WelcomeOptions, welcomeIntent } from "../users/service.js";
import { emailSchema, nipSchema, phoneSchema } from "../validation/identity.js";
import { LIMITS, lineText } from "../validation/text.js";
import { type CellError, type Column, issueKey, matchHeader, type RowVerdict } from "./columns.js";
import type { ReadTable } from "./table.js";

type Key = "name" | "nip" | "email" | "phone" | "office" | "roles";
export const STAFF_COLUMNS: readonly Column<Key>[] = [
  { key: "name", header: "Nama", required: true },
  { key: "nip", header: "NIP", required: false },
  { key: "email", header: "Email", required: true },
  { key: "phone", header: "HP", aliases: ["WhatsApp", "Telepon", "No HP", "Nomor HP", "Phone"], required: false },
  { key: "office", header: "Kode Kantor", aliases: ["Kantor", "Office", "Office Code"], required: true },
  { key: "roles", header: "Peran", aliases: ["Role", "Roles"], required: true },
];

export interface StaffRow {
  name: string;
  nip: string | null;
  email: string;
  whatsapp: string | null;
  officeId: string;
  officeCode: string;
  roles: Role[];
}

const ROLE_WORDS = new Map<string, Role>(ROLES.flatMap((r) => [r.code, r.id, r.en].map((w) => [w.toLowerCase(), r.code] as [string, Role])));

export function parseRoles(text: string): Role[] | null {
  const words = text
    .split(/[,;/|]+/)
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean);
  const roles = words.map((w) => ROLE_WORDS.get(w));
  if (roles.length === 0 || roles.some((r) => !r)) return null;
  return ROLES.map((r) => r.code).filter((c) => roles.includes(c));
}

export interface StaffPreview {
  rows: RowVerdict<StaffRow>[];
  counts: { new: number; update: number; unchanged: number; error: number };
}

async function judge(db: Db | Tx, actor: { userId: string; officeId: string }, table: Extract<ReadTable, { ok: true }>): Promise<StaffPreview> {
  const header = matchHeader(STAFF_COLUMNS, table.header);
  if (!header.ok) throw new DomainError("VALIDATION", `import.header.${header.problem}`, { column: header.column });
  const at = (row: string[], k: Key) => (header.index[k] === undefined ? "" : (row[header.index[k]!] ?? ""));
  const scope = new Set(await visibleOfficeIds(db, actor));
  const offices = new Map((await db.office.findMany({ select: { id: true, code: true } })).map((o) => [o.code, o.id]));
  const emails = table.rows.map((r) => emailSchema.safeParse(at(r, "email")).data).filter((e): e is string => !!e);
  const existing = new Map((await db.user.findMany({ where: { email: { in: emails } } })).map((u) => [u.email, u]));
  const seen = new Map<string, number>();
  const rows: RowVerdict<StaffRow>[] = table.rows.map((r, i) => {
    const line = i + 2;
    const errors: CellError[] = [];
    const name = lineText(3, LIMITS.name).safeParse(at(r, "name"));
    if (!name.success) errors.push({ column: "Nama", key: issueKey(name.error) });
    const nipText = at(r, "nip");
    const nip = nipText ? nipSchema.safeParse(nipText) : null;
    if (nip && !nip.success) errors.push({ column: "NIP", key: issueKey(nip.error) });
    const email = emailSchema.safeParse(at(r, "email"));
    if (!email.success) errors.push({ column: "Email", key: issueKey(email.error) });
    else if (seen.has(email.data)) errors.push({ column: "Email", key: "import.error.duplicateEmail", params: { line: seen.get(email.data)! } });
    else seen.set(email.data, line);
    const phoneText = at(r, "phone");
    const phone = phoneText ? phoneSchema.safeParse(phoneText) : null;
    if (phone && !phone.success) errors.push({ column: "HP", key: issueKey(phone.error) });
    const code = at(r, "office");
    const officeId = offices.get(code);
    if (!officeId) errors.push({ column: "Kode Kantor", key: "import.error.unknownOffice", params: { code } });
    else if (!scope.has(officeId)) errors.push({ column: "Kode Kantor", key: "import.error.officeOutOfScope", params: { code } });
    const roles = parseRoles(at(r, "roles"));
    if (!roles) errors.push({ column: "Peran", key: "import.error.roles", params: { value: at(r, "roles") } });
    const cells = STAFF_COLUMNS.map((c) => at(r, c.key));
    if (errors.length > 0 || !name.success || !email.success || !officeId || !roles) return { line, verdict: "error", errors, cells, data: null };
    const data: StaffRow = {
      name: name.data,
      nip: nip?.success ? nip.data : null,
      email: email.data,
      whatsapp: phone?.success ? phone.data : null,
      officeId,
      officeCode: code,
      roles,
    };
    const user = existing.get(data.email);
    if (!user) return { line, verdict: "new", errors, cells, data };
    if (user.deletedAt || !scope.has(user.officeId))
      return { line, verdict: "error", errors: [{ column: "Email", key: "import.error.emailTaken" }], cells, data: null };
    if (user.id === actor.userId && user.roles.includes("ADMIN") && !data.roles.includes("ADMIN"))
      return { line, verdict: "error", errors: [{ column: "Peran", key: "error.ownAdminRole" }], cells, data: null };
    const changes: string[] = [];
    if (user.name !== data.name) changes.push("Nama");
    if ((user.nip ?? null) !== data.nip) changes.push("NIP");
    if ((user.whatsapp ?? null) !== data.whatsapp) changes.push("HP");
    if (user.officeId !== data.officeId) changes.push("Kode Kantor");
    if ([...user.roles].sort().join() !== [...data.roles].sort().join()) changes.push("Peran");
    return { line, verdict: changes.length ? "update" : "unchanged", errors, cells, data, changes };
  });
  const counts = { new: 0, update: 0, unchanged: 0, error: 0 };
  for (const r of rows) counts[r.verdict]++;
  return { rows, counts };
}

export function previewStaff(db: Db, actor: { userId: string; officeId: string }, table: Extract<ReadTable, { ok: true }>) {
  return judge(db, actor, table);
}

export interface StaffImportResult {
  created: { name: string; email: string; password: string }[];
  updated: number;
  unchanged: number;
}

/** All rows or none: any row in error (now, inside the transaction) refuses the whole file. */
export async function applyStaff(
  db: Db,
  actor: { userId: string; officeId: string; ip?: string | null },
  table: Extract<ReadTable, { ok: true }>,
  welcome?: WelcomeOptions,
): Promise<StaffImportResult> {
  const first = await judge(db, actor, table);
  if (first.counts.error > 0) throw new DomainError("VALIDATION", "import.error.rowsInError", { n: first.counts.error });
  // Hashing is slow on purpose: done before the transaction, for the accounts the preview found new.
  const passwords = new Map<string, { password: string; hash: string }>();
  for (const r of first.rows)
    if (r.verdict === "new" && r.data) {
      const password = temporaryPassword();
      passwords.set(r.data.email, { password, hash: await hashPassword(password) });
    }
  return db.$transaction(
    async (tx) => {
      const { rows, counts } = await judge(tx, actor, table);
      if (counts.error > 0) throw new DomainError("VALIDATION", "import.error.rowsInError", { n: counts.error });
      const created: StaffImportResult["created"] = [];
      for (const r of rows) {
        const d = r.data!;
        const fields = { name: d.name, nip: d.nip, whatsapp: d.whatsapp, officeId: d.officeId, roles: d.roles };
        if (r.verdict === "new") {
          const pw = passwords.get(d.email);
          if (!pw) throw new DomainError("CONFLICT", "import.error.changedMeanwhile");
          const user = await tx.user.create({ data: { ...fields, email: d.email, passwordHash: pw.hash, mustChangePassword: true } });
          if (welcome?.send) await tx.outbox.create({ data: await welcomeIntent(tx, user.id, welcome.telegramBot) });
          created.push({ name: d.name, email: d.email, password: pw.password });
        } else if (r.verdict === "update") await tx.user.update({ where: { email: d.email }, data: fields });
      }
      await writeAudit(tx, {
        actorUserId: actor.userId,
        action: "user.import",
        entity: "User",
        ip: actor.ip ?? null,
        changes: { created: created.map((c) => c.email), updated: counts.update, unchanged: counts.unchanged },
      });
      return { created, updated: counts.update, unchanged: counts.unchanged };
    },
    { timeout: 60_000 },
  );
}

/** The staff in the actor's scope, as a table that imports back unchanged. */
export async function exportStaff(db: Db, actor: { officeId: string }) {
  const ids = await visibleOfficeIds(db, actor);
  const users = await db.user.findMany({
    where: { officeId: { in: ids }, deletedAt: null },
    include: { office: { select: { code: true } } },
    orderBy: [{ name: "asc" }, { email: "asc" }],
  });
  const header = STAFF_COLUMNS.map((c) => c.header);
  const rows = users.map((u) => [u.name, u.nip ?? "", u.email, u.whatsapp ?? "", u.office.code, u.roles.join(", ")]);
  return { header, rows };
}

export const staffImportSchema = z.object({ id: z.string().regex(/^[\w-]{10,64}$/) });
