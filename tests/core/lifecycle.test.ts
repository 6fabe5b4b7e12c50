// The request lifecycle on the real database: every pair of statuses, for the supervisor and for
// the requester, with the trail, outbox rows, assignments and reminder cancellations each one causes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StaffActor } from "../../core/access/index.js";
import type { RequestStatus } from "../../core/db/generated/enums.js";
import { ALL_STATUSES, checkTransition, nextStatuses } from "../../core/requests/lifecycle.js";
import { assignCoaches, cancelByRequester, changeStatus } from "../../core/requests/service.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, codeOf, makeUser, seedOffices } from "../helpers/fixtures.js";
import { coachingHasStarted, requestIn } from "../helpers/requests.js";

let t: TestDb;
let offices: Awaited<ReturnType<typeof seedOffices>>;
let supervisor: StaffActor;
let coachId: string;
let otherSupervisorId: string;
let requesterId: string;
let users: Record<"admin" | "operator" | "coach" | "pekanbaruSupervisor" | "sulselCoach" | "pekanbaruCoach" | "riCoach", StaffActor>;

beforeAll(async () => {
  t = await createTestDb();
  offices = await seedOffices(t.db);
  const sup = await makeUser(t.db, offices.riau.id, ["SUPERVISOR"], "sup");
  const sup2 = await makeUser(t.db, offices.riau.id, ["SUPERVISOR", "COACH"], "sup2");
  otherSupervisorId = sup2.id;
  supervisor = actorOf(sup);
  const coach = await makeUser(t.db, offices.riau.id, ["COACH"], "coach");
  coachId = coach.id;
  users = {
    admin: actorOf(await makeUser(t.db, offices.riau.id, ["ADMIN"], "admin")),
    operator: actorOf(await makeUser(t.db, offices.riau.id, ["OPERATOR"], "operator")),
    coach: actorOf(coach),
    pekanbaruSupervisor: actorOf(await makeUser(t.db, offices.pekanbaru.id, ["SUPERVISOR"], "sup-pku")),
    sulselCoach: actorOf(await makeUser(t.db, offices.sulsel.id, ["COACH"], "coach-sulsel")),
    pekanbaruCoach: actorOf(await makeUser(t.db, offices.pekanbaru.id, ["COACH"], "coach-pku")),
    riCoach: actorOf(await makeUser(t.db, offices.ri.id, ["COACH"], "coach-ri")),
  };
  requesterId = (await t.db.requester.create({ data: { name: "Siddik", phone: "+6281234567890" } })).id;
});
afterAll(async () => t.drop());

/** The lifecycle as the SPEKTRAL guide describes it, written out independently of lifecycle.ts. */
const SUPERVISOR_MAY = new Set(["SUBMITTED>IN_REVIEW", "IN_REVIEW>APPROVED", "IN_REVIEW>REJECTED", "APPROVED>DONE"]);
const REQUESTER_MAY = new Set(["SUBMITTED>CANCELLED", "IN_REVIEW>CANCELLED"]);
const pairs = ALL_STATUSES.flatMap((from) => ALL_STATUSES.map((to) => [from, to] as [RequestStatus, RequestStatus]));

const newRequest = (status: RequestStatus) => requestIn(t.db, status, { supervisor, coachIds: [coachId], submit: { requesterId } });
/** Outbox rows of a request, as a function that later returns only the rows written since. */
async function outboxSince(requestId: string) {
  const known = (await t.db.outbox.findMany({ where: { requestId }, select: { id: true } })).map((o) => o.id);
  return () => t.db.outbox.findMany({ where: { requestId, id: { notIn: known } }, orderBy: [{ kind: "asc" }, { recipientKind: "asc" }] });
}

