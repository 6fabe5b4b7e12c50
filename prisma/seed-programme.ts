// Demo data of the coaching programme (seed 002) for the current year: BPS Provinsi Riau and two
// kab/kota offices (Pekanbaru, Dumai) with their teams, loci with contact records, inventories,
// EPSS candidates and work plans, coachings documented on time, late or not at all, capacity
// building and IPS scores, so every programme page and the semester report show something real.
import type { Db } from "../core/db/client.js";
import type { Mode, TeamRole } from "../core/db/generated/enums.js";
import { updateContact } from "../core/programme/loci.js";
import { createBpsCoaching } from "../core/programme/plans.js";
import { toLocal } from "../core/validation/datetime.js";

const DAY_MS = 24 * 3600_000;
const date = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));
/** 09:00 WIB on a day. */
const morning = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d, 2));

const PLAN: { activity: string; month: number; day: number; mode: Mode; fullday?: boolean; organiser?: "BPS" | "NON_BPS"; output: string }[] = [
  { activity: "Koordinasi dan pembaruan informasi narahubung", month: 1, day: 22, mode: "ONLINE", output: "Informasi narahubung terbarui" },
  { activity: "Identifikasi seluruh kegiatan statistik", month: 2, day: 18, mode: "OFFLINE", output: "Daftar kegiatan statistik lokus" },
  { activity: "Fullday meeting pembinaan statistik sektoral", month: 3, day: 12, mode: "OFFLINE", fullday: true, output: "Rencana aksi statistik sektoral" },
  { activity: "Penentuan kandidat kegiatan EPSS", month: 4, day: 16, mode: "HYBRID", output: "Kandidat kegiatan EPSS disepakati" },
  { activity: "Pendampingan metadata kegiatan (MS-Keg)", month: 6, day: 10, mode: "ONLINE", organiser: "NON_BPS", output: "Metadata kegiatan terisi" },
  { activity: "Pendampingan kualitas data dan proses bisnis", month: 8, day: 20, mode: "OFFLINE", output: "Catatan perbaikan kualitas data" },
  {
    activity: "Fullday meeting evaluasi pembinaan statistik sektoral",
    month: 11,
    day: 18,
    mode: "OFFLINE",
    fullday: true,
    output: "Evaluasi pembinaan dan tindak lanjut",
  },
];

/** Stores a demo PDF and returns its attachment id (given by seedDemo, which owns the storage). */
export type DemoFile = (title: string) => Promise<string>;

