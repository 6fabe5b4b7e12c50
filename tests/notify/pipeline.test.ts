// The whole path on real PostgreSQL and Redis: a request moves through its lifecycle, the
// outbox gets exactly one row per notice and recipient, and each linked person receives
// exactly one message per notice, in their language.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, makeUser, requestInput, seedOffices } from "../helpers/fixtures.js";
import { closeContext, notifyContext, type RecordingSender, recordingSender, waitFor } from "./helpers.js";

let t: TestDb;
let ctx: AppContext;
let delivery: Delivery;
let web: RecordingSender;

beforeAll(async () => {
  t = await createTestDb();
  await seedOffices(t.db);
  ctx = await notifyContext(t);
  web = recordingSender("web");
  delivery = startDelivery(ctx, [web], { relay: { pollMs: 50 } });
});
afterAll(async () => {
  await delivery.stop();
  await closeContext(ctx);
  await t.drop();
});

describe("notification pipeline", () => {
  it("delivers each notice of a request's life exactly once, to the right people, in their language", async () => {
    const riau = await t.db.office.findUniqueOrThrow({ where: { code: "1400" } });
    const supId = await makeUser(t.db, riau.id, ["SUPERVISOR"], "Rahmat Supervisor");
    const supEn = await makeUser(t.db, riau.id, ["SUPERVISOR"], "Sarah Supervisor");
    await t.db.user.update({ where: { id: supEn.id }, data: { locale: "en" } });
    const coach = await makeUser(t.db, riau.id, ["COACH"], "FATHIR MAULA. S");
    const unlinkedCoach = await makeUser(t.db, riau.id, ["COACH"], "Budi Tanpa Chat");
    await t.db.channelIdentity.createMany({
      data: [
        { channel: "web", externalId: "web-sup-id", userId: supId.id },
        { channel: "web", externalId: "web-sup-en", userId: supEn.id },
        { channel: "web", externalId: "web-coach", userId: coach.id },
      ],
    });
    const requester = await t.db.requester.create({ data: { name: "Siddik", phone: "+6281234567890", locale: "en" } });
    const identity = await t.db.channelIdentity.create({ data: { channel: "web", externalId: "web-siddik", requesterId: requester.id, locale: "en" } });

    const { request } = await submitRequest(t.db, requestInput(), {
      channel: "web",
      identityId: identity.id,
      requesterId: requester.id,
      defaultOfficeId: riau.id,
    });
    const sup = actorOf(supId);
    await changeStatus(t.db, sup, { requestId: request.id, to: "IN_REVIEW" });
    await changeStatus(t.db, sup, { requestId: request.id, to: "APPROVED", coachIds: [coach.id, unlinkedCoach.id] });
    delivery.kick();

    const to = (address: string) => web.sent.filter((m) => m.address === address);
    await waitFor(() => to("web-siddik").length >= 2 && to("web-coach").length >= 3 && to("web-sup-en").length >= 1, 15_000, "notices").catch(async (e) => {
      console.log(JSON.stringify(await t.db.outbox.findMany({ select: { kind: true, status: true, lastError: true, attempts: true } })), web.sent.length);
      throw e;
    });
    // Nothing more arrives later: give the queue a moment to prove it.
    await waitFor(async () => (await t.db.outbox.count({ where: { status: { in: ["PENDING", "QUEUED"] }, availableAt: { lte: new Date() } } })) === 0);

    // Supervisors: one alert each, with the panel link, in their own language.
    expect(to("web-sup-id").map((m) => m.text)).toEqual([expect.stringContaining("Pengajuan baru")]);
    expect(to("web-sup-id")[0]!.text).toContain(`https://sibina.example.go.id/requests/${request.id}`);
    expect(to("web-sup-en").map((m) => m.text)).toEqual([expect.stringContaining("New request")]);

    // The requester chose English: in process, then approved with the coaches' names
    // (queued in that order; delivery order between two quick changes is best effort).
    const mine = to("web-siddik").map((m) => m.text);
    expect(mine).toHaveLength(2);
    expect(mine.filter((x) => x.includes("is now In process"))).toHaveLength(1);
    const approvedText = mine.find((x) => x.includes("APPROVED"));
    expect(approvedText).toContain("FATHIR MAULA. S");
    expect(approvedText).toContain("Budi Tanpa Chat");

    // The linked coach gets the SPEKTRAL notice in Indonesian, and the Surat Tugas and its calendar
    // file as documents; the other coach is "not notified".
    const notice = to("web-coach").filter((m) => !m.document);
    expect(notice).toHaveLength(1);
    const documents = to("web-coach").filter((m) => m.document);
    expect(documents.map((m) => m.document!.mimeType).sort()).toEqual(["application/pdf", "text/calendar"]);
    expect(documents.map((m) => m.document!.fileName).sort()).toEqual([`Surat-Tugas-${request.code}.ics`, `Surat-Tugas-${request.code}.pdf`]);
    expect(notice[0]!.text).toContain("Penunjukan Narasumber Pembinaan");
    expect(notice[0]!.text).toContain("Yth. Bapak/Ibu FATHIR MAULA. S");
    expect(notice[0]!.text).toMatch(/Tanggal: \d{2}\/\d{2}\/\d{4} Pukul: \d{2}:\d{2} WIB/);
    expect(notice[0]!.text).toContain("PIC Kegiatan: Siddik Pratama (081234567890)");
    const unreachable = await t.db.outbox.findMany({ where: { requestId: request.id, status: "UNREACHABLE" } });
    expect(unreachable.map((r) => [r.kind, r.recipientUserId]).sort()).toEqual([
      ["coach.assigned", unlinkedCoach.id],
      ["coach.calendar", unlinkedCoach.id],
      ["coach.letter", unlinkedCoach.id],
    ]);

    // Every delivered row has exactly one Delivery per channel and is SENT.
    // The submit receipt was the bot's own reply in chat: recorded as sent, never delivered again.
    const receipt = await t.db.outbox.findUniqueOrThrow({ where: { dedupeKey: `${request.id}:received` }, include: { deliveries: true } });
    expect([receipt.status, receipt.deliveries.length]).toEqual(["SENT", 0]);
    const sentRows = await t.db.outbox.findMany({
      where: { requestId: request.id, status: "SENT", kind: { not: "request.received" } },
      include: { deliveries: true },
    });
    expect(sentRows.length).toBe(web.sent.length);
    for (const row of sentRows) expect(row.deliveries.map((d) => [d.channel, d.status])).toEqual([["web", "SENT"]]);
    // The reminders wait for the day before the session.
    const reminders = await t.db.outbox.findMany({ where: { requestId: request.id, kind: "reminder.session" } });
    expect(reminders.map((r) => r.status)).toEqual(["PENDING", "PENDING", "PENDING"]);
  });
});
