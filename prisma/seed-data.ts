// Demo data: BPS RI, BPS Provinsi Riau and its 12 district/city offices, agencies at every
// level, staff in every role, modules, and requests in every status with their history.
// Credentials are for the demo only and are printed by `npm run demo`.

import type { StaffActor } from "../core/access/index.js";
import { hashPassword } from "../core/auth/password.js";
import { config } from "../core/config.js";
import type { Db } from "../core/db/client.js";
import type { AgencyLevel, Mode, RequestStatus, Role, ServiceType, Topic } from "../core/db/generated/enums.js";
import { cancelByRequester, changeStatus, submitRequest } from "../core/requests/service.js";
import { LocalDiskStorage, type Storage, storeAttachment } from "../core/storage/index.js";
import { seedProgramme } from "./seed-programme.js";

export const DEMO_PASSWORD = "sibina-demo-2026";

export const OFFICES = [
  { code: "0000", name: "BPS RI", level: "NATIONAL", parent: null, city: "Jakarta Pusat", phone: "021-3841195" },
  { code: "1400", name: "BPS Provinsi Riau", level: "PROVINCE", parent: "0000", city: "Pekanbaru", phone: "0761-23042" },
  { code: "1401", name: "BPS Kabupaten Kuantan Singingi", level: "REGENCY", parent: "1400", city: "Teluk Kuantan", phone: "0760-561040" },
  { code: "1402", name: "BPS Kabupaten Indragiri Hulu", level: "REGENCY", parent: "1400", city: "Rengat", phone: "0769-21246" },
  { code: "1403", name: "BPS Kabupaten Indragiri Hilir", level: "REGENCY", parent: "1400", city: "Tembilahan", phone: "0768-21326" },
  { code: "1404", name: "BPS Kabupaten Pelalawan", level: "REGENCY", parent: "1400", city: "Pangkalan Kerinci", phone: "0761-494015" },
  { code: "1405", name: "BPS Kabupaten Siak", level: "REGENCY", parent: "1400", city: "Siak Sri Indrapura", phone: "0764-20104" },
  { code: "1406", name: "BPS Kabupaten Kampar", level: "REGENCY", parent: "1400", city: "Bangkinang", phone: "0762-20052" },
  { code: "1407", name: "BPS Kabupaten Rokan Hulu", level: "REGENCY", parent: "1400", city: "Pasir Pengaraian", phone: "0762-91041" },
  { code: "1408", name: "BPS Kabupaten Bengkalis", level: "REGENCY", parent: "1400", city: "Bengkalis", phone: "0766-21063" },
  { code: "1409", name: "BPS Kabupaten Rokan Hilir", level: "REGENCY", parent: "1400", city: "Bagan Siapiapi", phone: "0767-24025" },
  { code: "1410", name: "BPS Kabupaten Kepulauan Meranti", level: "REGENCY", parent: "1400", city: "Selatpanjang", phone: "0763-32035" },
  { code: "1471", name: "BPS Kota Pekanbaru", level: "REGENCY", parent: "1400", city: "Pekanbaru", phone: "0761-21530" },
  { code: "1473", name: "BPS Kota Dumai", level: "REGENCY", parent: "1400", city: "Dumai", phone: "0765-31950" },
] as const;

