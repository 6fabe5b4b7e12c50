// The requester's status lookup is one hand-written statement (the chat's most frequent read).
// It must answer exactly what Prisma's own query with the same selection answers: same fields,
// same types (dates as Date, enums as their codes), the office's zone and every coach's name.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Db } from "../../core/db/client.js";
import { lookupByCode } from "../../core/requests/service.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, makeUser, seedOffices } from "../helpers/fixtures.js";
import { requestIn } from "../helpers/requests.js";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb(4);
});
afterAll(() => t.drop());

/** The lookup as Prisma's query builder writes it, with coaches sorted for comparison. */
async function viaPrisma(db: Db, code: string) {
  const r = await db.coachingRequest.findFirst({
    where: { code, deletedAt: null },
    select: {
      id: true,
      code: true,
      status: true,
      serviceType: true,
      agencyName: true,
      startAt: true,
      endAt: true,
      location: true,
      rejectionReason: true,
      identityId: true,
      requesterId: true,
      requesterPhone: true,
      picPhone: true,
      office: { select: { timeZone: true } },
      assignments: { select: { coach: { select: { name: true } } } },
    },
  });
  return r && { ...r, assignments: r.assignments.sort((a, b) => a.coach.name.localeCompare(b.coach.name)) };
}

it("answers what Prisma's query answers, for a request with coaches, a rejected one and one in another zone", { timeout: 60_000 }, async () => {
  const offices = await seedOffices(t.db);
  const supervisor = await makeUser(t.db, offices.pekanbaru.id, ["SUPERVISOR"]);
  const coaches = [await makeUser(t.db, offices.pekanbaru.id, ["COACH"], "Zahra"), await makeUser(t.db, offices.pekanbaru.id, ["COACH"], "Ahmad")];
  const papuaSupervisor = await makeUser(t.db, offices.papua.id, ["SUPERVISOR"]);
  const requester = await t.db.requester.create({ data: { name: "Budi" } });
  const approved = await requestIn(t.db, "APPROVED", {
    supervisor: actorOf(supervisor),
    coachIds: coaches.map((c) => c.id),
    input: { agencyLevel: "REGENCY" },
    submit: { requesterId: requester.id },
  });
  const rejected = await requestIn(t.db, "REJECTED", {
    supervisor: actorOf(supervisor),
    reason: "Jadwal bentrok.",
    input: { agencyLevel: "REGENCY" },
    submit: { requesterId: requester.id },
  });
  const papua = await requestIn(t.db, "SUBMITTED", { supervisor: actorOf(papuaSupervisor), submit: { requesterId: requester.id } });

  for (const r of [approved, rejected, papua]) {
    const found = await lookupByCode(t.db, r.code, { requesterId: requester.id });
    expect(found).not.toBeNull();
    expect({ ...found!, assignments: found!.assignments.sort((a, b) => a.coach.name.localeCompare(b.coach.name)) }).toEqual(await viaPrisma(t.db, r.code));
  }
  const withCoaches = await lookupByCode(t.db, approved.code, { requesterId: requester.id });
  expect(withCoaches!.assignments.map((a) => a.coach.name).sort()).toEqual(["Ahmad", "Zahra"]);
  expect(withCoaches!.startAt).toBeInstanceOf(Date);
  expect((await lookupByCode(t.db, rejected.code, { requesterId: requester.id }))!.rejectionReason).toBe("Jadwal bentrok.");
  expect((await lookupByCode(t.db, papua.code, { requesterId: requester.id }))!.office.timeZone).toBe("WIT");
  // Someone else's request, as for an unknown code.
  const stranger = await t.db.requester.create({ data: { name: "Orang lain" } });
  expect(await lookupByCode(t.db, approved.code, { requesterId: stranger.id })).toBeNull();
});
