// Uploads: size limit (413), type by content (a .pdf that is really HTML is refused), random
// storage keys, downloads as attachments, and the coach-only documentation rule (403, logged).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tinyPdf } from "../../prisma/seed-data.js";
import { type Client, emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
const HTML_AS_PDF = Buffer.from("<!doctype html><html><body><script>alert(document.cookie)</script></body></html>");

let p: Panel;
let operator: Client;
let coach: Client;
const storedFiles = async () => {
  const out: string[] = [];
  for (const dir of await readdir(p.storageDir).catch(() => [])) for (const f of await readdir(path.join(p.storageDir, dir))) out.push(`${dir}/${f}`);
  return out;
};

beforeAll(async () => {
  p = await startPanel({ maxUploadMb: 2 });
  operator = await signedIn(p.app, emailOf("OPERATOR"));
  coach = await signedIn(p.app, emailOf("COACH"));
});
afterAll(async () => p?.close());

describe("modules", () => {
  it("stores a real PDF under a random key and serves it back as an attachment of the right type", async () => {
    await operator.get("/modules/new");
    const bytes = tinyPdf("Modul Metadata Statistik");
    const res = await operator.upload("/modules", { title: "Modul Metadata Statistik", category: "Metadata", topic: "STATISTICAL_ACTIVITIES" }, [
      { field: "file", name: "../../etc/Modul Metadata.pdf", type: "application/octet-stream", bytes },
    ]);
    expect(res.statusCode).toBe(302);
    const mod = await p.ctx.db.module.findFirstOrThrow({ where: { title: "Modul Metadata Statistik" }, include: { attachment: true } });
    expect(mod.fileType).toBe("PDF");
    expect(mod.attachment.storageKey).toMatch(/^[a-f0-9]{2}\/[a-f0-9]{40}$/);
    expect(mod.attachment.fileName).toBe("Modul Metadata.pdf");
    expect(await readFile(path.join(p.storageDir, mod.attachment.storageKey))).toEqual(bytes);
    const dl = await coach.get(`/files/${mod.attachment.id}`);
    expect(dl.statusCode).toBe(200);
    expect(dl.headers["content-type"]).toBe("application/pdf");
    expect(dl.headers["content-disposition"]).toBe(`attachment; filename="Modul Metadata.pdf"; filename*=UTF-8''Modul%20Metadata.pdf`);
    expect(dl.headers["x-content-type-options"]).toBe("nosniff");
    expect(dl.rawPayload).toEqual(bytes);
  });

  it("refuses a .pdf that is really HTML (by its bytes) and stores nothing", async () => {
    const before = await storedFiles();
    const attachments = await p.ctx.db.attachment.count();
    await operator.get("/modules/new");
    const res = await operator.upload("/modules", { title: "Modul palsu", category: "Uji" }, [
      { field: "file", name: "laporan.pdf", type: "application/pdf", bytes: HTML_AS_PDF },
    ]);
    expect(res.statusCode).toBe(415);
    expect(res.body).toContain("Jenis berkas tidak diterima");
    expect(res.body).toContain('value="Modul palsu"'); // the typed fields are kept
    expect(await p.ctx.db.module.count({ where: { title: "Modul palsu" } })).toBe(0);
    expect(await p.ctx.db.attachment.count()).toBe(attachments);
    expect(await storedFiles()).toEqual(before);
  });

  it("takes a file larger than the 1 MB body limit of plain forms, up to MAX_UPLOAD_MB", async () => {
    await operator.get("/modules/new");
    const bytes = Buffer.concat([tinyPdf("Modul tebal"), Buffer.alloc(1536 * 1024, 0x20)]);
    const res = await operator.upload("/modules", { title: "Modul tebal", category: "Uji" }, [
      { field: "file", name: "tebal.pdf", type: "application/pdf", bytes },
    ]);
    expect(res.statusCode).toBe(302);
    const mod = await p.ctx.db.module.findFirstOrThrow({ where: { title: "Modul tebal" }, include: { attachment: true } });
    expect(mod.attachment.size).toBe(bytes.length);
  });

  it("answers an oversized file with 413 and a friendly page", async () => {
    const big = Buffer.concat([tinyPdf("Besar"), Buffer.alloc(2 * 1024 * 1024 + 10, 0x20)]);
    await operator.get("/modules/new");
    const attachments = await p.ctx.db.attachment.count();
    const res = await operator.upload("/modules", { title: "Modul besar", category: "Uji" }, [
      { field: "file", name: "besar.pdf", type: "application/pdf", bytes: big },
    ]);
    expect(res.statusCode).toBe(413);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).toContain("Berkas terlalu besar. Ukuran maksimum 2 MB");
    expect(await p.ctx.db.attachment.count()).toBe(attachments);
  });

  it("deletes a module after a confirmation step; the bot and the list no longer offer it", async () => {
    const mod = await p.ctx.db.module.findFirstOrThrow({ where: { title: "Modul Metadata Statistik" } });
    const confirm = await operator.get(`/modules/${mod.id}/delete`);
    expect(confirm.body).toContain("Hapus modul");
    expect((await operator.post(`/modules/${mod.id}/delete`)).statusCode).toBe(302);
    expect((await p.ctx.db.module.findUniqueOrThrow({ where: { id: mod.id } })).deletedAt).not.toBeNull();
    expect((await operator.get("/modules")).body).not.toContain("Modul Metadata Statistik");
    const audits = await p.ctx.db.auditLog.findMany({ where: { entity: "Module", entityId: mod.id }, orderBy: { createdAt: "asc" } });
    expect(audits.map((a) => a.action)).toEqual(["module.create", "module.delete"]);
  });
});

