// The requests pages: filters, keyset pages, exports, the detail trail, and every action a
// supervisor or admin takes on a request, through the forms.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordClarificationAnswer } from "../../core/requests/clarification.js";
import { type Client, emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let p: Panel;
let sup: Client;
let admin: Client;
let riauId: string;
const DAY = 24 * 3600_000;

const byAgency = (name: string) => p.ctx.db.coachingRequest.findFirstOrThrow({ where: { agencyName: { startsWith: name }, deletedAt: null } });
const codesIn = (html: string) => [...html.matchAll(/<tr data-code="([^"]+)"/g)].map((m) => m[1]!);

beforeAll(async () => {
  p = await startPanel();
  riauId = (await p.ctx.db.office.findUniqueOrThrow({ where: { code: "1400" } })).id;
  // 130 older requests in Riau, so lists have several keyset pages.
  const base = Date.now() - 400 * DAY;
  await p.ctx.db.coachingRequest.createMany({
    data: Array.from({ length: 130 }, (_, i) => ({
      code: `PB-2025-${String(90000 + i)}`,
      requesterName: `Pengaju Massal ${i}`,
      requesterPhone: "+6281200000000",
      requesterEmail: `massal${i}@contoh.go.id`,
      agencyName: i % 2 ? "Dinas Perhubungan Provinsi Riau" : "Dinas Sosial Provinsi Riau",
      agencyLevel: "PROVINCE" as const,
      isDataProducer: true,
      serviceType: i % 3 ? ("FGD" as const) : ("WORKSHOP" as const),
      topics: ["SATU_DATA" as const],
      description: i === 7 ? '=HYPERLINK("http://evil.example","klik")' : `Kegiatan massal nomor ${i}`,
      location: "Pekanbaru",
      mode: "OFFLINE" as const,
      startAt: new Date(base + i * DAY),
      endAt: new Date(base + i * DAY + 3 * 3600_000),
      picName: "PIC Massal",
      picPhone: "+6281200000000",
      status: "DONE" as const,
      officeId: riauId,
      channel: "web" as const,
      createdAt: new Date(base + i * 3600_000),
    })),
  });
  sup = await signedIn(p.app, emailOf("SUPERVISOR"));
  admin = await signedIn(p.app, emailOf("ADMIN"));
});
afterAll(async () => p?.close());

describe("list", () => {
  it("pages through every request exactly once, newest first, by keyset", async () => {
    const seen: string[] = [];
    let url = "/requests";
    for (let i = 0; i < 10 && url; i++) {
      const res = await sup.get(url);
      expect(res.statusCode).toBe(200);
      seen.push(...codesIn(res.body));
      const next = /href="(\/requests\?after=[^"]+)" data-testid="next-page"/.exec(res.body)?.[1];
      url = next ? next.replace(/&amp;/g, "&") : "";
    }
    const expected = await p.ctx.db.coachingRequest.findMany({
      where: {
        deletedAt: null,
        office: { code: { in: ["1400", "1401", "1402", "1403", "1404", "1405", "1406", "1407", "1408", "1409", "1410", "1471", "1473"] } },
      },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { code: true },
    });
    expect(seen).toEqual(expected.map((r) => r.code));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThan(130);
  });

  it("filters by status, service, office, agency, coaching date and free text", async () => {
    const only = async (qs: string) => codesIn((await sup.get(`/requests?${qs}`)).body);
    expect(await only("status=IN_REVIEW")).toHaveLength(2);
    const workshops = await only("service=WORKSHOP&status=DONE");
    expect(workshops.length).toBe(44);
    const inReview = await byAgency("Dinas Kesehatan Provinsi Riau");
    expect(await only(`q=${encodeURIComponent("maya.sari")}`)).toEqual([inReview.code]);
    expect(await only(`q=${inReview.code.toLowerCase()}`)).toEqual([inReview.code]);
    expect((await only("agency=perhubungan")).length).toBe(50); // one page
    expect(JSON.parse((await sup.get("/requests.json?agency=perhubungan")).body).count).toEqual({ count: 65, capped: false });
    const pekanbaru = (await p.ctx.db.office.findUniqueOrThrow({ where: { code: "1471" } })).id;
    // Two chat requests, plus the coachings the demo programme year records for Pekanbaru (BPS-initiated).
    const bpsInitiated = await p.ctx.db.coachingRequest.count({ where: { officeId: pekanbaru, initiative: "BPS" } });
    expect(bpsInitiated).toBeGreaterThan(0);
    expect((await only(`office=${pekanbaru}`)).length).toBe(2 + bpsInitiated);
    const first = new Date(Date.now() - 400 * DAY);
    const day = (d: Date) => new Date(d.getTime() + 7 * 3600_000).toISOString().slice(0, 10);
    expect(await only(`from=${day(first)}&to=${day(first)}`)).toEqual(["PB-2025-90000"]);
    // Junk parameters are ignored, never an error.
    expect((await sup.get("/requests?status=NOPE&office=x&from=2020-99&after=%%%")).statusCode).toBe(200);
  });

  it("shows the triage columns, the other SPEKTRAL fields in an expandable row, and the JSON twin returns the same page", async () => {
    const html = (await sup.get("/requests?status=IN_REVIEW")).body;
    // Issue 13: what fits at 1366 px without scrolling sideways.
    const headers = [...html.matchAll(/<th>([^<]+)<\/th>/g)].map((m) => m[1]);
    expect(headers).toEqual(["Kode", "Instansi", "Jenis layanan", "Waktu pembinaan", "Status", "Pembina", "Aksi"]);
    for (const h of ["Identitas pengaju", "Tingkat", "Produsen data", "Deskripsi", "Lokasi", "PIC", "Lampiran"]) {
      expect(html).toContain(`<dt>${h}</dt>`);
    }
    const json = JSON.parse((await sup.get("/requests.json?status=IN_REVIEW")).body) as { rows: { code: string }[]; count: { count: number } };
    expect(json.rows.map((r) => r.code)).toEqual(codesIn(html));
    expect(json.count.count).toBe(2);
  });

  it("exports the filtered set as CSV (formulas neutralised) and XLSX", async () => {
    const csv = await sup.get("/requests/export.csv?agency=perhubungan");
    expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
    expect(csv.headers["content-disposition"]).toContain("attachment");
    const lines = csv.body
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    // Indonesian-locale Excel reads ";" between fields.
    expect(lines[0]).toMatch(/^Kode;Tanggal pengajuan;Nama pengaju;NIP;Telepon;Email;Instansi/);
    expect(lines).toHaveLength(66);
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil.example"",""klik"")"`);
    const xlsx = await sup.get("/requests/export.xlsx?agency=perhubungan");
    expect(xlsx.headers["content-type"]).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe("PK");
    expect(xlsx.rawPayload.includes(Buffer.from("xl/worksheets/sheet1.xml"))).toBe(true);
    const audits = await p.ctx.db.auditLog.findMany({ where: { action: "request.export" } });
    expect(audits.map((a) => (a.changes as { format: string; rows: number }).rows).sort()).toEqual([65, 65]);
  });
});