export async function seedProgramme(db: Db, now: Date, file: DemoFile) {
  const year = toLocal(now, "WIB").year;
  const office = async (code: string) => db.office.findUniqueOrThrow({ where: { code } });
  const riau = await office("1400");
  const pekanbaru = await office("1471");
  const dumai = await office("1473");
  const user = (email: string) => db.user.findUniqueOrThrow({ where: { email } });
  const admin = await user("admin@sibina.test");
  const supervisor = await user("supervisor@sibina.test");
  const supPku = await user("supervisor.pekanbaru@sibina.test");
  const actor = { userId: supervisor.id, roles: supervisor.roles, officeId: supervisor.officeId };
  const agency = (name: string) => db.agency.findFirstOrThrow({ where: { name } });

  const deadlines = [
    ["TEAM_DECREE", date(year, 1, 31)],
    ["CONTACTS", date(year, 2, 28)],
    ["EPSS_CANDIDATES", date(year, 3, 31)],
    ["WORK_PLAN", date(year, 2, 15)],
  ] as const;
  for (const [kind, dueDate] of deadlines) await db.reportingDeadline.create({ data: { year, kind, dueDate } });
  await db.reportingDeadline.create({ data: { year, kind: "ACTIVITIES", daysAfter: 7 } });
  for (const [o, count] of [
    [riau, 2],
    [pekanbaru, 1],
    [dumai, 1],
  ] as const)
    await db.fulldayAllocation.create({ data: { officeId: o.id, year, count } });

  const team = async (officeId: string, name: string, decreeAt: Date | null, members: [string, TeamRole][], loci: string[]) => {
    const t = await db.coachingTeam.create({
      data: {
        officeId,
        year,
        name,
        decreeType: decreeAt ? "SURAT_KEPUTUSAN" : null,
        decreeNumber: decreeAt ? `B-${officeId.slice(0, 3)}/SK/KP.650/${year}` : null,
        decreeAttachmentId: decreeAt && decreeAt < now ? await file(`Surat Keputusan ${name}`) : null,
        decreeUploadedAt: decreeAt && decreeAt < now ? decreeAt : null,
      },
    });
    for (const [email, role] of members) await db.teamMember.create({ data: { teamId: t.id, userId: (await user(email)).id, role } });
    for (const l of loci) await db.teamLocus.create({ data: { teamId: t.id, agencyId: (await agency(l)).id } });
    return t;
  };
  const riauLoci = [
    "Dinas Komunikasi, Informatika dan Statistik Provinsi Riau",
    "Badan Perencanaan Pembangunan Daerah Provinsi Riau",
    "Dinas Kesehatan Provinsi Riau",
    "Dinas Pendidikan Provinsi Riau",
    "Dinas Tanaman Pangan, Hortikultura dan Perkebunan Provinsi Riau",
  ];
  const pkuLoci = ["Dinas Komunikasi dan Informatika Kota Pekanbaru", "Bappeda Kota Pekanbaru"];
  await team(
    riau.id,
    `Tim Pembina Statistik Sektoral BPS Provinsi Riau ${year}`,
    morning(year, 1, 20),
    [
      ["pembina1@sibina.test", "KETUA_PELAKSANA"],
      ["pembina3@sibina.test", "KOORDINATOR"],
      ["pembina2@sibina.test", "ANGGOTA"],
      ["monev@sibina.test", "TIM_MONEV"],
    ],
    riauLoci,
  );
  await team(
    pekanbaru.id,
    `Tim Pembina Statistik Sektoral BPS Kota Pekanbaru ${year}`,
    morning(year, 2, 5),
    [
      ["supervisor.pekanbaru@sibina.test", "KETUA_PELAKSANA"],
      ["pembina.pekanbaru@sibina.test", "ANGGOTA"],
    ],
    pkuLoci,
  );
  await team(dumai.id, `Tim Pembina Statistik Sektoral BPS Kota Dumai ${year}`, null, [], ["Dinas Kesehatan Kota Dumai"]);

  // Contact records: complete and on time, complete but late, partial, and never updated.
  const contact = (slug: string, head: string) => ({
    leaderName: head,
    leaderPosition: "Kepala Dinas",
    email: `${slug}@riau.go.id`,
    walidataUnit: "Bidang Statistik",
    walidataUnitEmail: `statistik.${slug}@riau.go.id`,
    walidataHeadName: "Nurhayati, S.Si., M.Si.",
    walidataHeadPosition: "Kepala Bidang Statistik",
    walidataHeadEmail: `nurhayati.${slug}@riau.go.id`,
    epssContactName: "Rahmat Hidayat",
    epssContactPosition: "Pranata Komputer Ahli Muda",
    epssContactEmail: `rahmat.${slug}@riau.go.id`,
    epssContactWhatsapp: "+6281277001001",
    walidataContactName: "Sri Wahyuni",
    walidataContactPosition: "Statistisi Ahli Pertama",
    walidataContactEmail: `sri.${slug}@riau.go.id`,
    walidataContactWhatsapp: "+6281277001002",
  });
  const contacts: [string, Record<string, string>, Date][] = [
    [riauLoci[0]!, contact("diskominfotik", "Dr. Erisman Yahya"), morning(year, 2, 3)],
    [riauLoci[1]!, contact("bappeda", "Ir. Emri Juli Harnis"), morning(year, 2, 20)],
    [riauLoci[2]!, contact("dinkes", "dr. Zainal Arifin"), morning(year, 3, 12)],
    [riauLoci[3]!, { leaderName: "Dr. Erisman", walidataUnit: "Subbag Program", epssContactName: "Yuliana" }, morning(year, 2, 10)],
    [pkuLoci[0]!, contact("diskominfo.pekanbaru", "Raja Hendra Saputra"), morning(year, 2, 25)],
    [pkuLoci[1]!, { leaderName: "Ir. Zulhelmi Arifin", walidataUnit: "Bidang Perencanaan" }, morning(year, 3, 5)],
  ];
  for (const [name, fields, at] of contacts) if (at < now) await updateContact(db, actor, (await agency(name)).id, fields, at);

  // Inventory and EPSS candidates of the first two Riau loci and Pekanbaru's Diskominfo.
  const inventory = [
    [
      riauLoci[0]!,
      "Survei Penggunaan TIK Rumah Tangga",
      "Tahunan",
      "2025",
      "Bidang Statistik",
      "SURVEY",
      "Persentase rumah tangga yang mengakses internet",
      true,
      "OPEN",
    ],
    [
      riauLoci[0]!,
      "Kompilasi Data Menara Telekomunikasi",
      "Tahunan",
      "2025",
      "Bidang Infrastruktur TIK",
      "ADMINISTRATIVE",
      "Jumlah menara BTS",
      false,
      "LIMITED",
    ],
    [riauLoci[0]!, "Statistik Sektoral Riau Dalam Angka", "Tahunan", "2025", "Bidang Statistik", "ADMINISTRATIVE", "Indikator sektoral provinsi", true, "OPEN"],
    [
      riauLoci[1]!,
      "Kompilasi Capaian Indikator RPJMD",
      "Tahunan",
      "2025",
      "Bidang Perencanaan Makro",
      "ADMINISTRATIVE",
      "Capaian indikator kinerja daerah",
      true,
      "OPEN",
    ],
    [riauLoci[1]!, "Survei Kepuasan Masyarakat Musrenbang", "Tahunan", "2024", "Sekretariat", "SURVEY", "Indeks kepuasan peserta", false, "INTERNAL"],
    [
      pkuLoci[0]!,
      "Kompilasi Data Layanan Pengaduan Publik",
      "Bulanan",
      "2025",
      "Bidang Layanan Informasi",
      "ADMINISTRATIVE",
      "Jumlah pengaduan tertangani",
      false,
      "OPEN",
    ],
  ] as const;
  for (const [name, title, period, lastHeld, producerUnit, method, mainIndicator, priority, dataUse] of inventory)
    await db.inventoryItem.create({
      data: { agencyId: (await agency(name)).id, title, period, lastHeld, producerUnit, method, mainIndicator, priority, dataUse },
    });
  const epss = [
    [riauLoci[0]!, riau.id, "Survei Penggunaan TIK Rumah Tangga", "SURVEY", morning(year, 3, 20)],
    [riauLoci[2]!, riau.id, "Kompilasi Data Fasilitas Kesehatan", "ADMINISTRATIVE", morning(year, 4, 8)],
    [pkuLoci[0]!, pekanbaru.id, "Kompilasi Data Layanan Pengaduan Publik", "ADMINISTRATIVE", morning(year, 3, 25)],
  ] as const;
  for (const [name, officeId, activityName, method, createdAt] of epss) {
    if (createdAt > now) continue;
    await db.epssCandidate.create({
      data: {
        agencyId: (await agency(name)).id,
        officeId,
        year,
        activityName,
        activityYear: year - 1,
        method,
        producer: "Bidang Statistik",
        echelon2Unit: "Sekretariat Dinas",
        reason: "Tusi utama dan mendukung penyediaan data prioritas",
        createdAt,
      },
    });
  }

  // Work plans (one locus has only three items, below the guideline's five) and their realisation.
  const coachOf: Record<string, string[]> = {
    [riau.id]: [(await user("pembina1@sibina.test")).id, (await user("pembina2@sibina.test")).id],
    [pekanbaru.id]: [(await user("pembina.pekanbaru@sibina.test")).id],
  };
  const loci = [
    ...riauLoci.map((n, i) => ({ name: n, officeId: riau.id, items: i === 4 ? PLAN.slice(0, 3) : PLAN, createdAt: morning(year, 2, i === 3 ? 20 : 10) })),
    ...pkuLoci.map((n, i) => ({ name: n, officeId: pekanbaru.id, items: i === 1 ? PLAN.slice(1, 5) : PLAN.slice(0, 6), createdAt: morning(year, 2, 12) })),
  ];
  let n = 0;
  for (const l of loci) {
    const a = await agency(l.name);
    for (const p of l.items) {
      n++;
      // Only the first locus of each office plans the fullday meetings (the allocation is per office).
      const fullday = Boolean(p.fullday) && l.name === (l.officeId === riau.id ? riauLoci[0] : pkuLoci[0]);
      const item = await db.workPlan.create({
        data: {
          agencyId: a.id,
          officeId: l.officeId,
          year,
          activity: p.activity,
          plannedDate: date(year, p.month, p.day),
          mechanism: p.mode,
          organiser: p.organiser ?? "BPS",
          fullday,
          expectedOutput: p.output,
          createdAt: l.createdAt < now ? l.createdAt : now,
        },
      });
      const startAt = morning(year, p.month, p.day + (n % 3));
      // Most past items were held; every fifth was not. Held ones are documented on time, late or never.
      if (startAt.getTime() > now.getTime() - 2 * DAY_MS || n % 5 === 0 || !coachOf[l.officeId]) continue;
      const c = await createBpsCoaching(
        db,
        { ...actor, userId: l.officeId === riau.id ? supervisor.id : supPku.id, roles: ["SUPERVISOR"], officeId: l.officeId },
        {
          agencyId: a.id,
          workPlanId: item.id,
          serviceType: p.fullday ? "RAPAT_KOORDINASI" : "ASISTENSI",
          topics: ["STATISTICAL_ACTIVITIES"],
          description: `${p.activity} bersama ${a.name}.`,
          location: p.mode === "ONLINE" ? "Zoom Meeting BPS" : `Kantor ${a.name}`,
          mode: p.mode,
          startAt,
          endAt: new Date(startAt.getTime() + (p.fullday ? 8 : 3) * 3600_000),
          coachIds: coachOf[l.officeId]!,
        },
        now,
      );
      const late = n % 4 === 0;
      const missing = n % 7 === 0;
      if (missing) continue;
      await db.documentation.create({
        data: {
          requestId: c.id,
          kind: "ATTENDANCE",
          link: "https://s.bps.go.id/dok_pembinaan",
          note: "Daftar hadir peserta",
          shareable: true,
          uploadedById: coachOf[l.officeId]![0]!,
          createdAt: new Date(startAt.getTime() + (late ? 10 : 2) * DAY_MS),
        },
      });
    }
  }

  // Capacity building and internalisation, and the IPS scores of the year.
  const event = async (officeId: string, title: string, heldOn: Date, internalisation: boolean, emails: string[]) => {
    if (heldOn > now) return;
    const ids = await Promise.all(emails.map(async (e) => (await user(e)).id));
    await db.capacityEvent.create({ data: { officeId, title, heldOn, internalisation, attendees: { create: ids.map((userId) => ({ userId })) } } });
  };
  const riauTeam = ["pembina1@sibina.test", "pembina2@sibina.test", "pembina3@sibina.test", "monev@sibina.test"];
  await event(riau.id, "Internalisasi materi pelatihan pembina statistik sektoral", date(year, 1, 10), true, riauTeam);
  await event(pekanbaru.id, "Internalisasi materi pelatihan PSS", date(year, 1, 21), true, [
    "supervisor.pekanbaru@sibina.test",
    "pembina.pekanbaru@sibina.test",
  ]);
  await event(riau.id, "Peningkatan kapasitas tim pembina: EPSS dan kualitas data", date(year, 3, 17), false, ["pembina1@sibina.test", "pembina2@sibina.test"]);
  await event(riau.id, "Peningkatan kapasitas tim pembina: metadata statistik", date(year, 8, 26), false, [
    "pembina1@sibina.test",
    "pembina3@sibina.test",
    "pembina.pekanbaru@sibina.test",
  ]);
  const ips = [
    [riauLoci[0]!, 3.12],
    [riauLoci[1]!, 2.87],
    [riauLoci[2]!, 2.41],
    [riauLoci[3]!, 2.05],
    [pkuLoci[0]!, 2.64],
  ] as const;
  for (const [name, score] of ips) await db.ipsScore.create({ data: { agencyId: (await agency(name)).id, year, score } });
  await db.auditLog.create({ data: { actorUserId: admin.id, action: "programme.seed", entity: "Office", entityId: riau.id, changes: { year } } });
}
