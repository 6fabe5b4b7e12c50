// Reference lists of the coaching programme (seed 002). Codes match the Prisma enums.
import type { CollectionMethod, DataUse, DecreeType, ReportKind, TeamRole } from "../db/generated/enums.js";
import type { Labelled, Locale } from "../reference/index.js";

const list = <C extends string>(items: Labelled<C>[]) => items;

export const TEAM_ROLES = list<TeamRole>([
  { code: "KETUA_PELAKSANA", id: "Ketua Pelaksana", en: "Team lead" },
  { code: "KOORDINATOR", id: "Koordinator", en: "Coordinator" },
  { code: "ANGGOTA", id: "Anggota", en: "Member" },
  { code: "TIM_MONEV", id: "Tim Monev", en: "Monitoring & evaluation team" },
]);

export const DECREE_TYPES = list<DecreeType>([
  { code: "SURAT_KEPUTUSAN", id: "Surat Keputusan", en: "Decree (Surat Keputusan)" },
  { code: "SURAT_TUGAS", id: "Surat Tugas", en: "Assignment letter (Surat Tugas)" },
]);

/** Cara Pengumpulan Data, numbered 1-4 as in the guideline's inventory table. */
export const COLLECTION_METHODS = list<CollectionMethod>([
  { code: "CENSUS", id: "Pendataan Lengkap/Sensus", en: "Complete enumeration / census" },
  { code: "SURVEY", id: "Survei", en: "Survey" },
  { code: "ADMINISTRATIVE", id: "Kompilasi Produk Administrasi", en: "Compilation of administrative records" },
  { code: "OTHER", id: "Cara lain sesuai perkembangan TI", en: "Other (as IT develops)" },
]);

/** Pemanfaatan Data, numbered 1-3. */
export const DATA_USES = list<DataUse>([
  { code: "INTERNAL", id: "Khusus Internal Instansi", en: "Internal to the agency" },
  { code: "LIMITED", id: "Terbatas", en: "Limited" },
  { code: "OPEN", id: "Terbuka (untuk Publik)", en: "Open (public)" },
]);

/** Jenis Dokumentasi, numbered 1-5. */
export const REPORT_KINDS = list<ReportKind>([
  { code: "TEAM_DECREE", id: "Dokumen Penetapan Tim Pembina", en: "Team appointment document" },
  { code: "CONTACTS", id: "Informasi Narahubung K/L", en: "Agency contact information" },
  { code: "EPSS_CANDIDATES", id: "Kandidat Judul Kegiatan Statistik untuk EPSS", en: "EPSS candidate activities" },
  { code: "WORK_PLAN", id: "Rencana Kerja Pembinaan", en: "Coaching work plan" },
  { code: "ACTIVITIES", id: "Aktivitas Pembinaan Statistik", en: "Coaching activities" },
]);

export const numberOf = <C extends string>(items: readonly Labelled<C>[], code: C) => items.findIndex((i) => i.code === code) + 1;
export const codeAt = <C extends string>(items: readonly Labelled<C>[], n: number): C | undefined => items[n - 1]?.code;
export const labelIn = <C extends string>(items: readonly Labelled<C>[], code: C | null | undefined, locale: Locale) =>
  code ? (items.find((i) => i.code === code)?.[locale] ?? code) : "";
export const codesIn = <C extends string>(items: readonly Labelled<C>[]) => items.map((i) => i.code) as [C, ...C[]];
