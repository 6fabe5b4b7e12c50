// Every change and its audit row are one transaction: when the audit write fails, the change
// is not there either; when it succeeds, the row names the actor and their address.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLinkCode } from "../../core/auth/link-codes.js";
import { addDocumentation } from "../../core/documentation/service.js";
import { editRequest, softDeleteRequest } from "../../core/requests/admin.js";
import { askClarification } from "../../core/requests/clarification.js";
import { assignCoaches, changeStatus, escalate, submitRequest } from "../../core/requests/service.js";
import { setTotpRequiredRoles, totpRequiredRoles } from "../../core/settings/service.js";
import { createUser, deleteUser, setRoles, updateUser } from "../../core/users/service.js";
import { enableTotp } from "../../core/users/totp.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, codeOf, makeUser, requestInput, seedOffices } from "../helpers/fixtures.js";
import { coachingHasStarted, requestIn } from "../helpers/requests.js";

let t: TestDb;
let offices: Awaited<ReturnType<typeof seedOffices>>;
let admin: Awaited<ReturnType<typeof makeUser>>;
let supervisor: Awaited<ReturnType<typeof makeUser>>;
let coach: Awaited<ReturnType<typeof makeUser>>;
const IP = "203.0.113.7";
const as = (u: typeof admin) => ({ ...actorOf(u), ip: IP });

beforeAll(async () => {
  t = await createTestDb(4);
  offices = await seedOffices(t.db);
  admin = await makeUser(t.db, offices.riau.id, ["ADMIN"]);
  supervisor = await makeUser(t.db, offices.riau.id, ["SUPERVISOR"]);
  coach = await makeUser(t.db, offices.riau.id, ["COACH"]);
});
afterAll(async () => t.drop());

// The audit table refuses every insert while this trigger exists, as a full disk or a broken
// column would; the service must then leave nothing behind.
async function breakAuditWrites(on: boolean) {
  await t.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS audit_refuses ON "AuditLog"`);
  if (!on) return;
  await t.db.$executeRawUnsafe(
    `CREATE OR REPLACE FUNCTION audit_refuses() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit write refused'; END $$ LANGUAGE plpgsql`,
  );
  await t.db.$executeRawUnsafe(`CREATE TRIGGER audit_refuses BEFORE INSERT ON "AuditLog" FOR EACH ROW EXECUTE FUNCTION audit_refuses()`);
}
beforeEach(async () => breakAuditWrites(false));

const refused = async (p: Promise<unknown>) => expect(p).rejects.toThrow(/audit write refused/);

