// Reminders: scheduled as outbox rows due the day before the session (coach and PIC) and on
// DONE for documentation (now and 3 working days later); never sent once cancelled, even if
// the job is already in the queue.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDelivery } from "../../bot/delivery/index.js";
import { deliveryQueues, jobIdOf } from "../../bot/delivery/queues.js";
import { relayOnce } from "../../bot/delivery/relay.js";
import { addDocumentation } from "../../core/documentation/service.js";
import { addWorkingDays } from "../../core/notifications/intents.js";
import { cancelByRequester, changeStatus, submitRequest } from "../../core/requests/service.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, makeUser, requestInput, seedOffices } from "../helpers/fixtures.js";
import { coachingHasStarted } from "../helpers/requests.js";
import { closeContext, notifyContext, type RecordingSender, recordingSender, waitFor } from "./helpers.js";

let t: TestDb;
let ctx: AppContext;
let officeId: string;
let web: RecordingSender;

beforeAll(async () => {
  t = await createTestDb();
  officeId = (await seedOffices(t.db)).riau.id;
  ctx = await notifyContext(t);
  web = recordingSender("web");
});
afterAll(async () => {
  await closeContext(ctx);
  await t.drop();
});

const DAY = 24 * 3600_000;

async function people(tag: string) {
  const sup = await makeUser(t.db, officeId, ["SUPERVISOR"], `${tag} sup`);
  const coach = await makeUser(t.db, officeId, ["COACH"], `${tag} coach`);
  await t.db.channelIdentity.create({ data: { channel: "web", externalId: `${tag}-coach`, userId: coach.id } });
  const requester = await t.db.requester.create({ data: { name: tag, phone: "+6281234567890", locale: "en" } });
  const identity = await t.db.channelIdentity.create({ data: { channel: "web", externalId: `${tag}-pic`, requesterId: requester.id, locale: "en" } });
  return { sup: actorOf(sup), coach, requester, identity };
}

async function approved(tag: string, startAt = new Date(Date.now() + 10 * DAY)) {
  const p = await people(tag);
  const { request } = await submitRequest(t.db, requestInput({ startAt, endAt: new Date(startAt.getTime() + 2 * 3600_000) }), {
    channel: "web",
    identityId: p.identity.id,
    requesterId: p.requester.id,
    defaultOfficeId: officeId,
  });
  await changeStatus(t.db, p.sup, { requestId: request.id, to: "IN_REVIEW" });
  await changeStatus(t.db, p.sup, { requestId: request.id, to: "APPROVED", coachIds: [p.coach.id] });
  return { ...p, request };
}

