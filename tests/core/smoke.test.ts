import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, makeUser, requestInput, seedOffices } from "../helpers/fixtures.js";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t.drop());

describe("harness", () => {
  it("submits and approves a request on a real cloned database", async () => {
    const offices = await seedOffices(t.db);
    const sup = await makeUser(t.db, offices.riau.id, ["SUPERVISOR"]);
    const coach = await makeUser(t.db, offices.riau.id, ["COACH"]);
    const { request } = await submitRequest(t.db, requestInput(), { channel: "web", defaultOfficeId: offices.riau.id });
    expect(request.code).toMatch(/^PB-\d{4}-00001$/);
    expect(request.officeId).toBe(offices.riau.id);
    await changeStatus(t.db, actorOf(sup), { requestId: request.id, to: "IN_REVIEW" });
    const { request: approved } = await changeStatus(t.db, actorOf(sup), { requestId: request.id, to: "APPROVED", coachIds: [coach.id] });
    expect(approved.status).toBe("APPROVED");
    expect(await t.db.outbox.count({ where: { requestId: request.id, kind: "coach.assigned" } })).toBe(1);
  });
});