describe("the state machine itself (pure)", () => {
  it("covers six statuses", () => {
    expect([...ALL_STATUSES].sort()).toEqual(["APPROVED", "CANCELLED", "DONE", "IN_REVIEW", "REJECTED", "SUBMITTED"]);
  });

  it.each(pairs)("supervisor %s → %s is allowed only where the guide allows it", (from, to) => {
    const run = () => checkTransition({ from, to, by: "SUPERVISOR", coachIds: ["c"], reason: "alasan" });
    if (SUPERVISOR_MAY.has(`${from}>${to}`)) expect(run().to).toBe(to);
    else expect(run).toThrow(expect.objectContaining({ code: "INVALID_TRANSITION", messageKey: "error.invalidTransition", params: { from, to } }));
  });

  it.each(pairs)("requester %s → %s is allowed only before approval, and only to cancel", (from, to) => {
    const run = () => checkTransition({ from, to, by: "REQUESTER", coachIds: ["c"], reason: "alasan" });
    if (REQUESTER_MAY.has(`${from}>${to}`)) expect(run().to).toBe(to);
    else expect(run).toThrow(expect.objectContaining({ code: "INVALID_TRANSITION" }));
  });

  it("lists the next statuses an actor can choose", () => {
    expect(nextStatuses("IN_REVIEW", "SUPERVISOR").sort()).toEqual(["APPROVED", "REJECTED"]);
    expect(nextStatuses("IN_REVIEW", "REQUESTER")).toEqual(["CANCELLED"]);
    expect(nextStatuses("DONE", "SUPERVISOR")).toEqual([]);
  });
});

describe("supervisor changes status on the real database (6 × 6)", () => {
  it.each(pairs)("%s → %s", async (from, to) => {
    const request = await newRequest(from);
    expect(request.status).toBe(from);
    if (to === "DONE") await coachingHasStarted(t.db, request.id);
    const before = new Date();
    const newOutbox = await outboxSince(request.id);
    const trailBefore = await t.db.statusChange.count({ where: { requestId: request.id } });
    const result = await codeOf(
      changeStatus(t.db, supervisor, { requestId: request.id, to, coachIds: [coachId], reason: "  Jadwal bentrok dengan sensus.\u0007 ", note: "ok" }),
    );
    const after = await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } });
    const trail = await t.db.statusChange.findMany({ where: { requestId: request.id }, orderBy: { createdAt: "asc" } });
    const outbox = await newOutbox();

    if (!SUPERVISOR_MAY.has(`${from}>${to}`)) {
      expect(result).toBe("INVALID_TRANSITION");
      expect(after.status).toBe(from);
      expect(trail).toHaveLength(trailBefore);
      expect(outbox).toHaveLength(0);
      return;
    }
    expect(result).toBe("OK");
    expect(after.status).toBe(to);
    expect(trail).toHaveLength(trailBefore + 1);
    const change = trail.at(-1)!;
    expect(change).toMatchObject({ kind: "TRANSITION", fromStatus: from, toStatus: to, actorUserId: supervisor.userId, actorRequesterId: null });

    const requesterRow = outbox.find((o) => o.recipientKind === "REQUESTER");
    expect(requesterRow).toMatchObject({
      kind: `request.${to.toLowerCase()}`,
      recipientRequesterId: requesterId,
      recipientPhone: null,
      dedupeKey: `${change.id}:requester`,
      payload: { requestId: request.id, statusChangeId: change.id },
    });
    const rest = outbox.filter((o) => o !== requesterRow).map((o) => `${o.kind}>${o.recipientKind}>${o.recipientUserId ?? o.recipientPhone}`);

    if (to === "IN_REVIEW") {
      expect(change.note).toBe("ok");
      expect(rest).toEqual([]);
    }
    if (to === "APPROVED") {
      expect(rest.sort()).toEqual(
        [
          `coach.assigned>COACH>${coachId}`,
          `coach.letter>COACH>${coachId}`,
          `coach.calendar>COACH>${coachId}`,
          `reminder.session>COACH>${coachId}`,
          "reminder.session>PIC>+6281234567890",
        ].sort(),
      );
      const dayBefore = request.startAt.getTime() - 24 * 3600_000;
      for (const r of outbox.filter((o) => o.kind === "reminder.session")) expect(r.availableAt.getTime()).toBe(dayBefore);
      const assignments = await t.db.assignment.findMany({ where: { requestId: request.id } });
      expect(assignments.map((a) => [a.coachId, a.assignedById])).toEqual([[coachId, supervisor.userId]]);
    }
    if (to === "REJECTED") {
      expect(after.rejectionReason).toBe("Jadwal bentrok dengan sensus.");
      expect(change.note).toBe("Jadwal bentrok dengan sensus.");
      expect(rest).toEqual([]);
    }
    if (to === "DONE") {
      expect(rest).toEqual([`reminder.documentation>COACH>${coachId}`, `reminder.documentation>COACH>${coachId}`]);
      const rounds = outbox.filter((o) => o.kind === "reminder.documentation").map((o) => (o.payload as { round: number }).round);
      expect(rounds.sort()).toEqual([1, 2]);
      const later = outbox.find((o) => (o.payload as { round: number }).round === 2)!;
      // Three working days later: never fewer than three calendar days, never more than five.
      const days = (later.availableAt.getTime() - before.getTime()) / (24 * 3600_000);
      expect(days).toBeGreaterThanOrEqual(3 - 0.01);
      expect(days).toBeLessThanOrEqual(5 + 0.01);
    }
  });
});

