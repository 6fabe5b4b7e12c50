// Reference lists from the BPS coaching guideline (seed 002) and the SPEKTRAL guide (seed 000).
// Codes match the Prisma enums; labels are shown to people.
import type { AgencyLevel, DocumentationKind, Mode, Organiser, RequestStatus, Role, ServiceType, TimeZone, Topic } from "../db/generated/enums.js";

export type Locale = "id" | "en";
export interface Labelled<C extends string> {
  code: C;
  id: string;
  en: string;
}

const list = <C extends string>(items: Labelled<C>[]) => items;

/** The 12 forms of coaching ("bentuk pembinaan"). */
export const SERVICE_TYPES = list<ServiceType>([
  { code: "DIKLAT_BIMTEK", id: "Diklat/Bimtek", en: "Training / technical guidance" },
  { code: "SEMINAR_WEBINAR", id: "Seminar/Webinar", en: "Seminar / webinar" },
  { code: "ASISTENSI", id: "Asistensi", en: "Assistance" },
  { code: "FGD", id: "FGD", en: "Focus group discussion" },
  { code: "RAPAT_KOORDINASI", id: "Rapat Koordinasi", en: "Coordination meeting" },
  { code: "WORKSHOP", id: "Workshop", en: "Workshop" },
  { code: "COACHING_CLINIC", id: "Coaching Clinic", en: "Coaching clinic" },
  { code: "PAMERAN", id: "Pameran", en: "Exhibition" },
  { code: "KONSOLIDASI", id: "Konsolidasi", en: "Consolidation" },
  { code: "AUDIENSI", id: "Audiensi", en: "Audience" },
  { code: "KONSULTANSI", id: "Konsultansi", en: "Consultation" },
  { code: "KNOWLEDGE_SHARING", id: "Knowledge Sharing", en: "Knowledge sharing" },
]);

/** The 7 coaching topics. */
export const TOPICS = list<Topic>([
  { code: "STATISTICAL_ACTIVITIES", id: "Identifikasi Kegiatan Statistik", en: "Identifying statistical activities" },
  { code: "ACTION_PLAN", id: "Rencana Aksi Penyelenggaraan Statistik Sektoral", en: "Sectoral statistics action plan" },
  { code: "SATU_DATA", id: "Satu Data Indonesia", en: "One Data Indonesia" },
  { code: "NATIONAL_SYSTEM", id: "Sistem Statistik Nasional", en: "National statistical system" },
  { code: "DATA_QUALITY", id: "Kualitas Data", en: "Data quality" },
  { code: "BUSINESS_PROCESS", id: "Proses Bisnis Statistik", en: "Statistical business process" },
  { code: "INSTITUTIONS", id: "Kelembagaan", en: "Institutions" },
]);

/** Kinds of documentation a coach reports after a coaching. */
export const DOCUMENTATION_KINDS = list<DocumentationKind>([
  { code: "ATTENDANCE", id: "Daftar Hadir", en: "Attendance list" },
  { code: "PHOTO", id: "Foto", en: "Photos" },
  { code: "MINUTES", id: "Notulensi", en: "Minutes" },
  { code: "VIDEO", id: "Video", en: "Video" },
  { code: "PRESENTATION", id: "Bahan Paparan", en: "Presentation material" },
  { code: "REPORT", id: "Laporan", en: "Report" },
  { code: "OTHER", id: "Lainnya", en: "Other" },
]);

/** Kinds every coaching must report (SPEKTRAL: attendance, photos, minutes). */
export const REQUIRED_DOCUMENTATION: readonly DocumentationKind[] = ["ATTENDANCE", "PHOTO", "MINUTES"];

export const AGENCY_LEVELS = list<AgencyLevel>([
  { code: "CENTRAL", id: "Kementerian/Lembaga (Pusat)", en: "Central ministry/agency" },
  { code: "PROVINCE", id: "Pemerintah Provinsi", en: "Provincial government" },
  { code: "REGENCY", id: "Pemerintah Kabupaten/Kota", en: "District/city government" },
  { code: "OTHER", id: "Lainnya", en: "Other" },
]);

export const MODES = list<Mode>([
  { code: "ONLINE", id: "Daring (online)", en: "Online" },
  { code: "OFFLINE", id: "Luring (tatap muka)", en: "Offline (in person)" },
  { code: "HYBRID", id: "Hybrid", en: "Hybrid" },
]);

export const ORGANISERS = list<Organiser>([
  { code: "BPS", id: "BPS", en: "BPS" },
  { code: "NON_BPS", id: "Non-BPS", en: "Non-BPS" },
]);

export const STATUSES = list<RequestStatus>([
  { code: "SUBMITTED", id: "Menunggu Diproses", en: "Waiting to be processed" },
  { code: "IN_REVIEW", id: "Dalam Proses", en: "In process" },
  { code: "APPROVED", id: "Disetujui", en: "Approved" },
  { code: "REJECTED", id: "Ditolak", en: "Rejected" },
  { code: "DONE", id: "Selesai", en: "Done" },
  { code: "CANCELLED", id: "Dibatalkan", en: "Cancelled" },
]);

export const ROLES = list<Role>([
  { code: "ADMIN", id: "Admin", en: "Admin" },
  { code: "OPERATOR", id: "Operator", en: "Operator" },
  { code: "SUPERVISOR", id: "Supervisor", en: "Supervisor" },
  { code: "COACH", id: "Pembina", en: "Coach" },
]);

/** Indonesia's three time zones; none observes daylight saving. */
export const TIME_ZONES: Record<TimeZone, { offsetMinutes: number; iana: string }> = {
  WIB: { offsetMinutes: 7 * 60, iana: "Asia/Jakarta" },
  WITA: { offsetMinutes: 8 * 60, iana: "Asia/Makassar" },
  WIT: { offsetMinutes: 9 * 60, iana: "Asia/Jayapura" },
};

export function labelOf<C extends string>(items: readonly Labelled<C>[], code: C, locale: Locale): string {
  const item = items.find((i) => i.code === code);
  return item ? item[locale] : code;
}

export const codesOf = <C extends string>(items: readonly Labelled<C>[]) => items.map((i) => i.code) as [C, ...C[]];