describe("change status", () => {
  it("offers only the next statuses of the lifecycle", async () => {
    const waiting = await byAgency("Dinas Komunikasi, Informatika dan Statistik Provinsi Riau");
    const page = await sup.get(`/requests/${waiting.id}/status`);
    const options = [...page.body.matchAll(/<option value="([A-Z_]+)"/g)].map((m) => m[1]);
    expect(options).toEqual(["IN_REVIEW"]);
    const bad = await sup.post(`/requests/${waiting.id}/status`, { to: "DONE" });
    expect(bad.statusCode).toBe(409);
    expect(bad.body).toContain("Status tidak dapat diubah dari Menunggu Diproses ke Selesai");
  });

  it("needs coaches to approve and a reason to reject, then approves with two coaches and warns of overlaps", async () => {
    const r = await byAgency("Dinas Kesehatan Provinsi Riau");
    await sup.get(`/requests/${r.id}/status`);
    const noCoach = await sup.post(`/requests/${r.id}/status`, { to: "APPROVED" });
    expect(noCoach.statusCode).toBe(409);
    expect(noCoach.body).toContain("Pilih minimal satu pembina");
    const noReason = await sup.post(`/requests/${r.id}/status`, { to: "REJECTED", reason: "   " });
    expect(noReason.statusCode).toBe(409);
    expect(noReason.body).toContain("Tuliskan alasan penolakan");
    const fathir = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "pembina1@sibina.test" } });
    const siti = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "pembina2@sibina.test" } });
    const ok = await sup.post(`/requests/${r.id}/status`, { to: "APPROVED", coachIds: [fathir.id, siti.id], note: "Disetujui rapat tim" });
    expect(ok.statusCode).toBe(302);
    const after = await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: r.id }, include: { assignments: true } });
    expect(after.status).toBe("APPROVED");
    expect(after.assignments.map((a) => a.coachId).sort()).toEqual([fathir.id, siti.id].sort());
    const detail = await sup.get(`/requests/${r.id}`);
    expect(detail.body).toContain("Status berhasil diubah".slice(0, 6));
    expect(detail.body).toContain("Fathir Maula S");
    expect(detail.body).toContain("Penunjukan pembina");
    const audit = await p.ctx.db.auditLog.findFirstOrThrow({ where: { action: "request.status", entityId: r.id }, orderBy: { createdAt: "desc" } });
    expect(audit.changes).toMatchObject({ status: { from: "IN_REVIEW", to: "APPROVED" } });

    // Another request at the same time: the picker warns that Fathir is already busy.
    const other = await byAgency("Dinas Komunikasi dan Informatika Kota Pekanbaru");
    await p.ctx.db.coachingRequest.update({ where: { id: other.id }, data: { startAt: after.startAt, endAt: after.endAt } });
    const picker = await sup.get(`/requests/${other.id}/status`);
    const fathirRow = new RegExp(`id="coach-${fathir.id}"[\\s\\S]*?</div>`).exec(picker.body)?.[0] ?? "";
    expect(fathirRow).toContain(`Bentrok dengan ${r.code}`);
    const ahmad = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "pembina3@sibina.test" } });
    expect(new RegExp(`id="coach-${ahmad.id}"[\\s\\S]*?</div>`).exec(picker.body)?.[0]).not.toContain("Bentrok");
  });

  it("escalates to the parent office, which then sees it in its trail", async () => {
    const pekanbaruSup = await signedIn(p.app, "supervisor.pekanbaru@sibina.test");
    const r = await byAgency("Bappeda Kota Pekanbaru");
    await pekanbaruSup.get(`/requests/${r.id}`);
    const res = await pekanbaruSup.post(`/requests/${r.id}/escalate`, { note: "Butuh narasumber provinsi" });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/requests");
    expect((await pekanbaruSup.get(`/requests/${r.id}`)).statusCode).toBe(404);
    const detail = await sup.get(`/requests/${r.id}`);
    expect(detail.body).toContain("Dieskalasi dari BPS Kota Pekanbaru ke BPS Provinsi Riau");
    expect(detail.body).toContain("Butuh narasumber provinsi");
  });
});

