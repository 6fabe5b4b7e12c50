// Ticket codes: unique, consecutive and never reused, even under 50 submissions at once;
// the same chat form never creates two requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitRequest } from "../../core/requests/service.js";
import { formatTicketCode } from "../../core/requests/tickets.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { makeUser, requestInput, seedOffices } from "../helpers/fixtures.js";

let t: TestDb;
let offices: Awaited<ReturnType<typeof seedOffices>>;

beforeAll(async () => {
  // Enough connections that all 50 transactions really run at the same time.
  t = await createTestDb(60);
  offices = await seedOffices(t.db);
  await makeUser(t.db, offices.riau.id, ["SUPERVISOR"], "sup");
});
afterAll(async () => t.drop());

describe("ticket codes", () => {
  it("formats PB-<year>-<at least five digits>", () => {
    expect(formatTicketCode(2026, 42)).toBe("PB-2026-00042");
    expect(formatTicketCode(2026, 123456)).toBe("PB-2026-123456");
  });

  it("stay unique and consecutive under 50 concurrent submissions", async () => {
    const now = new Date("2031-06-01T03:00:00Z");
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        submitRequest(t.db, requestInput({ description: `Permintaan serentak nomor ${i}` }), { channel: "web", defaultOfficeId: offices.riau.id, now }),
      ),
    );
    const codes = results.map((r) => r.request.code);
    expect(new Set(codes).size).toBe(50);
    expect([...codes].sort()).toEqual(Array.from({ length: 50 }, (_, i) => formatTicketCode(2031, i + 1)));
    expect(results.every((r) => r.created)).toBe(true);
    // Every request got its trail row and its supervisor notice, none lost in the rush.
    const ids = results.map((r) => r.request.id);
    expect(await t.db.statusChange.count({ where: { requestId: { in: ids }, toStatus: "SUBMITTED", fromStatus: null } })).toBe(50);
    expect(await t.db.outbox.count({ where: { requestId: { in: ids }, kind: "request.submitted" } })).toBe(50);
    expect(await t.db.ticketCounter.findUnique({ where: { year: 2031 } })).toEqual({ year: 2031, last: 50 });
  });

  it("count per year in the handling office's time zone", async () => {
    // 31/12/2035 23:30 in WIB is already 01/01/2036 00:30 in WITA.
    const now = new Date("2035-12-31T16:30:00Z");
    const riau = await submitRequest(t.db, requestInput(), { channel: "web", defaultOfficeId: offices.riau.id, now });
    const sulsel = await submitRequest(t.db, requestInput(), { channel: "web", defaultOfficeId: offices.sulsel.id, now });
    expect(riau.request.code).toBe("PB-2035-00001");
    expect(sulsel.request.code).toBe("PB-2036-00001");
    const next = await submitRequest(t.db, requestInput(), { channel: "web", defaultOfficeId: offices.riau.id, now });
    expect(next.request.code).toBe("PB-2035-00002");
  });

  it("are never reused, even after a request is deleted", async () => {
    const now = new Date("2037-03-01T03:00:00Z");
    const first = await submitRequest(t.db, requestInput(), { channel: "web", defaultOfficeId: offices.riau.id, now });
    await t.db.coachingRequest.update({ where: { id: first.request.id }, data: { deletedAt: new Date() } });
    const second = await submitRequest(t.db, requestInput(), { channel: "web", defaultOfficeId: offices.riau.id, now });
    expect([first.request.code, second.request.code]).toEqual(["PB-2037-00001", "PB-2037-00002"]);
  });
});

describe("submission keys", () => {
  it("the same form submitted twice, even at once, creates one request", async () => {
    const now = new Date("2039-02-01T03:00:00Z");
    const opts = { channel: "telegram" as const, defaultOfficeId: offices.riau.id, submissionKey: "telegram:42:form-7", now };
    const results = await Promise.all(Array.from({ length: 5 }, () => submitRequest(t.db, requestInput(), opts)));
    expect(new Set(results.map((r) => r.request.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await t.db.coachingRequest.count({ where: { submissionKey: opts.submissionKey } })).toBe(1);
    const again = await submitRequest(t.db, requestInput(), opts);
    expect(again).toMatchObject({ created: false, request: { id: results[0]!.request.id, code: "PB-2039-00001" } });
    // The losers' counter increments were rolled back: the next code follows on.
    const other = await submitRequest(t.db, requestInput(), { ...opts, submissionKey: "telegram:42:form-8" });
    expect(other.request.code).toBe("PB-2039-00002");
  });
});
