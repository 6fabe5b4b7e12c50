// A hand-made programme year (2026) whose indicators are worked out by hand in the tests:
// BPS Provinsi Riau (WIB) with two loci, BPS Kota Pekanbaru below it, BPS Provinsi Papua (WIT).
import type { Db } from "../../core/db/client.js";
import { addEpssCandidate, updateContact } from "../../core/programme/loci.js";
import { addCapacityEvent, setDeadline, setIpsScore } from "../../core/programme/monev.js";
import { addPlanItem, createBpsCoaching } from "../../core/programme/plans.js";
import { addLocus, addMember, createTeam, setDecree } from "../../core/programme/teams.js";
import { actorOf, makeUser, seedOffices } from "../helpers/fixtures.js";

export const YEAR = 2026;
/** Well after semester I: its report is as of 1 July 00:00 local time. */
export const NOW = new Date("2026-08-01T03:00:00Z");
const at = (iso: string) => new Date(iso);

export const FULL_CONTACT = {
  leaderName: "Dr. Ir. Arif Santoso",
  leaderPosition: "Kepala Dinas",
  email: "diskominfo@riau.go.id",
  walidataUnit: "Bidang Statistik",
  walidataUnitEmail: "statistik@riau.go.id",
  walidataHeadName: "Nurhayati, S.Si",
  walidataHeadPosition: "Kepala Bidang Statistik",
  walidataHeadEmail: "nurhayati@riau.go.id",
  epssContactName: "Rahmat Hidayat",
  epssContactPosition: "Pranata Komputer",
  epssContactEmail: "rahmat@riau.go.id",
  epssContactWhatsapp: "0812 6600 1122",
  walidataContactName: "Sri Wahyuni",
  walidataContactPosition: "Statistisi",
  walidataContactEmail: "sri@riau.go.id",
  walidataContactWhatsapp: "+62 813-7700-2233",
};

