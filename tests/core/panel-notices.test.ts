// The bell's rows: written with the change that causes them, for a new request in scope, an
// escalation to the office above, an assignment, a clarification answer and an upload of
// documentation; each links to its page, and a rolled-back change leaves none.
import { afterAll, beforeAll, expect, it } from "vitest";
import { addDocumentation } from "../../core/documentation/service.js";
import { latestNotices, markAllRead, openNotice, unreadCount } from "../../core/notifications/panel.js";
import { askClarification, recordClarificationAnswer } from "../../core/requests/clarification.js";
import { changeStatus, escalate, submitRequest } from "../../core/requests/service.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, makeUser, requestInput, seedOffices } from "../helpers/fixtures.js";
import { coachingHasStarted } from "../helpers/requests.js";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.drop());

it("writes one bell item per cause and recipient, linking to its page", async () => {
  const { riau, pekanbaru } = await seedOffices(t.db);
  const supRiau = await makeUser(t.db, riau.id, ["SUPERVISOR"]);
  const supPku = await makeUser(t.db, pekanbaru.id, ["SUPERVISOR"]);
  const coach = await makeUser(t.db, riau.id, ["COACH"]);
  const agency = await t.db.agency.create({ data: { name: "Bappeda Kota Pekanbaru", level: "REGENCY", officeId: pekanbaru.id } });
  const { request } = await submitRequest(t.db, requestInput({ agencyId: agency.id, agencyName: agency.name, agencyLevel: "REGENCY" }), {
    channel: "web",
    defaultOfficeId: riau.id,
  });
  const kinds = async (userId: string) => (await latestNotices(t.db, userId)).map((n) => n.kind).sort();
  expect(await kinds(supPku.id)).toEqual(["request.submitted"]);
  expect((await latestNotices(t.db, supPku.id))[0]).toMatchObject({ code: request.code, link: `/requests/${request.id}`, read: false });

  await askClarification(t.db, actorOf(supPku), request.id, "Berapa peserta?");
  await recordClarificationAnswer(t.db, request.id, "Dua puluh orang.", "web");
  expect(await kinds(supPku.id)).toEqual(["request.clarification_answer", "request.submitted"]);

  await escalate(t.db, actorOf(supPku), request.id, "Perlu narasumber provinsi.");
  expect(await kinds(supRiau.id)).toEqual(["request.escalated"]);

  // The escalated request is now handled by Riau; its supervisor approves with the coach.
  await changeStatus(t.db, actorOf(supRiau), { requestId: request.id, to: "IN_REVIEW" });
  await changeStatus(t.db, actorOf(supRiau), { requestId: request.id, to: "APPROVED", coachIds: [coach.id] });
  expect(await kinds(coach.id)).toEqual(["coach.assigned"]);
  // Selesai is accepted only once the coaching has started.
  await coachingHasStarted(t.db, request.id);
  await changeStatus(t.db, actorOf(supRiau), { requestId: request.id, to: "DONE" });
  await addDocumentation(t.db, actorOf(coach), { requestId: request.id, kind: "PHOTO", link: "https://drive.example.go.id/foto" });
  const officeSupervisors = await t.db.user.findMany({
    where: { officeId: (await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } })).officeId, roles: { has: "SUPERVISOR" } },
  });
  for (const s of officeSupervisors) expect(await kinds(s.id)).toContain("documentation.uploaded");

  // Opening an item marks it read (only its owner's), and "all read" clears the count.
  const [first] = await latestNotices(t.db, supPku.id);
  expect(await openNotice(t.db, coach.id, first!.id)).toBeNull();
  expect(await openNotice(t.db, supPku.id, first!.id)).toBe(first!.link);
  expect(await unreadCount(t.db, supPku.id)).toBe(1);
  await markAllRead(t.db, supPku.id);
  expect(await unreadCount(t.db, supPku.id)).toBe(0);
});

it("leaves no bell item when the change rolls back", async () => {
  const riau = await t.db.office.findUniqueOrThrow({ where: { code: "1400" } });
  const sup = await makeUser(t.db, riau.id, ["SUPERVISOR"]);
  const before = await t.db.panelNotice.count();
  // An invalid transition: approving a request that is not in review throws inside the transaction.
  const { request } = await submitRequest(t.db, requestInput({ agencyLevel: "OTHER" }), { channel: "web", defaultOfficeId: riau.id });
  const afterSubmit = await t.db.panelNotice.count();
  expect(afterSubmit).toBeGreaterThan(before);
  await expect(changeStatus(t.db, actorOf(sup), { requestId: request.id, to: "APPROVED", coachIds: [sup.id] })).rejects.toThrow();
  expect(await t.db.panelNotice.count()).toBe(afterSubmit);
});