describe("clarification and notices", () => {
  it("sends the supervisor's question to the requester and shows the answer on the timeline", async () => {
    const r = await byAgency("Dinas Komunikasi dan Informatika Kota Pekanbaru");
    await sup.get(`/requests/${r.id}`);
    const short = await sup.post(`/requests/${r.id}/clarify`, { question: "a" });
    expect(short.statusCode).toBe(422);
    expect(short.body).toContain("minimal 3 karakter");
    expect(short.body).toContain(">a</textarea>");
    const res = await sup.post(`/requests/${r.id}/clarify`, { question: "Berapa jumlah peserta dan apakah ada proyektor?" });
    expect(res.statusCode).toBe(302);
    const outbox = await p.ctx.db.outbox.findFirstOrThrow({ where: { requestId: r.id, kind: "request.clarification" } });
    expect(outbox.recipientKind).toBe("REQUESTER");
    await recordClarificationAnswer(p.ctx.db, r.id, "Sekitar 30 peserta, proyektor tersedia.", "whatsapp");
    const detail = await sup.get(`/requests/${r.id}`);
    const messages = /data-testid="messages">([\s\S]*?)<\/section>/.exec(detail.body)?.[1] ?? "";
    expect(messages.indexOf("Berapa jumlah peserta")).toBeGreaterThan(-1);
    expect(messages.indexOf("Sekitar 30 peserta")).toBeGreaterThan(messages.indexOf("Berapa jumlah peserta"));
    expect(messages).toContain('data-direction="INBOUND"');
  });

  it("lists each notice with its delivery state, and says 'not notified' when nobody could be reached", async () => {
    const r = await byAgency("Dinas Komunikasi dan Informatika Kota Pekanbaru");
    const row = await p.ctx.db.outbox.findFirstOrThrow({ where: { requestId: r.id, kind: "request.clarification" } });
    await p.ctx.db.outbox.update({ where: { id: row.id }, data: { status: "UNREACHABLE", lastError: "no channel" } });
    // A notice of its own that went out (the demo's own alert rows depend on who was seeded when).
    const supervisor = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "supervisor@sibina.test" } });
    const sent = await p.ctx.db.outbox.create({
      data: {
        kind: "request.submitted",
        dedupeKey: `test-sent:${r.id}`,
        requestId: r.id,
        recipientKind: "SUPERVISOR",
        recipientUserId: supervisor.id,
        payload: { requestId: r.id },
        status: "SENT",
      },
    });
    await p.ctx.db.delivery.create({ data: { outboxId: sent.id, channel: "telegram", address: "123", status: "SENT" } });
    // A send in progress (delivery's claim) reads as words, not as the raw status.
    await p.ctx.db.delivery.create({ data: { outboxId: sent.id, channel: "whatsapp", address: "628123", status: "SENDING" } });
    const html = (await sup.get(`/requests/${r.id}`)).body;
    expect(html).toContain('data-outbox-state="UNREACHABLE"');
    expect(html).toContain("Tidak terkirim: penerima tidak punya kanal");
    expect(html).toContain('data-outbox-state="SENT"');
    expect(html).toContain('telegram: <span data-delivery-state="SENT">terkirim</span>');
    expect(html).toContain('whatsapp: <span data-delivery-state="SENDING">sedang dikirim</span>');
  });
});