const AGENCIES: { name: string; level: AgencyLevel; region: string; office: string; producer?: boolean }[] = [
  { name: "Kementerian Pertanian", level: "CENTRAL", region: "Nasional", office: "0000" },
  { name: "Kementerian Kesehatan", level: "CENTRAL", region: "Nasional", office: "0000" },
  { name: "Badan Kepegawaian Negara", level: "CENTRAL", region: "Nasional", office: "0000" },
  { name: "Dinas Komunikasi, Informatika dan Statistik Provinsi Riau", level: "PROVINCE", region: "Riau", office: "1400" },
  { name: "Badan Perencanaan Pembangunan Daerah Provinsi Riau", level: "PROVINCE", region: "Riau", office: "1400" },
  { name: "Dinas Kesehatan Provinsi Riau", level: "PROVINCE", region: "Riau", office: "1400" },
  { name: "Dinas Pendidikan Provinsi Riau", level: "PROVINCE", region: "Riau", office: "1400" },
  { name: "Dinas Tanaman Pangan, Hortikultura dan Perkebunan Provinsi Riau", level: "PROVINCE", region: "Riau", office: "1400" },
  { name: "Dinas Komunikasi dan Informatika Kota Pekanbaru", level: "REGENCY", region: "Kota Pekanbaru", office: "1471" },
  { name: "Bappeda Kota Pekanbaru", level: "REGENCY", region: "Kota Pekanbaru", office: "1471" },
  { name: "Dinas Kesehatan Kota Dumai", level: "REGENCY", region: "Kota Dumai", office: "1473" },
  { name: "Diskominfo Kabupaten Siak", level: "REGENCY", region: "Kabupaten Siak", office: "1405" },
  { name: "Bappeda Kabupaten Kampar", level: "REGENCY", region: "Kabupaten Kampar", office: "1406" },
  { name: "Dinas Pertanian Kabupaten Bengkalis", level: "REGENCY", region: "Kabupaten Bengkalis", office: "1408" },
  { name: "Diskominfo Kabupaten Pelalawan", level: "REGENCY", region: "Kabupaten Pelalawan", office: "1404" },
  { name: "Dinas Perikanan Kabupaten Indragiri Hilir", level: "REGENCY", region: "Kabupaten Indragiri Hilir", office: "1403" },
  { name: "Diskominfo Kabupaten Rokan Hulu", level: "REGENCY", region: "Kabupaten Rokan Hulu", office: "1407" },
  { name: "Bappeda Kabupaten Kepulauan Meranti", level: "REGENCY", region: "Kabupaten Kepulauan Meranti", office: "1410" },
  { name: "Universitas Riau", level: "OTHER", region: "Riau", office: "1400", producer: false },
  { name: "Dinas Sosial Kabupaten Kuantan Singingi", level: "REGENCY", region: "Kabupaten Kuantan Singingi", office: "1401" },
];

export const DEMO_USERS: { email: string; name: string; roles: Role[]; office: string; nip: string; position: string; whatsapp: string }[] = [
  {
    email: "admin@sibina.test",
    name: "Rina Marlina",
    roles: ["ADMIN"],
    office: "1400",
    nip: "198203152006042001",
    position: "Pranata Komputer Ahli Muda",
    whatsapp: "+6281266001001",
  },
  {
    email: "operator@sibina.test",
    name: "Dedi Kurniawan",
    roles: ["OPERATOR"],
    office: "1400",
    nip: "199001102014031002",
    position: "Statistisi Ahli Pertama",
    whatsapp: "+6281266001002",
  },
  {
    email: "supervisor@sibina.test",
    name: "Hendra Gunawan",
    roles: ["SUPERVISOR"],
    office: "1400",
    nip: "197805202002121001",
    position: "Kepala Bagian Umum",
    whatsapp: "+6281266001003",
  },
  {
    email: "pembina1@sibina.test",
    name: "Fathir Maula S",
    roles: ["COACH"],
    office: "1400",
    nip: "199207142015031001",
    position: "Statistisi Ahli Muda",
    whatsapp: "+6281266001004",
  },
  {
    email: "pembina2@sibina.test",
    name: "Siti Nurhaliza",
    roles: ["COACH"],
    office: "1400",
    nip: "199405182017012002",
    position: "Statistisi Ahli Pertama",
    whatsapp: "+6281266001005",
  },
  {
    email: "pembina3@sibina.test",
    name: "Ahmad Fauzi",
    roles: ["COACH", "OPERATOR"],
    office: "1400",
    nip: "198811032010121001",
    position: "Pranata Komputer Ahli Muda",
    whatsapp: "+6281266001006",
  },
  {
    email: "supervisor.pekanbaru@sibina.test",
    name: "Yusuf Hidayat",
    roles: ["SUPERVISOR", "COACH"],
    office: "1471",
    nip: "198006252003121002",
    position: "Kepala BPS Kota Pekanbaru",
    whatsapp: "+6281266001007",
  },
  {
    email: "pembina.pekanbaru@sibina.test",
    name: "Dewi Lestari",
    roles: ["COACH"],
    office: "1471",
    nip: "199512122019032001",
    position: "Statistisi Ahli Pertama",
    whatsapp: "+6281266001008",
  },
  {
    email: "monev@sibina.test",
    name: "Putri Ramadhani",
    roles: ["COACH"],
    office: "1400",
    nip: "199302172016022001",
    position: "Statistisi Ahli Muda (Tim Monev)",
    whatsapp: "+6281266001010",
  },
  {
    email: "supervisor.ri@sibina.test",
    name: "Bambang Sutrisno",
    roles: ["SUPERVISOR"],
    office: "0000",
    nip: "197501012000031001",
    position: "Direktur Diseminasi Statistik",
    whatsapp: "+6281266001009",
  },
];