describe("reminders", () => {
  it("are scheduled for the day before, wait until then, and then reach coach and PIC", async () => {
    const { request } = await approved("sched");
    const reminders = await t.db.outbox.findMany({ where: { requestId: request.id, kind: "reminder.session" }, orderBy: { recipientKind: "asc" } });
    expect(reminders.map((r) => [r.recipientKind, r.availableAt.getTime()])).toEqual([
      ["PIC", request.startAt.getTime() - DAY],
      ["COACH", request.startAt.getTime() - DAY],
    ]);
    const queues = deliveryQueues(ctx);
    await relayOnce(ctx, queues, new Set(["web"]));
    // Due notices were queued; the reminders are not due yet and stay in PostgreSQL.
    expect((await t.db.outbox.findMany({ where: { requestId: request.id, kind: "reminder.session" } })).map((r) => r.status)).toEqual(["PENDING", "PENDING"]);
    expect(await t.db.outbox.count({ where: { requestId: request.id, kind: "coach.assigned", status: "QUEUED" } })).toBe(1);

    // The day before arrives.
    const delivery = startDelivery(ctx, [web], { relay: { pollMs: 50 } });
    try {
      await relayOnce(ctx, queues, new Set(["web"]), 200, new Date(request.startAt.getTime() - DAY + 1000));
      await waitFor(async () => (await t.db.outbox.count({ where: { requestId: request.id, kind: "reminder.session", status: "SENT" } })) === 2);
      // (The Surat Tugas and its calendar file come as documents beside the notices.)
      const coachTexts = web.sent.filter((m) => m.address === "sched-coach" && !m.document).map((m) => m.text);
      expect(coachTexts).toEqual([expect.stringContaining("Penunjukan Narasumber"), expect.stringContaining("besok Anda menjadi narasumber")]);
      const picTexts = web.sent.filter((m) => m.address === "sched-pic").map((m) => m.text);
      expect(picTexts.filter((x) => x.startsWith("Reminder: coaching"))).toHaveLength(1);
    } finally {
      await delivery.stop();
    }
  });

  it("a rejected or cancelled request leaves no reminder behind, and people hear why", async () => {
    const p = await people("reject");
    const { request } = await submitRequest(t.db, requestInput(), {
      channel: "web",
      identityId: p.identity.id,
      requesterId: p.requester.id,
      defaultOfficeId: officeId,
    });
    await changeStatus(t.db, p.sup, { requestId: request.id, to: "IN_REVIEW" });
    await changeStatus(t.db, p.sup, { requestId: request.id, to: "REJECTED", reason: "Jadwal bentrok dengan kegiatan sensus." });
    const q = await people("cancel");
    const { request: other } = await submitRequest(t.db, requestInput({ agencyName: "Bappeda Kota Dumai" }), {
      channel: "web",
      identityId: q.identity.id,
      requesterId: q.requester.id,
      defaultOfficeId: officeId,
    });
    await cancelByRequester(t.db, { identityId: q.identity.id, requesterId: q.requester.id }, other.id);
    for (const id of [request.id, other.id])
      expect(await t.db.outbox.count({ where: { requestId: id, kind: { startsWith: "reminder." }, status: "PENDING" } })).toBe(0);
    const delivery = startDelivery(ctx, [web], { relay: { pollMs: 50 } });
    try {
      await waitFor(() => web.sent.some((m) => m.address === "reject-pic" && m.text.includes("Jadwal bentrok dengan kegiatan sensus.")));
      await waitFor(
        async () => (await t.db.outbox.count({ where: { requestId: other.id, kind: "request.cancelled", status: { in: ["SENT", "UNREACHABLE"] } } })) > 0,
      );
      expect(web.sent.filter((m) => m.address === "reject-pic").map((m) => m.text)).toEqual([
        expect.stringContaining("is now In process"),
        expect.stringContaining("could not be approved"),
      ]);
    } finally {
      await delivery.stop();
    }
  });

  it("documentation: asked on DONE, again after 3 working days, and a reminder cancelled while queued is never sent", async () => {
    const { request, sup, coach } = await approved("docs", new Date(Date.now() + 2 * 3600_000));
    await coachingHasStarted(t.db, request.id);
    const doneAt = new Date();
    await changeStatus(t.db, sup, { requestId: request.id, to: "DONE", now: doneAt });
    const rows = await t.db.outbox.findMany({ where: { requestId: request.id, kind: "reminder.documentation" }, orderBy: { availableAt: "asc" } });
    // Round 1 is due at once (written at commit time), round 2 three working days later.
    expect(Math.abs(rows[0]!.availableAt.getTime() - doneAt.getTime())).toBeLessThan(5_000);
    expect(rows[1]!.availableAt.getTime()).toBe(addWorkingDays(doneAt, 3).getTime());
    // The same-day session reminder can no longer be useful: it was due before approval.
    expect(await t.db.outbox.count({ where: { requestId: request.id, kind: "reminder.session", recipientKind: "COACH" } })).toBe(0);

    const round1 = rows[0]!;
    const round2 = rows[1]!;
    let delivery = startDelivery(ctx, [web], { relay: { pollMs: 50 } });
    try {
      await waitFor(async () => (await t.db.outbox.findUniqueOrThrow({ where: { id: round1.id } })).status === "SENT");
    } finally {
      await delivery.stop();
    }
    // Three working days later the relay queues round 2 ...
    const queues = deliveryQueues(ctx);
    await relayOnce(ctx, queues, new Set(["web"]), 200, new Date(addWorkingDays(doneAt, 3).getTime() + 1000));
    expect((await t.db.outbox.findUniqueOrThrow({ where: { id: round2.id } })).status).toBe("QUEUED");
    expect(await queues.get("web").getJobState(jobIdOf(round2.id, "web"))).toBe("waiting");
    // ... but the coach uploads everything before the worker gets to it.
    for (const kind of ["ATTENDANCE", "PHOTO", "MINUTES"] as const) {
      await addDocumentation(t.db, actorOf(coach), { requestId: request.id, kind, link: `https://drive.example.go.id/${kind}` });
    }
    expect((await t.db.outbox.findUniqueOrThrow({ where: { id: round2.id } })).status).toBe("CANCELLED");
    delivery = startDelivery(ctx, [web], { relay: { pollMs: 50 } });
    try {
      await waitFor(async () => (await deliveryQueues(ctx).get("web").getJobState(jobIdOf(round2.id, "web"))) === "completed");
      const toCoach = web.sent.filter((m) => m.address === "docs-coach").map((m) => m.text);
      expect(toCoach.filter((x) => x.includes("Mohon unggah dokumentasinya"))).toHaveLength(1);
      expect(toCoach.filter((x) => x.includes("Daftar Hadir, Foto, Notulensi"))).toHaveLength(1);
      expect(toCoach.filter((x) => x.includes("Pengingat kedua"))).toEqual([]);
      expect((await t.db.outbox.findUniqueOrThrow({ where: { id: round2.id } })).status).toBe("CANCELLED");
    } finally {
      await delivery.stop();
    }
  });
});