describe("admin edits and deletes", () => {
  it("edits with the bot's validation, keeps typed values on error, and records what changed", async () => {
    const r = await byAgency("Dinas Pendidikan Provinsi Riau");
    const form = await admin.get(`/requests/${r.id}/edit`);
    expect(form.statusCode).toBe(200);
    const value = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(form.body)?.[1] ?? "";
    const fields: Record<string, string | string[]> = {
      requesterName: value("requesterName"),
      requesterNip: "",
      requesterPhone: "12345",
      requesterEmail: value("requesterEmail"),
      agencyName: value("agencyName").replace(/&amp;/g, "&"),
      agencyLevel: "PROVINCE",
      isDataProducer: "yes",
      serviceType: "COACHING_CLINIC",
      topics: ["SATU_DATA"],
      description: "Coaching clinic portal Satu Data pendidikan.",
      location: "Aula Disdik Riau",
      mode: "OFFLINE",
      start: value("start"),
      end: value("end"),
      picName: "Lina Marlina",
      picPhone: "0812-6677-8899",
    };
    const bad = await admin.post(`/requests/${r.id}/edit`, fields);
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain("Nomor telepon tidak valid");
    expect(bad.body).toContain('value="Aula Disdik Riau"');
    const ok = await admin.post(`/requests/${r.id}/edit`, { ...fields, requesterPhone: "0812-6677-8899" });
    expect(ok.statusCode).toBe(302);
    const after = await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: r.id } });
    expect(after.location).toBe("Aula Disdik Riau");
    expect(after.mode).toBe("OFFLINE");
    expect(after.startAt).toEqual(r.startAt);
    const trail = await p.ctx.db.statusChange.findFirstOrThrow({ where: { requestId: r.id, kind: "EDIT" } });
    expect(trail.note).toBe("location, mode");
    const audit = await p.ctx.db.auditLog.findFirstOrThrow({ where: { action: "request.edit", entityId: r.id } });
    expect(audit.changes).toEqual({ location: { from: "Zoom Meeting", to: "Aula Disdik Riau" }, mode: { from: "ONLINE", to: "OFFLINE" } });
    const pastStart = await admin.post(`/requests/${r.id}/edit`, { ...fields, requesterPhone: "0812-6677-8899", start: "01/01/2020 09:00", end: "2 jam" });
    expect(pastStart.statusCode).toBe(422);
    expect(pastStart.body).toContain("Tanggal tersebut sudah lewat");
  });

  it("soft-deletes after a confirmation page; the request disappears from lists and its page", async () => {
    const r = await byAgency("Diskominfo Kabupaten Siak");
    const confirm = await admin.get(`/requests/${r.id}/delete`);
    expect(confirm.body).toContain(r.code);
    expect(confirm.body).toContain('data-testid="confirm-yes"');
    expect(await p.ctx.db.coachingRequest.count({ where: { id: r.id, deletedAt: null } })).toBe(1);
    expect((await admin.post(`/requests/${r.id}/delete`)).statusCode).toBe(302);
    expect((await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: r.id } })).deletedAt).not.toBeNull();
    expect((await admin.get(`/requests/${r.id}`)).statusCode).toBe(404);
    expect(codesIn((await admin.get(`/requests?q=${r.code}`)).body)).toEqual([]);
    expect(await p.ctx.db.auditLog.count({ where: { action: "request.delete", entityId: r.id } })).toBe(1);
  });
});

describe("dashboard", () => {
  it("counts by status, queues the oldest waiting first with working days, and draws the charts", async () => {
    const json = JSON.parse((await sup.get("/dashboard.json")).body) as {
      byStatus: Record<string, number>;
      queue: { code: string; createdAt: string; workingDays: number }[];
      perMonth: { month: string; count: number }[];
    };
    const dbCount = await p.ctx.db.coachingRequest.count({ where: { deletedAt: null, status: "DONE", office: { code: { not: "0000" } } } });
    expect(json.byStatus.DONE).toBe(dbCount);
    const created = json.queue.map((q) => Date.parse(q.createdAt));
    expect(created).toEqual([...created].sort((a, b) => a - b));
    expect(json.queue.every((q) => q.workingDays >= 0)).toBe(true);
    expect(json.perMonth).toHaveLength(12);
    const html = (await sup.get("/dashboard")).body;
    expect(html).toContain(`data-testid="stat-DONE">${dbCount}<`);
    expect((html.match(/<rect class="bar/g) ?? []).length).toBeGreaterThan(12);
  });
});
