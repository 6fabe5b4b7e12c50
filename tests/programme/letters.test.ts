// The Surat Tugas of an approved coaching: numbered from the office's format (once), on the office
// letterhead, with the coaches and their NIP, the event, date, place and signer; plus a calendar file.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ensureSuratTugas, formatLetterNumber } from "../../core/programme/letters.js";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { LocalDiskStorage } from "../../core/storage/index.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, makeUser, requestInput, seedOffices } from "../helpers/fixtures.js";
import { pdfText } from "./pdf-text.js";

let t: TestDb;
let dir = "";
beforeAll(async () => {
  t = await createTestDb();
  dir = await mkdtemp(path.join(tmpdir(), "sibina-letters-"));
});
afterAll(async () => {
  await t?.drop();
  await rm(dir, { recursive: true, force: true });
});

it("formats numbers from the office's pattern", () => {
  expect(formatLetterNumber("B-{seq}/{code}/KP.650/{roman}/{year}", { seq: 7, code: "1400", month: 3, year: 2027 })).toBe("B-007/1400/KP.650/III/2027");
});

it("makes the letter and the calendar file once, with everything the coaches need", async () => {
  const { riau } = await seedOffices(t.db);
  await t.db.office.update({
    where: { id: riau.id },
    data: { letterNumberFormat: "ST-{seq}/{code}/{month}/{year}", address: "Jl. Pattimura No. 12, Pekanbaru" },
  });
  const sup = await makeUser(t.db, riau.id, ["SUPERVISOR"], "Hendra Gunawan");
  await t.db.user.update({ where: { id: sup.id }, data: { nip: "197805202002121001", position: "Kepala BPS Provinsi Riau" } });
  const coach = await makeUser(t.db, riau.id, ["COACH"], "Siti Nurhaliza");
  await t.db.user.update({ where: { id: coach.id }, data: { nip: "199405182017012002", position: "Statistisi Ahli Pertama" } });
  const start = new Date("2027-03-10T02:00:00Z");
  const { request } = await submitRequest(t.db, requestInput({ startAt: start, endAt: new Date("2027-03-10T05:00:00Z") }), {
    channel: "web",
    defaultOfficeId: riau.id,
    now: new Date("2027-02-01T00:00:00Z"),
  });
  await changeStatus(t.db, actorOf(sup), { requestId: request.id, to: "IN_REVIEW" });
  await changeStatus(t.db, actorOf(sup), { requestId: request.id, to: "APPROVED", coachIds: [coach.id], now: new Date("2027-02-02T00:00:00Z") });
  expect((await t.db.outbox.findMany({ where: { requestId: request.id, kind: { in: ["coach.letter", "coach.calendar"] } } })).length).toBe(2);

  const storage = new LocalDiskStorage(dir);
  const now = new Date("2027-02-03T03:00:00Z");
  const first = await ensureSuratTugas(t.db, storage, request.id, now);
  const again = await ensureSuratTugas(t.db, storage, request.id, now);
  expect([again.pdf.id, again.ics.id]).toEqual([first.pdf.id, first.ics.id]);
  const stored = await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } });
  expect(stored.letterNumber).toBe("ST-001/1400/02/2027");

  const pdf = await storage.get(first.pdf.storageKey);
  expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
  const text = pdfText(pdf);
  for (const part of [
    "BPS PROVINSI RIAU",
    "SURAT TUGAS",
    "Nomor: ST-001/1400/02/2027",
    "Siti Nurhaliza",
    ": 199405182017012002",
    "Diklat/Bimtek - Dinas Kominfo Provinsi Riau",
    ": 10/03/2027, 09:00 WIB - 12:00 WIB",
    ": Aula Diskominfo, Pekanbaru",
    "Hendra Gunawan",
    "NIP 197805202002121001",
  ])
    expect(text).toContain(part);

  const ics = (await storage.get(first.ics.storageKey)).toString("utf8");
  expect(ics).toContain("BEGIN:VCALENDAR");
  expect(ics).toContain("DTSTART:20270310T020000Z");
  expect(ics).toContain("DTEND:20270310T050000Z");
  expect(ics).toContain(`UID:${request.id}@sibina`);
  expect(ics).toContain("LOCATION:Aula Diskominfo\\, Pekanbaru");
});
