// Import agencies (instansi) from CSV or XLSX: name, level, region, office code, and the 16
// contact fields of seed 002 when their columns are present (an absent column leaves that field
// alone). Same rules as the staff import: a preview per row, all rows or none, idempotent; an
// export imports back unchanged.

import { visibleOfficeIds } from "../access/index.js";
import { writeAudit } from "../audit/service.js";
import type { Db, Tx } from "../db/client.js";
import type { AgencyLevel } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { AGENCY_LEVELS } from "../reference/index.js";
import { emailSchema, phoneSchema } from "../validation/identity.js";
import { LIMITS, lineText } from "../validation/text.js";
import { type CellError, type Column, issueKey, matchHeader, type RowVerdict } from "./columns.js";
import type { ReadTable } from "./table.js";

/** The 16 contact fields of seed 002 (Informasi Narahubung), in its order, with its headers. */
export const CONTACT_FIELDS = [
  ["leaderName", "Nama Pimpinan K/L/Pemda", "text"],
  ["leaderPosition", "Jabatan Pimpinan K/L/Pemda", "text"],
  ["email", "E-mail K/L/Pemda", "email"],
  ["walidataUnit", "Unit Kerja Walidata", "text"],
  ["walidataUnitEmail", "E-mail Unit Kerja Walidata", "email"],
  ["walidataHeadName", "Nama Kepala Walidata", "text"],
  ["walidataHeadPosition", "Jabatan Kepala Walidata", "text"],
  ["walidataHeadEmail", "E-mail Kepala Walidata", "email"],
  ["epssContactName", "Nama Narahubung EPSS", "text"],
  ["epssContactPosition", "Jabatan Narahubung EPSS", "text"],
  ["epssContactEmail", "E-mail Narahubung EPSS", "email"],
  ["epssContactWhatsapp", "Nomor Whatsapp Narahubung EPSS", "phone"],
  ["walidataContactName", "Nama Narahubung Walidata", "text"],
  ["walidataContactPosition", "Jabatan Narahubung Walidata", "text"],
  ["walidataContactEmail", "E-mail Narahubung Walidata", "email"],
  ["walidataContactWhatsapp", "Nomor Whatsapp Narahubung Walidata", "phone"],
] as const;
type ContactKey = (typeof CONTACT_FIELDS)[number][0];
type Key = "name" | "level" | "region" | "office" | ContactKey;

export const AGENCY_COLUMNS: readonly Column<Key>[] = [
  { key: "name", header: "Nama Instansi", aliases: ["Nama", "Instansi", "Agency"], required: true },
  { key: "level", header: "Tingkat", aliases: ["Level"], required: true },
  { key: "region", header: "Wilayah", aliases: ["Region"], required: false },
  { key: "office", header: "Kode Kantor", aliases: ["Kantor", "Office", "Office Code"], required: false },
  ...CONTACT_FIELDS.map(([key, header]) => ({ key, header, required: false })),
];

const LEVEL_WORDS = new Map<string, AgencyLevel>(
  AGENCY_LEVELS.flatMap((l) => [l.code, l.id, l.en].map((w) => [w.toLowerCase(), l.code] as [string, AgencyLevel])),
);

export interface AgencyRow {
  name: string;
  level: AgencyLevel;
  region: string | null;
  officeId: string | null;
  contacts: Partial<Record<ContactKey, string | null>>;
}

export interface AgencyPreview {
  rows: RowVerdict<AgencyRow>[];
  counts: { new: number; update: number; unchanged: number; error: number };
}

