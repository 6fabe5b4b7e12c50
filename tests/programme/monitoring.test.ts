// The three semester indicators on a hand-made year, worked out by hand: on time vs late across a
// deadline in the office's own time zone, plan vs realisation, capacity building, IPS; the roll-up
// equals the sum of the office pages; another office's coach reaches none of it.

import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addEpssCandidate, updateContact } from "../../core/programme/loci.js";
import { setIpsScore } from "../../core/programme/monev.js";
import { officeReports, semesterReport } from "../../core/programme/monitoring.js";
import { addPlanItem, createBpsCoaching, linkToPlan } from "../../core/programme/plans.js";
import { reportPdf, reportXlsx } from "../../core/programme/reports.js";
import { addMember, createTeam, listTeams } from "../../core/programme/teams.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, codeOf } from "../helpers/fixtures.js";
import { FULL_CONTACT, NOW, programmeFixture, YEAR } from "./fixture.js";
import { pdfText } from "./pdf-text.js";

let t: TestDb;
let f: Awaited<ReturnType<typeof programmeFixture>>;

beforeAll(async () => {
  t = await createTestDb();
  f = await programmeFixture(t.db);
});
afterAll(async () => t?.drop());

const tally = (onTime: number, late: number, missing: number, pending = 0) => ({ onTime, late, missing, pending });

describe("indicators of one office", () => {
  it("counts reporting compliance per kind, on the office's wall clock", async () => {
    const r = await semesterReport(t.db, actorOf(f.users.supervisor), f.offices.riau.id, YEAR, 1, NOW);
    const c = r.office.own.compliance;
    // 22:30 WIB on the deadline day: on time in Riau.
    expect(c.TEAM_DECREE).toEqual(tally(1, 0, 0));
    expect(c.CONTACTS).toEqual(tally(1, 0, 1));
    expect(c.EPSS_CANDIDATES).toEqual(tally(0, 1, 1));
    expect(c.WORK_PLAN).toEqual(tally(1, 0, 1));
    // 23:59 WIB on day 7 is on time, 08:00 on day 8 is late, nothing at all is missing.
    expect(c.ACTIVITIES).toEqual(tally(1, 1, 1));
    expect(r.office.asOf.toISOString()).toBe("2026-06-30T17:00:00.000Z");

    // The same upload instant is 00:30 WIT the next day in Papua: late.
    const papua = await semesterReport(t.db, actorOf(f.users.supPapua), f.offices.papua.id, YEAR, 1, NOW);
    expect(papua.office.own.compliance.TEAM_DECREE).toEqual(tally(0, 1, 0));
    // Before the deadline nothing is missing yet: it is pending.
    const early = await semesterReport(t.db, actorOf(f.users.supervisor), f.offices.pekanbaru.id, YEAR, 1, new Date("2026-01-20T00:00:00Z"));
    expect(early.office.own.compliance.TEAM_DECREE).toEqual(tally(0, 0, 0, 1));
  });

  it("compares the plan with its realisation per lokus, and measures completeness", async () => {
    const r = await semesterReport(t.db, actorOf(f.users.supervisor), f.offices.riau.id, YEAR, 1, NOW);
    const own = r.office.own;
    expect({ planned: own.planned, done: own.done, doneNotPlanned: own.doneNotPlanned, plannedNotDone: own.plannedNotDone }).toEqual({
      planned: 2,
      done: 1,
      doneNotPlanned: 2,
      plannedNotDone: 1,
    });
    const a1 = r.office.loci.find((l) => l.agencyId === f.agencies.a1.id)!;
    const a2 = r.office.loci.find((l) => l.agencyId === f.agencies.a2.id)!;
    expect(a1).toMatchObject({ planned: 2, done: 1, doneNotPlanned: 1, plannedNotDone: 1, contactFilled: 16, ips: 2.85, coachings: 2, coachingHours: 6 });
    expect(a2).toMatchObject({ planned: 0, done: 0, doneNotPlanned: 1, plannedNotDone: 0, contactFilled: 2, ips: null, coachings: 1, coachingHours: 3 });
    expect([own.contactFieldsFilled, own.contactFieldsTotal]).toEqual([18, 32]);
    // Semester II: only the September item is planned, and it is not due before 1 August.
    const s2 = await semesterReport(t.db, actorOf(f.users.supervisor), f.offices.riau.id, YEAR, 2, NOW);
    expect([s2.office.own.planned, s2.office.own.done, s2.office.own.plannedNotDone]).toEqual([1, 0, 0]);
  });

  it("measures capacity building, the January internalisation and IPS beside the effort", async () => {
    const r = await semesterReport(t.db, actorOf(f.users.supervisor), f.offices.riau.id, YEAR, 1, NOW);
    const own = r.office.own;
    expect([own.teamMembers, own.membersTrained, own.internalisedOnTime]).toEqual([3, 2, 1]);
    expect(r.office.internalisedOn?.toISOString().slice(0, 10)).toBe("2026-01-12");
    expect([own.loci, own.lociScored, own.ipsSum, own.coachings, own.coachingHours]).toEqual([2, 1, 2.85, 3, 9]);
    // September's event counts in semester II once it has taken place.
    const s2 = (now: string) => semesterReport(t.db, actorOf(f.users.supervisor), f.offices.pekanbaru.id, YEAR, 2, new Date(now));
    expect([(await s2("2026-08-01T00:00:00Z")).office.own.membersTrained, (await s2("2026-12-01T00:00:00Z")).office.own.membersTrained]).toEqual([0, 1]);
  });
});