describe("coach documentation", () => {
  const requestOf = (agency: string) => p.ctx.db.coachingRequest.findFirstOrThrow({ where: { agencyName: { startsWith: agency } } });

  it("takes an attendance list and several photos for the coach's own DONE coaching", async () => {
    const done = await requestOf("Dinas Tanaman Pangan");
    const page = await coach.get(`/coachings/${done.id}/documentation`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="missing"');
    const att = await coach.upload(`/coachings/${done.id}/documentation`, { kind: "ATTENDANCE" }, [
      { field: "files", name: "daftar hadir.pdf", type: "application/pdf", bytes: tinyPdf("Daftar hadir") },
    ]);
    expect(att.statusCode).toBe(302);
    await coach.get(`/coachings/${done.id}/documentation`);
    const photos = await coach.upload(`/coachings/${done.id}/documentation`, { kind: "PHOTO" }, [
      { field: "files", name: "foto1.png", type: "image/png", bytes: PNG },
      { field: "files", name: "foto2.png", type: "image/png", bytes: PNG },
    ]);
    expect(photos.statusCode).toBe(302);
    await coach.get(`/coachings/${done.id}/documentation`);
    const minutes = await coach.upload(`/coachings/${done.id}/documentation`, { kind: "MINUTES", link: "https://drive.example.go.id/notulen" }, []);
    expect(minutes.statusCode).toBe(302);
    const docs = await p.ctx.db.documentation.findMany({ where: { requestId: done.id }, include: { attachment: true } });
    expect(docs.map((d) => d.kind).sort()).toEqual(["ATTENDANCE", "MINUTES", "PHOTO", "PHOTO"]);
    expect(docs.filter((d) => d.attachment).every((d) => d.attachment!.requestId === done.id)).toBe(true);
    const after = await coach.get(`/coachings/${done.id}/documentation`);
    expect(after.body).toContain('data-testid="complete"');
    // The coachings list's "missing only" filter no longer shows it; the other done coaching stays.
    const missing = (await operator.get("/coachings?missing=1")).body;
    expect(missing).not.toContain(`data-code="${done.code}"`);
    expect(missing).toMatch(/<tr data-code="PB-/);
    expect((await operator.get("/coachings")).body).toContain(`data-code="${done.code}"`);
    // Documentation is listed for everyone in the office, with downloads.
    const list = await operator.get("/documentation");
    expect(list.body).toContain("daftar hadir.pdf");
    expect(list.body).toContain("https://drive.example.go.id/notulen");
  });

  it("refuses a javascript: link and an HTML file disguised as a photo", async () => {
    const done = await requestOf("Dinas Tanaman Pangan");
    await coach.get(`/coachings/${done.id}/documentation`);
    const bad = await coach.upload(`/coachings/${done.id}/documentation`, { kind: "OTHER", link: "javascript:alert(1)" }, []);
    expect(bad.statusCode).toBe(422);
    await coach.get(`/coachings/${done.id}/documentation`);
    const spoof = await coach.upload(`/coachings/${done.id}/documentation`, { kind: "PHOTO" }, [
      { field: "files", name: "foto.png", type: "image/png", bytes: HTML_AS_PDF },
    ]);
    expect(spoof.statusCode).toBe(415);
    expect(await p.ctx.db.documentation.count({ where: { requestId: done.id, kind: "OTHER" } })).toBe(0);
  });

  it("answers 403 and logs it when a coach documents someone else's coaching or one not done yet", async () => {
    const notMine = await requestOf("Universitas Riau");
    const notDone = await requestOf("Badan Perencanaan Pembangunan Daerah Provinsi Riau");
    expect(notDone.status).toBe("APPROVED");
    expect((await coach.get(`/coachings/${notMine.id}/documentation`)).statusCode).toBe(403);
    const page = await coach.get(`/coachings/${notDone.id}/documentation`);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain("setelah pembinaan berstatus Selesai");
    await coach.get("/my/assignments");
    const post = await coach.upload(`/coachings/${notMine.id}/documentation`, { kind: "PHOTO" }, [
      { field: "files", name: "x.png", type: "image/png", bytes: PNG },
    ]);
    expect(post.statusCode).toBe(403);
    expect(await p.ctx.db.documentation.count({ where: { requestId: notMine.id } })).toBe(0);
    const denied = await p.ctx.db.auditLog.findMany({ where: { action: "documentation.denied" }, orderBy: { createdAt: "asc" } });
    expect(denied.map((d) => [d.entityId, (d.changes as { reason: string }).reason])).toEqual([
      [notMine.id, "FORBIDDEN"],
      [notDone.id, "NOT_DONE"],
      [notMine.id, "FORBIDDEN"],
    ]);
    expect(denied.every((d) => d.ip && d.actorUserId)).toBe(true);
  });
});

describe("request attachments", () => {
  it("lets an admin add a request on behalf of an agency with an attachment; spoofed files are refused", async () => {
    const admin = await signedIn(p.app, emailOf("ADMIN"));
    const fields = {
      requesterName: "Rudi Hartono",
      requesterPhone: "0812-7000-1234",
      requesterEmail: "rudi@kampar.go.id",
      agencyName: "Bappeda Kabupaten Kampar",
      agencyLevel: "REGENCY",
      isDataProducer: "yes",
      serviceType: "ASISTENSI",
      topics: ["DATA_QUALITY", "SATU_DATA"],
      description: "Asistensi penyusunan metadata indikator RPJMD.",
      location: "Kantor Bappeda Kampar, Bangkinang",
      mode: "OFFLINE",
      start: "15/03/2027 09:00",
      end: "3 jam",
      picName: "Rudi Hartono",
      picPhone: "0812-7000-1234",
    };
    await admin.get("/requests/new");
    const spoof = await admin.upload("/requests", fields, [{ field: "attachments", name: "surat.pdf", type: "application/pdf", bytes: HTML_AS_PDF }]);
    expect(spoof.statusCode).toBe(415);
    expect(spoof.body).toContain('value="Rudi Hartono"');
    expect(await p.ctx.db.coachingRequest.count({ where: { requesterEmail: "rudi@kampar.go.id" } })).toBe(0);
    await admin.get("/requests/new");
    const ok = await admin.upload("/requests", fields, [
      { field: "attachments", name: "surat permohonan.pdf", type: "application/pdf", bytes: tinyPdf("Surat") },
    ]);
    expect(ok.statusCode).toBe(302);
    const created = await p.ctx.db.coachingRequest.findFirstOrThrow({
      where: { requesterEmail: "rudi@kampar.go.id" },
      include: { attachments: true, office: true },
    });
    expect(created.office.code).toBe("1406"); // a known Kampar agency routes to BPS Kabupaten Kampar
    expect(created.requesterPhone).toBe("+6281270001234");
    expect(created.attachments.map((a) => a.fileName)).toEqual(["surat permohonan.pdf"]);
    const detail = await admin.get(`/requests/${created.id}`);
    expect(detail.body).toContain(`/files/${created.attachments[0]!.id}`);
    expect((await admin.get(`/files/${created.attachments[0]!.id}`)).headers["content-disposition"]).toMatch(/^attachment;/);
    // A supervisor of another office cannot fetch it by id.
    const otherSup = await signedIn(p.app, "supervisor.pekanbaru@sibina.test");
    expect((await otherSup.get(`/files/${created.attachments[0]!.id}`)).statusCode).toBe(404);
  });
});