describe("a failed audit write undoes the change", () => {
  it("status change, coaches, escalation, clarification, edit and delete of a request", async () => {
    const r = await requestIn(t.db, "SUBMITTED", { supervisor: actorOf(supervisor), input: requestInput() });
    await breakAuditWrites(true);
    await refused(changeStatus(t.db, as(supervisor), { requestId: r.id, to: "IN_REVIEW" }));
    await refused(escalate(t.db, as(supervisor), r.id, "ke provinsi"));
    await refused(askClarification(t.db, as(supervisor), r.id, "Berapa peserta yang hadir?"));
    await refused(editRequest(t.db, as(admin), r.id, requestInput({ location: "Ruang Rapat Lantai 2" })));
    await refused(softDeleteRequest(t.db, as(admin), r.id));
    const after = await t.db.coachingRequest.findUniqueOrThrow({ where: { id: r.id } });
    expect({ status: after.status, officeId: after.officeId, location: after.location, deletedAt: after.deletedAt }).toEqual({
      status: "SUBMITTED",
      officeId: r.officeId,
      location: r.location,
      deletedAt: null,
    });
    expect(await t.db.requestMessage.count({ where: { requestId: r.id } })).toBe(0);
    expect(await t.db.statusChange.count({ where: { requestId: r.id } })).toBe(1);
    // No notice was queued for a change that did not happen.
    expect(await t.db.outbox.count({ where: { requestId: r.id, kind: { in: ["request.status", "request.clarification", "request.escalated"] } } })).toBe(0);
  });

  it("coach assignment and documentation", async () => {
    const r = await requestIn(t.db, "APPROVED", { supervisor: actorOf(supervisor), coachIds: [coach.id] });
    const second = await makeUser(t.db, offices.riau.id, ["COACH"]);
    await breakAuditWrites(true);
    await refused(assignCoaches(t.db, as(supervisor), r.id, [second.id]));
    expect(await t.db.assignment.count({ where: { requestId: r.id } })).toBe(1);
    await breakAuditWrites(false);
    await coachingHasStarted(t.db, r.id);
    await changeStatus(t.db, as(supervisor), { requestId: r.id, to: "DONE" });
    await breakAuditWrites(true);
    await refused(addDocumentation(t.db, as(coach), { requestId: r.id, kind: "ATTENDANCE", link: "https://drive.example.go.id/absen" }));
    expect(await t.db.documentation.count({ where: { requestId: r.id } })).toBe(0);
  });

  it("staff submission with its files", async () => {
    await breakAuditWrites(true);
    const before = await t.db.coachingRequest.count();
    await refused(submitRequest(t.db, requestInput(), { channel: "web", defaultOfficeId: offices.riau.id, actorUserId: admin.id, actorIp: IP }));
    expect(await t.db.coachingRequest.count()).toBe(before);
  });

  it("user management, settings and the staff member's own account", async () => {
    const target = await makeUser(t.db, offices.riau.id, ["COACH"]);
    await breakAuditWrites(true);
    const input = { name: "Rina Wulandari", email: "rina.audit@bps.go.id", officeId: offices.riau.id, roles: ["COACH" as const], locale: "id" as const };
    await refused(createUser(t.db, as(admin), input, "Kopi-Susu-Pagi-Hari-2026"));
    expect(await t.db.user.count({ where: { email: "rina.audit@bps.go.id" } })).toBe(0);
    await refused(updateUser(t.db, as(admin), target.id, { ...input, email: target.email, name: "Nama Baru" }));
    await refused(setRoles(t.db, as(admin), target.id, ["SUPERVISOR"]));
    await refused(deleteUser(t.db, as(admin), target.id));
    const still = await t.db.user.findUniqueOrThrow({ where: { id: target.id } });
    expect({ name: still.name, roles: still.roles, deletedAt: still.deletedAt }).toEqual({ name: target.name, roles: ["COACH"], deletedAt: null });
    await refused(setTotpRequiredRoles(t.db, as(admin), ["ADMIN"]));
    expect(await totpRequiredRoles(t.db)).toEqual([]);
    await refused(enableTotp(t.db, { userId: target.id, ip: IP }, "sealed-secret"));
    expect((await t.db.user.findUniqueOrThrow({ where: { id: target.id } })).totpEnabled).toBe(false);
    await refused(createLinkCode(t.db, { userId: target.id, ip: IP }));
    expect(await t.db.linkCode.count({ where: { userId: target.id } })).toBe(0);
  });
});

describe("a successful change is audited in its transaction", () => {
  it("names the actor, their address and what changed", async () => {
    const r = await requestIn(t.db, "SUBMITTED", { supervisor: actorOf(supervisor) });
    await changeStatus(t.db, as(supervisor), { requestId: r.id, to: "IN_REVIEW" });
    const row = await t.db.auditLog.findFirstOrThrow({ where: { entityId: r.id, action: "request.status" } });
    expect({ actor: row.actorUserId, ip: row.ip, changes: row.changes }).toEqual({
      actor: supervisor.id,
      ip: IP,
      changes: { status: { from: "SUBMITTED", to: "IN_REVIEW" } },
    });
  });

  it("refuses user management to anyone but an admin, whatever the caller", async () => {
    const target = await makeUser(t.db, offices.riau.id, ["COACH"]);
    expect(await codeOf(setRoles(t.db, as(supervisor), target.id, ["ADMIN"]))).toBe("FORBIDDEN");
    expect(await codeOf(deleteUser(t.db, as(coach), target.id))).toBe("FORBIDDEN");
    expect(await codeOf(setTotpRequiredRoles(t.db, as(supervisor), []))).toBe("FORBIDDEN");
    expect((await t.db.user.findUniqueOrThrow({ where: { id: target.id } })).roles).toEqual(["COACH"]);
  });
});