async function judge(db: Db | Tx, actor: { officeId: string }, table: Extract<ReadTable, { ok: true }>): Promise<AgencyPreview> {
  const header = matchHeader(AGENCY_COLUMNS, table.header);
  if (!header.ok) throw new DomainError("VALIDATION", `import.header.${header.problem}`, { column: header.column });
  const has = (k: Key) => header.index[k] !== undefined;
  const at = (row: string[], k: Key) => (has(k) ? (row[header.index[k]!] ?? "") : "");
  const scope = new Set(await visibleOfficeIds(db, actor));
  const offices = new Map((await db.office.findMany({ select: { id: true, code: true } })).map((o) => [o.code, o.id]));
  const existing = new Map((await db.agency.findMany()).map((a) => [`${a.level}|${a.name.toLowerCase()}`, a]));
  const seen = new Map<string, number>();
  const rows: RowVerdict<AgencyRow>[] = table.rows.map((r, i) => {
    const line = i + 2;
    const errors: CellError[] = [];
    const name = lineText(3, LIMITS.agency).safeParse(at(r, "name"));
    if (!name.success) errors.push({ column: "Nama Instansi", key: issueKey(name.error) });
    const level = LEVEL_WORDS.get(at(r, "level").toLowerCase());
    if (!level) errors.push({ column: "Tingkat", key: "import.error.level", params: { value: at(r, "level") } });
    const regionText = at(r, "region");
    const region = regionText ? lineText(2, 150).safeParse(regionText) : null;
    if (region && !region.success) errors.push({ column: "Wilayah", key: issueKey(region.error) });
    const code = at(r, "office");
    const officeId = code ? offices.get(code) : null;
    if (code && !officeId) errors.push({ column: "Kode Kantor", key: "import.error.unknownOffice", params: { code } });
    else if (officeId && !scope.has(officeId)) errors.push({ column: "Kode Kantor", key: "import.error.officeOutOfScope", params: { code } });
    const contacts: AgencyRow["contacts"] = {};
    for (const [key, headerText, kind] of CONTACT_FIELDS) {
      if (!has(key)) continue;
      const v = at(r, key);
      if (!v) {
        contacts[key] = null;
        continue;
      }
      const parsed = (kind === "email" ? emailSchema : kind === "phone" ? phoneSchema : lineText(2, 200)).safeParse(v);
      if (parsed.success) contacts[key] = parsed.data;
      else errors.push({ column: headerText, key: issueKey(parsed.error) });
    }
    if (name.success && level) {
      const k = `${level}|${name.data.toLowerCase()}`;
      if (seen.has(k)) errors.push({ column: "Nama Instansi", key: "import.error.duplicateAgency", params: { line: seen.get(k)! } });
      else seen.set(k, line);
    }
    const cells = AGENCY_COLUMNS.filter((c) => has(c.key)).map((c) => at(r, c.key));
    if (errors.length > 0 || !name.success || !level) return { line, verdict: "error", errors, cells, data: null };
    const data: AgencyRow = { name: name.data, level, region: region?.success ? region.data : null, officeId: officeId ?? null, contacts };
    const before = existing.get(`${level}|${name.data.toLowerCase()}`);
    if (!before) return { line, verdict: "new", errors, cells, data };
    const changes: string[] = [];
    if (before.name !== data.name) changes.push("Nama Instansi");
    if (has("region") && (before.region ?? null) !== data.region) changes.push("Wilayah");
    if (has("office") && (before.officeId ?? null) !== data.officeId) changes.push("Kode Kantor");
    for (const [key, headerText] of CONTACT_FIELDS) if (key in contacts && (before[key] ?? null) !== contacts[key]) changes.push(headerText);
    return { line, verdict: changes.length ? "update" : "unchanged", errors, cells, data, changes };
  });
  const counts = { new: 0, update: 0, unchanged: 0, error: 0 };
  for (const r of rows) counts[r.verdict]++;
  // Only the columns the file has are shown in the preview.
  return { rows, counts };
}

export const agencyPreviewColumns = (table: Extract<ReadTable, { ok: true }>) => {
  const header = matchHeader(AGENCY_COLUMNS, table.header);
  return header.ok ? AGENCY_COLUMNS.filter((c) => header.index[c.key] !== undefined).map((c) => c.header) : [];
};

export const previewAgencies = (db: Db, actor: { officeId: string }, table: Extract<ReadTable, { ok: true }>) => judge(db, actor, table);

export async function applyAgencies(db: Db, actor: { userId: string; officeId: string; ip?: string | null }, table: Extract<ReadTable, { ok: true }>) {
  return db.$transaction(
    async (tx) => {
      const { rows, counts } = await judge(tx, actor, table);
      if (counts.error > 0) throw new DomainError("VALIDATION", "import.error.rowsInError", { n: counts.error });
      const header = matchHeader(AGENCY_COLUMNS, table.header);
      const has = (k: Key) => header.ok && header.index[k] !== undefined;
      const news = rows.filter((r) => r.verdict === "new").map((r) => r.data!);
      await tx.agency.createMany({
        data: news.map((d) => ({ name: d.name, level: d.level, region: d.region, officeId: d.officeId, ...d.contacts })),
      });
      for (const r of rows)
        if (r.verdict === "update") {
          const d = r.data!;
          await tx.agency.update({
            where: { name_level: { name: d.name, level: d.level } },
            data: { ...(has("region") ? { region: d.region } : {}), ...(has("office") ? { officeId: d.officeId } : {}), ...d.contacts },
          });
        }
      await writeAudit(tx, {
        actorUserId: actor.userId,
        action: "agency.import",
        entity: "Agency",
        ip: actor.ip ?? null,
        changes: { created: counts.new, updated: counts.update, unchanged: counts.unchanged },
      });
      return { created: counts.new, updated: counts.update, unchanged: counts.unchanged };
    },
    { timeout: 60_000 },
  );
}

/** Agencies of the actor's offices (and those without an office), as a table that imports back unchanged. */
export async function exportAgencies(db: Db, actor: { officeId: string }) {
  const ids = await visibleOfficeIds(db, actor);
  const agencies = await db.agency.findMany({
    where: { OR: [{ officeId: { in: ids } }, { officeId: null }] },
    include: { office: { select: { code: true } } },
    orderBy: [{ level: "asc" }, { name: "asc" }],
  });
  const header = AGENCY_COLUMNS.map((c) => c.header);
  const rows = agencies.map((a) => [a.name, a.level, a.region ?? "", a.office?.code ?? "", ...CONTACT_FIELDS.map(([k]) => a[k] ?? "")]);
  return { header, rows };
}