describe("roll-up", () => {
  it("sums exactly the office pages, kab/kota into provinsi and provinsi into RI", async () => {
    const sup = actorOf(f.users.supervisor);
    const riau = await semesterReport(t.db, sup, f.offices.riau.id, YEAR, 1, NOW);
    const pku = await semesterReport(t.db, sup, f.offices.pekanbaru.id, YEAR, 1, NOW);
    expect(riau.children.map((c) => c.office.id)).toEqual([f.offices.pekanbaru.id]);
    expect(riau.children[0]!.rollup).toEqual(pku.rollup);
    expect(pku.rollup).toEqual(pku.office.own);
    const sum = riau.rollup;
    const own = riau.office.own;
    const kid = pku.office.own;
    for (const kind of ["TEAM_DECREE", "CONTACTS", "EPSS_CANDIDATES", "WORK_PLAN", "ACTIVITIES"] as const)
      for (const o of ["onTime", "late", "missing", "pending"] as const)
        expect(sum.compliance[kind][o]).toBe(own.compliance[kind][o] + kid.compliance[kind][o]);
    expect(sum.compliance.TEAM_DECREE).toEqual(tally(1, 0, 1));
    expect([sum.coachings, sum.teamMembers, sum.membersTrained, sum.lociScored, sum.doneNotPlanned]).toEqual([4, 4, 2, 2, 3]);
    expect(sum.ipsSum).toBeCloseTo(5.95, 10);

    const admin = actorOf(f.users.admin);
    const ri = await semesterReport(t.db, admin, f.offices.ri.id, YEAR, 1, NOW);
    const every = await officeReports(
      t.db,
      [f.offices.ri.id, f.offices.riau.id, f.offices.pekanbaru.id, f.offices.sulsel.id, f.offices.papua.id],
      YEAR,
      1,
      NOW,
    );
    expect(ri.rollup.coachings).toBe(every.reduce((a, r) => a + r.own.coachings, 0));
    expect(ri.rollup.compliance.TEAM_DECREE).toEqual(tally(1, 1, 3)); // Riau on time, Papua late; RI, Pekanbaru, Sulsel missing
    expect(ri.children.find((c) => c.office.id === f.offices.riau.id)!.rollup).toEqual(riau.rollup);
  });
});

describe("office scoping", () => {
  it("lets the Tim Monev in through their team role, and nobody from another office", async () => {
    // A plain coach of Riau who is on the Tim Monev sees Riau's report; the team lead too; a member does not.
    expect(await codeOf(semesterReport(t.db, actorOf(f.users.monev), f.offices.riau.id, YEAR, 1, NOW))).toBe("OK");
    expect(await codeOf(semesterReport(t.db, actorOf(f.users.monev), f.offices.pekanbaru.id, YEAR, 1, NOW))).toBe("OK");
    expect(await codeOf(semesterReport(t.db, actorOf(f.users.member), f.offices.riau.id, YEAR, 1, NOW))).toBe("NOT_FOUND");
    expect(await codeOf(semesterReport(t.db, actorOf(f.users.monev), f.offices.papua.id, YEAR, 1, NOW))).toBe("NOT_FOUND");
  });

  it("a coach of another office can neither see nor change anything of Riau's", async () => {
    const other = actorOf(f.users.coachPku);
    const papua = actorOf(f.users.supPapua);
    for (const who of [other, papua]) {
      expect(await codeOf(semesterReport(t.db, who, f.offices.riau.id, YEAR, 1, NOW))).toBe("NOT_FOUND");
      expect((await listTeams(t.db, who, { officeId: f.offices.riau.id, year: YEAR })).length).toBe(0);
      expect(await codeOf(createTeam(t.db, who, { officeId: f.offices.riau.id, year: YEAR, name: "Tim tandingan" }))).toBe("NOT_FOUND");
      expect(await codeOf(addMember(t.db, who, f.team.id, { userId: who.userId, role: "TIM_MONEV" }))).toBe("NOT_FOUND");
      expect(await codeOf(updateContact(t.db, who, f.agencies.a1.id, FULL_CONTACT))).toBe("NOT_FOUND");
      expect(
        await codeOf(
          addPlanItem(t.db, who, {
            agencyId: f.agencies.a1.id,
            year: YEAR,
            activity: "Rapat",
            plannedDate: "2026-10-01",
            mechanism: "ONLINE",
            organiser: "BPS",
            fullday: false,
            expectedOutput: "Notulen",
          }),
        ),
      ).toBe("NOT_FOUND");
      expect(
        await codeOf(
          addEpssCandidate(t.db, who, {
            agencyId: f.agencies.a1.id,
            year: YEAR,
            activityName: "Survei",
            activityYear: 2026,
            method: "1",
            producer: "Dinas Lain",
            echelon2Unit: "Bidang Lain",
            reason: "Alasan",
          }),
        ),
      ).toBe("NOT_FOUND");
      expect(await codeOf(setIpsScore(t.db, who, { agencyId: f.agencies.a1.id, year: YEAR, score: 5 }))).toBe("NOT_FOUND");
      expect(await codeOf(linkToPlan(t.db, who, f.coachings.c2.id, f.plans.pl2.id))).toBe("NOT_FOUND");
      expect(
        await codeOf(
          createBpsCoaching(t.db, who, {
            agencyId: f.agencies.a1.id,
            serviceType: "ASISTENSI",
            topics: ["SATU_DATA"],
            description: "Pendampingan yang tidak boleh tercatat.",
            location: "Pekanbaru",
            mode: "ONLINE",
            startAt: new Date("2026-07-02T02:00:00Z"),
            endAt: new Date("2026-07-02T04:00:00Z"),
            coachIds: [who.userId],
          }),
        ),
      ).toBe("NOT_FOUND");
    }
    // Nothing changed: still one IPS score for A1, the same plan and no new team.
    expect((await t.db.ipsScore.findUnique({ where: { agencyId_year: { agencyId: f.agencies.a1.id, year: YEAR } } }))?.score).toBe(2.85);
    expect(await t.db.workPlan.count({ where: { agencyId: f.agencies.a1.id } })).toBe(3);
    expect(await t.db.coachingTeam.count({ where: { officeId: f.offices.riau.id } })).toBe(1);
  });

  it("writes the audit row with each change", async () => {
    const rows = await t.db.auditLog.findMany({
      where: { action: { in: ["team.create", "locus.contact", "plan.create", "coaching.bps.create", "ips.set", "deadline.set"] } },
    });
    const actions = new Set(rows.map((r) => r.action));
    expect([...actions].sort()).toEqual(["coaching.bps.create", "deadline.set", "ips.set", "locus.contact", "plan.create", "team.create"]);
    // BPS-initiated coachings send the same assignment notices through the outbox.
    expect(await t.db.outbox.count({ where: { requestId: f.coachings.c1.id, kind: "coach.assigned" } })).toBe(1);
  });
});

