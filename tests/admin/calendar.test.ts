// Working days with Indonesian holidays: national holidays (bundled from date-holidays) and
// cuti bersama kept by admins in the panel are skipped, judged on each office's own clock.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addWorkingDays, calendarOf, loadCalendar, workingDaysBetween } from "../../core/calendar/index.js";
import { changeStatus } from "../../core/requests/service.js";
import { actorOf, makeUser } from "../helpers/fixtures.js";
import { requestIn } from "../helpers/requests.js";
import { emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let p: Panel;
beforeAll(async () => {
  p = await startPanel();
});
afterAll(async () => p?.close());

const at = (s: string) => new Date(s);

describe("the bundled calendar", () => {
  it("moves a reminder due the day before Idul Fitri past the holidays", () => {
    // Wednesday 3 March 2027 + 3 weekdays is Monday 8 March, the day before Idul Fitri (9–10 March,
    // with Nyepi on the 8th). Counting working days it is Thursday 11 March.
    const done = at("2027-03-03T10:00:00+07:00");
    expect(addWorkingDays(done, 3, "WIB", { isDayOff: () => false }).toISOString()).toBe(at("2027-03-08T10:00:00+07:00").toISOString());
    expect(addWorkingDays(done, 3, "WIB", calendarOf()).toISOString()).toBe(at("2027-03-11T10:00:00+07:00").toISOString());
    expect(workingDaysBetween(at("2027-03-05T09:00:00+07:00"), at("2027-03-11T09:00:00+07:00"), "WIB")).toBe(1);
  });

  it("judges the day boundary on the office's own clock (WIT vs WIB)", () => {
    // Friday 15 January 2027 23:30 WIB is already Saturday 01:30 in a WIT office.
    const instant = at("2027-01-15T23:30:00+07:00");
    expect(addWorkingDays(instant, 1, "WIB").toISOString()).toBe(at("2027-01-18T23:30:00+07:00").toISOString());
    expect(addWorkingDays(instant, 1, "WIT").toISOString()).toBe(at("2027-01-18T01:30:00+09:00").toISOString());
  });
});

describe("the documentation reminder", () => {
  it("skips a cuti bersama day added in the panel, in the handling office's time zone", async () => {
    const db = p.ctx.db;
    const admin = await signedIn(p.app, emailOf("ADMIN"));
    const page = await admin.get("/calendar?year=2027");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("2027-03-09");
    const added = await admin.post("/calendar/leave", { date: "2027-03-11", name: "Cuti bersama Idul Fitri" });
    expect(added.statusCode).toBe(302);
    expect(await db.leaveDay.count()).toBe(1);
    expect((await loadCalendar(db)).isDayOff("2027-03-11")).toBe(true);

    const riau = await db.office.findUniqueOrThrow({ where: { code: "1400" } });
    const papua = await db.office.create({ data: { code: "9100", name: "BPS Provinsi Papua", level: "PROVINCE", timeZone: "WIT", parentId: riau.parentId } });
    const reminderAfter = async (officeId: string, doneAt: Date) => {
      const sup = await makeUser(db, officeId, ["SUPERVISOR"]);
      const coach = await makeUser(db, officeId, ["COACH"]);
      const r = await requestIn(db, "APPROVED", {
        supervisor: actorOf(sup),
        coachIds: [coach.id],
        input: { agencyLevel: "OTHER", startAt: at("2027-01-05T09:00:00+07:00"), endAt: at("2027-01-05T12:00:00+07:00") },
        submit: { now: at("2026-12-20T09:00:00+07:00") },
      });
      await changeStatus(db, actorOf(sup), { requestId: r.id, to: "DONE", now: doneAt });
      const row = await db.outbox.findFirstOrThrow({ where: { requestId: r.id, kind: "reminder.documentation", dedupeKey: { contains: ":2:" } } });
      return row.availableAt.toISOString();
    };
    // Wednesday 3 March: Nyepi, Idul Fitri and the new cuti bersama are skipped → Friday 12 March.
    expect(await reminderAfter(riau.id, at("2027-03-03T10:00:00+07:00"))).toBe(at("2027-03-12T10:00:00+07:00").toISOString());
    // Friday 23:30 WIB: still Friday in Riau (→ Wednesday), already Saturday in Papua (→ Wednesday 01:30 WIT).
    expect(await reminderAfter(riau.id, at("2027-01-15T23:30:00+07:00"))).toBe(at("2027-01-20T23:30:00+07:00").toISOString());
    expect(await reminderAfter(papua.id, at("2027-01-15T23:30:00+07:00"))).toBe(at("2027-01-20T01:30:00+09:00").toISOString());

    // Removing the day again works, with an audit row for both.
    await admin.get("/calendar?year=2027");
    await admin.post("/calendar/leave/delete", { date: "2027-03-11" });
    expect(await db.leaveDay.count()).toBe(0);
    expect(await db.auditLog.count({ where: { entity: "LeaveDay" } })).toBe(2);
  });
});