describe("the requester cancels (6 statuses)", () => {
  it.each(ALL_STATUSES)("from %s", async (from) => {
    const request = await newRequest(from);
    const newOutbox = await outboxSince(request.id);
    const result = await codeOf(cancelByRequester(t.db, { requesterId }, request.id));
    const after = await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } });
    const outbox = await newOutbox();
    if (!REQUESTER_MAY.has(`${from}>CANCELLED`)) {
      expect(result).toBe("INVALID_TRANSITION");
      expect(after.status).toBe(from);
      expect(outbox).toHaveLength(0);
      return;
    }
    expect(result).toBe("OK");
    expect(after.status).toBe("CANCELLED");
    const change = await t.db.statusChange.findFirstOrThrow({ where: { requestId: request.id, toStatus: "CANCELLED" } });
    expect(change).toMatchObject({ fromStatus: from, actorRequesterId: requesterId, actorUserId: null, kind: "TRANSITION" });
    // Every supervisor of the handling office hears about it; nobody else does.
    expect(outbox.map((o) => `${o.kind}>${o.recipientKind}>${o.recipientUserId}`).sort()).toEqual(
      [`request.cancelled>SUPERVISOR>${supervisor.userId}`, `request.cancelled>SUPERVISOR>${otherSupervisorId}`].sort(),
    );
  });

  it("cannot cancel somebody else's request (looks like it does not exist)", async () => {
    const request = await newRequest("SUBMITTED");
    const stranger = await t.db.requester.create({ data: { name: "Orang lain" } });
    expect(await codeOf(cancelByRequester(t.db, { requesterId: stranger.id, phones: ["+6285200000000"] }, request.id))).toBe("NOT_FOUND");
    expect((await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("SUBMITTED");
  });
});