describe("files", () => {
  it("the XLSX reads back with the same values, numbers and dates as typed cells", async () => {
    const report = await semesterReport(t.db, actorOf(f.users.supervisor), f.offices.riau.id, YEAR, 1, NOW);
    const bytes = await reportXlsx(report, "id", NOW);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const rowOf = (label: string) => {
      let found: ExcelJS.Row | undefined;
      ws.eachRow((r) => {
        if (!found && String(r.getCell(1).value).startsWith(label)) found = r;
      });
      if (!found) throw new Error(`no row ${label}`);
      return found;
    };
    expect(rowOf("Kantor").getCell(2).value).toBe("BPS Provinsi Riau");
    expect(rowOf("Tahun").getCell(2).value).toBe(2026);
    const asOf = rowOf("Keadaan per").getCell(2).value;
    expect(asOf).toBeInstanceOf(Date);
    expect((asOf as Date).toISOString()).toBe(report.office.asOf.toISOString());
    const activities = rowOf("5. Aktivitas Pembinaan Statistik");
    expect([2, 3, 4, 5].map((i) => activities.getCell(i).value)).toEqual([1, 1, 1, 0]);
    expect(activities.getCell(2).type).toBe(ExcelJS.ValueType.Number);
    const completeness = rowOf("Kelengkapan isian narahubung").getCell(2);
    expect(completeness.type).toBe(ExcelJS.ValueType.Number);
    expect(completeness.value).toBeCloseTo(18 / 32, 3);
    expect(completeness.numFmt).toBe("0.0%");
    expect(rowOf("Jam pembinaan").getCell(2).value).toBe(9);
    const loci = wb.worksheets.find((w) => w.name === "Lokus binaan")!;
    const a1 = loci.getRow(2);
    expect(a1.getCell(1).value).toBe("Bappeda Provinsi Riau");
    expect(loci.getRow(3).getCell(7).value).toBe(2.85);
  });

  it("the PDF is a valid PDF whose text holds the office name and the semester", async () => {
    const report = await semesterReport(t.db, actorOf(f.users.supervisor), f.offices.riau.id, YEAR, 1, NOW);
    const pdf = await reportPdf(
      report,
      { name: "BPS Provinsi Riau", address: "Jl. Pattimura No. 12, Pekanbaru", phone: "0761-23042", email: "bps1400@bps.go.id", website: null },
      "id",
      NOW,
    );
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.subarray(-6).toString()).toContain("%%EOF");
    const text = pdfText(pdf);
    expect(text).toContain("BPS Provinsi Riau - Semester I (Januari");
    expect(text).toContain("BADAN PUSAT STATISTIK");
    expect(text).toContain("Kepatuhan pelaporan");
    // Cross-reference table and trailer are present (what a reader needs to open it).
    expect(pdf.toString("latin1")).toMatch(/xref\s+0 \d+/);
    expect(pdf.toString("latin1")).toContain("trailer");
  });
});