export async function programmeFixture(db: Db) {
  const offices = await seedOffices(db);
  const { riau, pekanbaru, papua } = offices;
  const admin = await makeUser(db, offices.ri.id, ["ADMIN"], "admin-ri");
  const supervisor = await makeUser(db, riau.id, ["SUPERVISOR"], "supervisor-riau");
  const lead = await makeUser(db, riau.id, ["COACH"], "ketua-riau");
  const member = await makeUser(db, riau.id, ["COACH"], "anggota-riau");
  const monev = await makeUser(db, riau.id, ["COACH"], "monev-riau");
  const coachPku = await makeUser(db, pekanbaru.id, ["COACH"], "coach-pekanbaru");
  const supPapua = await makeUser(db, papua.id, ["SUPERVISOR", "COACH"], "supervisor-papua");
  const sup = { ...actorOf(supervisor), ip: "127.0.0.1" };
  const ra = actorOf(admin);

  const a1 = await db.agency.create({ data: { name: "Dinas Kominfo Provinsi Riau", level: "PROVINCE", officeId: riau.id } });
  const a2 = await db.agency.create({
    data: { name: "Bappeda Provinsi Riau", level: "PROVINCE", officeId: riau.id, leaderName: "H. Syahrial", walidataUnit: "Bidang Data" },
  });
  const b1 = await db.agency.create({ data: { name: "Diskominfo Kota Pekanbaru", level: "REGENCY", officeId: pekanbaru.id } });
  const p1 = await db.agency.create({ data: { name: "Bappeda Provinsi Papua", level: "PROVINCE", officeId: papua.id } });

  for (const [kind, dueDate] of [
    ["TEAM_DECREE", "2026-01-31"],
    ["CONTACTS", "2026-02-28"],
    ["EPSS_CANDIDATES", "2026-03-31"],
    ["WORK_PLAN", "2026-02-15"],
  ] as const)
    await setDeadline(db, ra, { year: YEAR, kind, dueDate });
  await setDeadline(db, ra, { year: YEAR, kind: "ACTIVITIES", daysAfter: 7 });

  // Riau's team: decree at 22:30 WIB on the deadline day (on time). Papua's: the same instant is
  // 00:30 WIT the next day there (late).
  const team = await createTeam(db, sup, { officeId: riau.id, year: YEAR, name: "Tim PSS Provinsi Riau" });
  const pdf = await db.attachment.create({ data: { fileName: "sk.pdf", mimeType: "application/pdf", size: 10, sha256: "x", storageKey: "aa/sk-riau" } });
  await setDecree(db, sup, team.id, { decreeType: "SURAT_KEPUTUSAN", decreeNumber: "B-12/14000/KP.650/2026" }, pdf.id, at("2026-01-31T15:30:00Z"));
  await addMember(db, sup, team.id, { userId: lead.id, role: "KETUA_PELAKSANA" });
  await addMember(db, sup, team.id, { userId: member.id, role: "ANGGOTA" });
  await addMember(db, sup, team.id, { userId: monev.id, role: "TIM_MONEV" });
  await addLocus(db, sup, team.id, a1.id);
  await addLocus(db, sup, team.id, a2.id);

  const supP = actorOf(supPapua);
  const teamP = await createTeam(db, supP, { officeId: papua.id, year: YEAR, name: "Tim PSS Provinsi Papua" });
  const pdfP = await db.attachment.create({ data: { fileName: "sk.pdf", mimeType: "application/pdf", size: 10, sha256: "y", storageKey: "aa/sk-papua" } });
  await setDecree(db, supP, teamP.id, { decreeType: "SURAT_TUGAS", decreeNumber: "ST-1/94000/2026" }, pdfP.id, at("2026-01-31T15:30:00Z"));
  await addLocus(db, supP, teamP.id, p1.id);

  // Pekanbaru: a team without its decree, one locus and one member.
  const teamK = await createTeam(db, sup, { officeId: pekanbaru.id, year: YEAR, name: "Tim PSS Kota Pekanbaru" });
  await addMember(db, sup, teamK.id, { userId: coachPku.id, role: "ANGGOTA" });
  await addLocus(db, sup, teamK.id, b1.id);

  // A1: contact on time, EPSS candidate late (2 April), work plan on time (1 February).
  await updateContact(db, sup, a1.id, FULL_CONTACT, at("2026-02-10T02:00:00Z"));
  const epss = await addEpssCandidate(db, sup, {
    agencyId: a1.id,
    year: YEAR,
    activityName: "Survei Penggunaan TIK Rumah Tangga",
    activityYear: 2026,
    method: "2",
    producer: "Dinas Kominfo",
    echelon2Unit: "Bidang Statistik",
    reason: "Mendukung penyediaan data prioritas",
  });
  await db.epssCandidate.update({ where: { id: epss.id }, data: { createdAt: at("2026-04-02T03:00:00Z") } });
  const plan = (activity: string, plannedDate: string, fullday = false) =>
    addPlanItem(db, sup, {
      agencyId: a1.id,
      year: YEAR,
      activity,
      plannedDate,
      mechanism: "OFFLINE",
      organiser: "BPS",
      fullday,
      expectedOutput: "Notulen dan tindak lanjut",
    });
  const pl1 = await plan("Identifikasi kegiatan statistik", "2026-03-10", true);
  const pl2 = await plan("Penyusunan metadata", "2026-05-20");
  const pl3 = await plan("Evaluasi pembinaan", "2026-09-01", true);
  await db.workPlan.updateMany({ where: { agencyId: a1.id }, data: { createdAt: at("2026-02-01T03:00:00Z") } });

  // Coachings (all backfilled, so DONE): C1 realises plan item 1 and is documented on time
  // (23:59 WIB on the 7th day); C2 is ad hoc, documented at 08:00 WIB on the 8th day (late);
  // C3 (A2, ad hoc) has no documentation (missing). B1 has one coaching in Pekanbaru.
  const coaching = async (agencyId: string, startIso: string, workPlanId?: string, coach = lead.id, who = sup) =>
    createBpsCoaching(
      db,
      who,
      {
        agencyId,
        workPlanId,
        serviceType: "ASISTENSI",
        topics: ["STATISTICAL_ACTIVITIES"],
        description: "Pendampingan identifikasi kegiatan statistik sektoral.",
        location: "Kantor instansi",
        mode: "OFFLINE",
        startAt: at(startIso),
        endAt: new Date(at(startIso).getTime() + 3 * 3600_000),
        coachIds: [coach],
      },
      NOW,
    );
  const c1 = await coaching(a1.id, "2026-03-10T01:00:00Z", pl1.id);
  const c2 = await coaching(a1.id, "2026-04-15T01:00:00Z");
  const c3 = await coaching(a2.id, "2026-06-01T01:00:00Z");
  const k1 = await coaching(b1.id, "2026-05-05T01:00:00Z", undefined, coachPku.id);
  const doc = (requestId: string, iso: string) =>
    db.documentation.create({ data: { requestId, kind: "ATTENDANCE", link: "https://example.org/daftar-hadir", uploadedById: lead.id, createdAt: at(iso) } });
  await doc(c1.id, "2026-03-17T16:59:00Z");
  await doc(c2.id, "2026-04-23T01:00:00Z");
  await doc(k1.id, "2026-05-06T01:00:00Z");

  await addCapacityEvent(db, sup, {
    officeId: riau.id,
    title: "Internalisasi materi pelatihan PSS",
    heldOn: "2026-01-12",
    internalisation: true,
    attendeeIds: [lead.id, member.id, monev.id],
  });
  // Capacity building: two of Riau's three members in March (semester I); Pekanbaru's member in September.
  await addCapacityEvent(db, sup, {
    officeId: riau.id,
    title: "Peningkatan kapasitas tim pembina",
    heldOn: "2026-03-05",
    internalisation: false,
    attendeeIds: [lead.id, member.id],
  });
  await addCapacityEvent(db, sup, {
    officeId: riau.id,
    title: "Bimtek EPSS bagi tim pembina",
    heldOn: "2026-09-10",
    internalisation: false,
    attendeeIds: [coachPku.id],
  });
  await setIpsScore(db, sup, { agencyId: a1.id, year: YEAR, score: 2.85 });
  await setIpsScore(db, sup, { agencyId: b1.id, year: YEAR, score: 3.1 });

  return {
    offices,
    users: { admin, supervisor, lead, member, monev, coachPku, supPapua },
    agencies: { a1, a2, b1, p1 },
    plans: { pl1, pl2, pl3 },
    coachings: { c1, c2, c3, k1 },
    team,
    teamK,
  };
}