describe("requirements of a transition", () => {
  it("approval without coaches fails with COACH_REQUIRED and changes nothing", async () => {
    const request = await newRequest("IN_REVIEW");
    for (const coachIds of [undefined, []]) {
      expect(await codeOf(changeStatus(t.db, supervisor, { requestId: request.id, to: "APPROVED", coachIds }))).toBe("COACH_REQUIRED");
    }
    expect((await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("IN_REVIEW");
    expect(await t.db.assignment.count({ where: { requestId: request.id } })).toBe(0);
  });

  it("approval accepts coaches of the handling office and above, never from another province or below", async () => {
    const notEligible = [users.sulselCoach.userId, users.pekanbaruCoach.userId, users.admin.userId];
    for (const bad of notEligible) {
      const request = await newRequest("IN_REVIEW");
      expect(await codeOf(changeStatus(t.db, supervisor, { requestId: request.id, to: "APPROVED", coachIds: [coachId, bad] }))).toBe("COACH_NOT_ELIGIBLE");
      expect((await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("IN_REVIEW");
      expect(await t.db.assignment.count({ where: { requestId: request.id } })).toBe(0);
    }
    const request = await newRequest("IN_REVIEW");
    await changeStatus(t.db, supervisor, { requestId: request.id, to: "APPROVED", coachIds: [users.riCoach.userId, coachId, coachId] });
    expect((await t.db.assignment.findMany({ where: { requestId: request.id } })).map((a) => a.coachId).sort()).toEqual([users.riCoach.userId, coachId].sort());
  });

  it("a deleted coach is no longer eligible", async () => {
    const gone = await makeUser(t.db, offices.riau.id, ["COACH"], "gone");
    await t.db.user.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });
    const request = await newRequest("IN_REVIEW");
    expect(await codeOf(changeStatus(t.db, supervisor, { requestId: request.id, to: "APPROVED", coachIds: [gone.id] }))).toBe("COACH_NOT_ELIGIBLE");
  });

  it.each([undefined, "", "   ", "\u0000\u0007"])("rejection without a reason (%j) fails with REASON_REQUIRED", async (reason) => {
    const request = await newRequest("IN_REVIEW");
    expect(await codeOf(changeStatus(t.db, supervisor, { requestId: request.id, to: "REJECTED", reason }))).toBe("REASON_REQUIRED");
    expect((await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("IN_REVIEW");
  });

  it("an over-long reason is refused as invalid input", async () => {
    const request = await newRequest("IN_REVIEW");
    expect(await codeOf(changeStatus(t.db, supervisor, { requestId: request.id, to: "REJECTED", reason: "x".repeat(1001) }))).toBe("VALIDATION");
  });

  it("rejecting or cancelling cancels pending reminders and leaves other notices alone", async () => {
    for (const [kind, run] of [
      ["reject", (id: string) => changeStatus(t.db, supervisor, { requestId: id, to: "REJECTED", reason: "Di luar cakupan pembinaan." })],
      ["cancel", (id: string) => cancelByRequester(t.db, { requesterId }, id)],
    ] as const) {
      const request = await newRequest("IN_REVIEW");
      const base = { requestId: request.id, recipientKind: "SUPERVISOR" as const, recipientUserId: supervisor.userId };
      await t.db.outbox.createMany({
        data: [
          { ...base, kind: "reminder.review", dedupeKey: `${request.id}:${kind}:pending`, availableAt: new Date(Date.now() + 3600_000) },
          { ...base, kind: "reminder.review", dedupeKey: `${request.id}:${kind}:queued`, status: "QUEUED" },
          { ...base, kind: "reminder.review", dedupeKey: `${request.id}:${kind}:sent`, status: "SENT" },
          { ...base, kind: "request.submitted", dedupeKey: `${request.id}:${kind}:notice` },
        ],
      });
      await run(request.id);
      const rows = await t.db.outbox.findMany({ where: { requestId: request.id, dedupeKey: { startsWith: `${request.id}:${kind}:` } } });
      const statusOf = (suffix: string) => rows.find((r) => r.dedupeKey.endsWith(`:${suffix}`))!.status;
      expect([statusOf("pending"), statusOf("queued"), statusOf("sent"), statusOf("notice")]).toEqual(["CANCELLED", "CANCELLED", "SENT", "PENDING"]);
    }
  });

  it("a requester without a chat identity is told by phone", async () => {
    const request = await requestIn(t.db, "SUBMITTED", { supervisor, input: { requesterPhone: "+62 813-1111-2222" } });
    const { change } = await changeStatus(t.db, supervisor, { requestId: request.id, to: "IN_REVIEW" });
    const row = await t.db.outbox.findUniqueOrThrow({ where: { dedupeKey: `${change.id}:requester` } });
    expect(row).toMatchObject({ recipientKind: "REQUESTER", recipientRequesterId: null, recipientPhone: "+6281311112222", kind: "request.in_review" });
  });

  it("two supervisors moving the same request at once: exactly one wins", async () => {
    const request = await newRequest("SUBMITTED");
    const other = actorOf({ id: otherSupervisorId, roles: ["SUPERVISOR", "COACH"], officeId: offices.riau.id });
    const results = await Promise.all([supervisor, other].map((a) => codeOf(changeStatus(t.db, a, { requestId: request.id, to: "IN_REVIEW" }))));
    expect(results.sort()).toEqual(["INVALID_TRANSITION", "OK"]);
    expect(await t.db.statusChange.count({ where: { requestId: request.id, toStatus: "IN_REVIEW" } })).toBe(1);
  });
});

describe("who may change status", () => {
  it.each(["admin", "operator", "coach"] as const)("%s cannot change status to anything (FORBIDDEN)", async (who) => {
    const request = await newRequest("IN_REVIEW");
    for (const to of ALL_STATUSES) {
      expect(await codeOf(changeStatus(t.db, users[who], { requestId: request.id, to, coachIds: [coachId], reason: "alasan penolakan" }))).toBe("FORBIDDEN");
    }
    expect(await codeOf(assignCoaches(t.db, users[who], request.id, [coachId]))).toBe("FORBIDDEN");
    expect((await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("IN_REVIEW");
  });

  it("an ADMIN who is also a SUPERVISOR may", async () => {
    const both = actorOf(await makeUser(t.db, offices.riau.id, ["ADMIN", "SUPERVISOR"], "admin-sup"));
    const request = await newRequest("SUBMITTED");
    expect(await codeOf(changeStatus(t.db, both, { requestId: request.id, to: "IN_REVIEW" }))).toBe("OK");
  });

  it("a supervisor of a lower office cannot see, so cannot change, the province's requests", async () => {
    const request = await newRequest("SUBMITTED");
    expect(await codeOf(changeStatus(t.db, users.pekanbaruSupervisor, { requestId: request.id, to: "IN_REVIEW" }))).toBe("NOT_FOUND");
  });

  it("a soft-deleted request cannot change", async () => {
    const request = await newRequest("SUBMITTED");
    await t.db.coachingRequest.update({ where: { id: request.id }, data: { deletedAt: new Date() } });
    expect(await codeOf(changeStatus(t.db, supervisor, { requestId: request.id, to: "IN_REVIEW" }))).toBe("NOT_FOUND");
  });
});

describe("assigning more coaches", () => {
  it("adds a coach to an approved request with a trail row and an assignment notice", async () => {
    const request = await newRequest("APPROVED");
    const extra = users.riCoach.userId;
    const added = await assignCoaches(t.db, supervisor, request.id, [coachId, extra]);
    expect(added).toEqual([extra]);
    const trail = await t.db.statusChange.findFirstOrThrow({ where: { requestId: request.id, kind: "ASSIGNMENT" } });
    expect(trail).toMatchObject({ fromStatus: "APPROVED", toStatus: "APPROVED", actorUserId: supervisor.userId });
    expect(await t.db.outbox.count({ where: { requestId: request.id, kind: "coach.assigned", recipientUserId: extra } })).toBe(1);
    expect(await t.db.outbox.count({ where: { requestId: request.id, kind: "coach.assigned", recipientUserId: coachId } })).toBe(1);
    // Assigning the same coaches again changes nothing.
    expect(await assignCoaches(t.db, supervisor, request.id, [extra])).toEqual([]);
    expect(await t.db.statusChange.count({ where: { requestId: request.id, kind: "ASSIGNMENT" } })).toBe(1);
  });

  it("refuses before approval, without coaches, and with ineligible coaches", async () => {
    const inReview = await newRequest("IN_REVIEW");
    expect(await codeOf(assignCoaches(t.db, supervisor, inReview.id, [coachId]))).toBe("INVALID_TRANSITION");
    const approved = await newRequest("APPROVED");
    expect(await codeOf(assignCoaches(t.db, supervisor, approved.id, []))).toBe("COACH_REQUIRED");
    expect(await codeOf(assignCoaches(t.db, supervisor, approved.id, [users.sulselCoach.userId]))).toBe("COACH_NOT_ELIGIBLE");
  });
});
