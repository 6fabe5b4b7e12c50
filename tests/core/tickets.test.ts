// Ticket codes: unique, consecutive and never reused, even under 50 submissions at once;
// the same chat form never creates two requests.
import pg from "pg";
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

  it("written in SQL exactly as formatTicketCode formats them, past five digits too", async () => {
    const now = new Date("2040-05-01T03:00:00Z");
    await t.db.ticketCounter.create({ data: { year: 2040, last: 99_998 } });
    const codes = [];
    for (let i = 0; i < 2; i++) codes.push((await submitRequest(t.db, requestInput(), { channel: "web", defaultOfficeId: offices.riau.id, now })).request.code);
    expect(codes).toEqual([formatTicketCode(2040, 99_999), formatTicketCode(2040, 100_000)]);
    const stored = await t.db.coachingRequest.findMany({ where: { code: { in: codes } }, select: { code: true } });
    expect(stored.map((r) => r.code).sort()).toEqual([...codes].sort());
  });

  it("lock the year's counter only at the end: a submission has written everything else before it waits", async () => {
    const now = new Date("2041-05-01T03:00:00Z");
    await t.db.ticketCounter.create({ data: { year: 2041, last: 7 } });
    // Another transaction holds the counter row, as a concurrent submission would.
    const holder = new pg.Client({ connectionString: t.url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query(`SELECT 1 FROM "TicketCounter" WHERE "year" = 2041 FOR UPDATE`);
      const pending = submitRequest(t.db, requestInput(), { channel: "web", defaultOfficeId: offices.riau.id, now });
      // Polled with a generous deadline: under load the submission may take a while to get there.
      let waiting: number | undefined;
      for (const until = Date.now() + 30_000; waiting === undefined && Date.now() < until; ) {
        const rows = await holder.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        waiting = rows.rows[0]?.pid;
        if (waiting === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      expect(waiting, "a submission waiting for the counter row").toBeDefined();
      // The tables it already wrote to (row-exclusive locks are held until its commit).
      const written = await holder.query<{ name: string }>(
        `SELECT relation::regclass::text AS name FROM pg_locks WHERE pid = $1 AND locktype = 'relation' AND mode = 'RowExclusiveLock' AND granted`,
        [waiting],
      );
      expect(written.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['"CoachingRequest"', '"StatusChange"', '"Outbox"']));
      await holder.query("COMMIT");
      expect((await pending).request.code).toBe(formatTicketCode(2041, 8));
    } finally {
      await holder.end();
    }
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