const MODULES: { title: string; category: string; topic: Topic }[] = [
  { title: "Pengenalan Statistik Sektoral dan Satu Data Indonesia", category: "Materi Dasar", topic: "SATU_DATA" },
  { title: "Penyusunan Metadata Kegiatan Statistik (MS-Keg)", category: "Metadata", topic: "STATISTICAL_ACTIVITIES" },
  { title: "Rencana Aksi Penyelenggaraan Statistik Sektoral", category: "Perencanaan", topic: "ACTION_PLAN" },
  { title: "Penjaminan Kualitas Data Statistik Sektoral", category: "Kualitas", topic: "DATA_QUALITY" },
  { title: "Generic Statistical Business Process Model (GSBPM)", category: "Proses Bisnis", topic: "BUSINESS_PROCESS" },
  { title: "Evaluasi Penyelenggaraan Statistik Sektoral (EPSS)", category: "Evaluasi", topic: "INSTITUTIONS" },
];

/** A tiny, valid one-page PDF carrying a title (so downloads open in any viewer). */
export function tinyPdf(title: string): Buffer {
  const text = title
    .replace(/[()\\]/g, "")
    .replace(/[^\x20-\x7e]/g, "?")
    .slice(0, 90);
  const content = `BT /F1 14 Tf 40 780 Td (${text}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let pdf = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "latin1");
}

interface DemoRequest {
  agency: string;
  service: ServiceType;
  topics: Topic[];
  mode: Mode;
  status: RequestStatus;
  daysFromNow: number;
  description: string;
  location: string;
  requester: [string, string, string];
  coaches?: number[];
  reason?: string;
}

const REQUESTS: DemoRequest[] = [
  {
    agency: "Dinas Komunikasi, Informatika dan Statistik Provinsi Riau",
    service: "DIKLAT_BIMTEK",
    topics: ["SATU_DATA", "DATA_QUALITY"],
    mode: "OFFLINE",
    status: "SUBMITTED",
    daysFromNow: 21,
    description: "Bimbingan teknis penyusunan metadata statistik sektoral untuk 40 OPD se-Provinsi Riau.",
    location: "Aula Diskominfotik Provinsi Riau, Pekanbaru",
    requester: ["Siddik Pratama", "0812-3456-7890", "siddik@riau.go.id"],
  },
  {
    agency: "Bappeda Kota Pekanbaru",
    service: "FGD",
    topics: ["ACTION_PLAN"],
    mode: "HYBRID",
    status: "SUBMITTED",
    daysFromNow: 12,
    description: "FGD penyusunan rencana aksi statistik sektoral Kota Pekanbaru tahun 2027.",
    location: "Ruang Rapat Bappeda Kota Pekanbaru",
    requester: ["Nurul Aini", "0813-7100-2233", "nurul.aini@pekanbaru.go.id"],
  },
  {
    agency: "Dinas Kesehatan Provinsi Riau",
    service: "ASISTENSI",
    topics: ["STATISTICAL_ACTIVITIES"],
    mode: "ONLINE",
    status: "IN_REVIEW",
    daysFromNow: 9,
    description: "Asistensi identifikasi kegiatan statistik di lingkungan Dinas Kesehatan.",
    location: "Zoom Meeting",
    requester: ["dr. Maya Sari", "0811-7654-321", "maya.sari@dinkes.riau.go.id"],
  },
  {
    agency: "Badan Perencanaan Pembangunan Daerah Provinsi Riau",
    service: "WORKSHOP",
    topics: ["DATA_QUALITY", "BUSINESS_PROCESS"],
    mode: "OFFLINE",
    status: "APPROVED",
    daysFromNow: 5,
    description: "Workshop penjaminan kualitas data pembangunan daerah.",
    location: "Hotel Pangeran, Pekanbaru",
    requester: ["Rahmat Hidayat", "0852-6543-2100", "rahmat@bappeda.riau.go.id"],
    coaches: [3, 4],
  },
  {
    agency: "Dinas Pendidikan Provinsi Riau",
    service: "COACHING_CLINIC",
    topics: ["SATU_DATA"],
    mode: "ONLINE",
    status: "REJECTED",
    daysFromNow: 15,
    description: "Coaching clinic portal Satu Data pendidikan.",
    location: "Zoom Meeting",
    requester: ["Lina Marlina", "0812-6677-8899", "lina@disdik.riau.go.id"],
    reason: "Jadwal bertepatan dengan kegiatan Sensus Pertanian; silakan ajukan kembali bulan depan.",
  },
  {
    agency: "Dinas Tanaman Pangan, Hortikultura dan Perkebunan Provinsi Riau",
    service: "KONSULTANSI",
    topics: ["STATISTICAL_ACTIVITIES", "DATA_QUALITY"],
    mode: "OFFLINE",
    status: "DONE",
    daysFromNow: -20,
    description: "Konsultasi rancangan survei produksi perkebunan rakyat.",
    location: "Kantor BPS Provinsi Riau",
    requester: ["Budi Santoso", "0813-2222-3333", "budi@distanbun.riau.go.id"],
    coaches: [3],
  },
  {
    agency: "Universitas Riau",
    service: "SEMINAR_WEBINAR",
    topics: ["NATIONAL_SYSTEM"],
    mode: "ONLINE",
    status: "DONE",
    daysFromNow: -45,
    description: "Webinar sistem statistik nasional untuk mahasiswa dan dosen.",
    location: "Zoom Meeting",
    requester: ["Prof. Adi Putra", "0811-7500-1234", "adi.putra@unri.ac.id"],
    coaches: [4, 5],
  },
  {
    agency: "Dinas Komunikasi dan Informatika Kota Pekanbaru",
    service: "RAPAT_KOORDINASI",
    topics: ["SATU_DATA", "INSTITUTIONS"],
    mode: "OFFLINE",
    status: "IN_REVIEW",
    daysFromNow: 18,
    description: "Rapat koordinasi forum Satu Data Kota Pekanbaru.",
    location: "Kantor Walikota Pekanbaru, Tenayan Raya",
    requester: ["Andi Wijaya", "0853-6000-1111", "andi@pekanbaru.go.id"],
  },
  {
    agency: "Kementerian Pertanian",
    service: "KNOWLEDGE_SHARING",
    topics: ["BUSINESS_PROCESS"],
    mode: "HYBRID",
    status: "SUBMITTED",
    daysFromNow: 30,
    description: "Berbagi pengetahuan penerapan GSBPM pada statistik pertanian.",
    location: "Gedung A Kementan, Jakarta",
    requester: ["Sri Wahyuni", "0812-9000-4455", "sri.wahyuni@pertanian.go.id"],
  },
  {
    agency: "Diskominfo Kabupaten Siak",
    service: "DIKLAT_BIMTEK",
    topics: ["STATISTICAL_ACTIVITIES"],
    mode: "OFFLINE",
    status: "CANCELLED",
    daysFromNow: 25,
    description: "Bimtek pengisian metadata kegiatan statistik.",
    location: "Siak Sri Indrapura",
    requester: ["Fitri Handayani", "0813-6500-7788", "fitri@siakkab.go.id"],
  },
];

const DAY_MS = 24 * 3600_000;

/**
 * The services stamp everything "now"; the demo reads better when a request's history spans the days
 * before it (and a finished coaching closes after its session). Rewrites only timestamps.
 */
async function spreadHistory(db: Db, requestId: string, createdAt: Date, startAt: Date, now: Date) {
  const trail = await db.statusChange.findMany({ where: { requestId }, orderBy: { createdAt: "asc" } });
  const end = Math.min(startAt < now ? startAt.getTime() + DAY_MS : now.getTime() - 3600_000, now.getTime());
  const step = trail.length > 1 ? (end - createdAt.getTime()) / (trail.length - 1) : 0;
  let last = createdAt;
  for (const [k, row] of trail.entries()) {
    last = new Date(createdAt.getTime() + Math.round(k * step));
    await db.statusChange.update({ where: { id: row.id }, data: { createdAt: last } });
  }
  await db.coachingRequest.update({ where: { id: requestId }, data: { createdAt, updatedAt: last } });
}

/** Loads the demo data into an empty database. Returns seeded: false when data already exists. */
export async function seedDemo(db: Db, storage: Storage = new LocalDiskStorage(config().STORAGE_DIR), now = new Date()): Promise<{ seeded: boolean }> {
  if ((await db.office.count()) > 0) return { seeded: false };

  const officeIds = new Map<string, string>();
  for (const o of OFFICES) {
    const office = await db.office.create({
      data: {
        code: o.code,
        name: o.name,
        level: o.level,
        parentId: o.parent ? officeIds.get(o.parent)! : null,
        timeZone: "WIB",
        address: `${o.city}`,
        phone: o.phone,
        email: `bps${o.code}@bps.go.id`,
        whatsapp: o.code === "1400" ? "+6281170014000" : null,
        website: `https://${o.code === "0000" ? "www" : o.code}.bps.go.id`,
      },
    });
    officeIds.set(o.code, office.id);
  }

  const agencyIds = new Map<string, string>();
  for (const a of AGENCIES) {
    const agency = await db.agency.create({
      data: {
        name: a.name,
        level: a.level,
        region: a.region,
        isDataProducer: a.producer ?? true,
        officeId: officeIds.get(a.office)!,
        walidataUnit: a.level === "OTHER" ? null : "Bidang Statistik",
        epssContactName: "Narahubung EPSS",
        walidataContactName: "Narahubung Walidata",
      },
    });
    agencyIds.set(a.name, agency.id);
  }

  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const users: Awaited<ReturnType<typeof db.user.create>>[] = [];
  for (const u of DEMO_USERS) {
    users.push(
      await db.user.create({
        data: {
          email: u.email,
          name: u.name,
          roles: u.roles,
          officeId: officeIds.get(u.office)!,
          nip: u.nip,
          position: u.position,
          whatsapp: u.whatsapp,
          passwordHash,
        },
      }),
    );
  }
  const operator = users[1]!;
  for (const m of MODULES) {
    const stored = await storeAttachment(db, storage, {
      bytes: tinyPdf(m.title),
      fileName: `${m.title}.pdf`,
      maxBytes: 10 * 1024 * 1024,
      uploadedById: operator.id,
    });
    if (!stored.ok) throw new Error(`seed module file refused: ${stored.reason}`);
    await db.module.create({
      data: {
        title: m.title,
        category: m.category,
        topic: m.topic,
        fileType: "PDF",
        attachmentId: stored.attachment.id,
        uploadedById: operator.id,
        officeId: operator.officeId,
        description: `Modul pembinaan: ${m.title}.`,
      },
    });
  }

  const supervisor = users[2]!;
  const actor: StaffActor = { userId: supervisor.id, roles: supervisor.roles, officeId: supervisor.officeId };
  const riauId = officeIds.get("1400")!;
  for (const [index, r] of REQUESTS.entries()) {
    const agencyId = agencyIds.get(r.agency)!;
    const agency = AGENCIES.find((a) => a.name === r.agency)!;
    const startAt = new Date(now.getTime() + r.daysFromNow * 24 * 3600_000);
    startAt.setUTCHours(2, 0, 0, 0); // 09:00 WIB
    const { request } = await submitRequest(
      db,
      {
        requesterName: r.requester[0],
        requesterPhone: r.requester[1],
        requesterEmail: r.requester[2],
        agencyId,
        agencyName: r.agency,
        agencyLevel: agency.level,
        isDataProducer: agency.producer ?? true,
        serviceType: r.service,
        topics: r.topics,
        description: r.description,
        location: r.location,
        mode: r.mode,
        startAt,
        endAt: new Date(startAt.getTime() + 3 * 3600_000),
        picName: r.requester[0],
        picPhone: r.requester[1],
      },
      { channel: "web", defaultOfficeId: riauId, now: new Date(startAt.getTime() - 14 * 24 * 3600_000) },
    );
    // Seeded history is driven by a supervisor of the office that received the request.
    const handler = users.find((u) => u.roles.includes("SUPERVISOR") && u.officeId === request.officeId);
    const who: StaffActor = handler ? { userId: handler.id, roles: handler.roles, officeId: handler.officeId } : actor;
    const path: RequestStatus[] = {
      SUBMITTED: [],
      IN_REVIEW: ["IN_REVIEW"],
      APPROVED: ["IN_REVIEW", "APPROVED"],
      REJECTED: ["IN_REVIEW", "REJECTED"],
      DONE: ["IN_REVIEW", "APPROVED", "DONE"],
      CANCELLED: [],
    }[r.status] as RequestStatus[];
    for (const to of path) {
      await changeStatus(db, who, { requestId: request.id, to, coachIds: (r.coaches ?? []).map((i) => users[i]!.id), reason: r.reason, now });
    }
    if (r.status === "CANCELLED") await cancelByRequester(db, { phones: [request.requesterPhone] }, request.id);
    await spreadHistory(
      db,
      request.id,
      r.daysFromNow > 0 ? new Date(now.getTime() - ((index % 6) + 1) * DAY_MS) : new Date(startAt.getTime() - 14 * DAY_MS),
      startAt,
      now,
    );
  }
  const done = await db.coachingRequest.findFirst({ where: { status: "DONE" }, orderBy: { startAt: "desc" } });
  if (done)
    await db.testimonial.create({
      data: {
        requestId: done.id,
        rating: 5,
        text: "Materi sangat membantu, pembina responsif. Terima kasih BPS Provinsi Riau!",
        authorName: done.requesterName,
      },
    });
  await db.workPlan.create({
    data: {
      agencyId: agencyIds.get("Dinas Komunikasi, Informatika dan Statistik Provinsi Riau")!,
      officeId: riauId,
      year: now.getUTCFullYear() + 1,
      activity: "Fullday meeting pembinaan statistik sektoral",
      plannedDate: new Date(Date.UTC(now.getUTCFullYear() + 1, 2, 10)),
      mechanism: "OFFLINE",
      organiser: "BPS",
      fullday: true,
      expectedOutput: "Rencana aksi statistik sektoral tersusun",
    },
  });
  await seedProgramme(db, now, async (title) => {
    const stored = await storeAttachment(db, storage, {
      bytes: tinyPdf(title),
      fileName: `${title}.pdf`,
      maxBytes: 10 * 1024 * 1024,
      uploadedById: supervisor.id,
    });
    if (!stored.ok) throw new Error(`seed decree file refused: ${stored.reason}`);
    return stored.attachment.id;
  });
  // History is demo material: its notices are not delivered to anyone.
  await db.outbox.updateMany({ data: { status: "CANCELLED", lastError: "demo seed" } });
  return { seeded: true };
}
