// Issue 13's rules and defects in the panel: Selesai refused before the coaching's start (an
// admin may override with a written reason, audited), the staff request form that lost its
// attachments (escaped enctype) and its agency list, and its duplicate warning like the chat's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordTranscript } from "../../core/inbox/service.js";
import { changeStatus } from "../../core/requests/service.js";
import { tinyPdf } from "../../prisma/seed-data.js";
import { type Client, emailOf, type Panel, signedIn, startPanel } from "../admin/helpers.js";
import { actorOf, codeOf, makeUser, requestInput } from "../helpers/fixtures.js";
import { coachingHasStarted, requestIn } from "../helpers/requests.js";

let p: Panel;
let sup: Client;
let admin: Client;

beforeAll(async () => {
  p = await startPanel();
  sup = await signedIn(p.app, emailOf("SUPERVISOR"));
  admin = await signedIn(p.app, emailOf("ADMIN"));
});
afterAll(async () => {
  await p?.close();
});

async function supervisorActor() {
  const u = await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("SUPERVISOR") } });
  return actorOf(u);
}

async function approvedInFuture(agencyName: string) {
  const supervisor = await supervisorActor();
  const coach = await makeUser(p.ctx.db, supervisor.officeId, ["COACH"], `coach ${agencyName}`);
  return requestIn(p.ctx.db, "APPROVED", {
    supervisor,
    coachIds: [coach.id],
    input: { agencyName, startAt: new Date(Date.now() + 30 * 24 * 3600_000), endAt: new Date(Date.now() + 30 * 24 * 3600_000 + 7200_000) },
  });
}

describe("Selesai before the coaching", () => {
  it("is refused for a supervisor, in core and in the panel, with the start date in the message", async () => {
    const r = await approvedInFuture("Dinas Selesai Awal");
    expect(await codeOf(changeStatus(p.ctx.db, await supervisorActor(), { requestId: r.id, to: "DONE" }))).toBe("NOT_STARTED");
    await sup.get(`/requests/${r.id}/status`);
    const res = await sup.post(`/requests/${r.id}/status`, { to: "DONE" });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain("baru dimulai");
    const after = await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: r.id } });
    expect(after.status).toBe("APPROVED");
    // No "beri testimoni" notice went out.
    expect(await p.ctx.db.outbox.count({ where: { requestId: r.id, kind: "request.done" } })).toBe(0);
    // Once it has started, the same supervisor may mark it done.
    await coachingHasStarted(p.ctx.db, r.id);
    const ok = await sup.post(`/requests/${r.id}/status`, { to: "DONE" });
    expect(ok.statusCode).toBe(302);
    expect((await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("DONE");
  });

  it("an admin overrides only with a written reason, which the trail and the audit log keep", async () => {
    const r = await approvedInFuture("Dinas Override");
    const page = await admin.get(`/requests/${r.id}`);
    expect(page.body).toContain('data-testid="complete-early"');
    const empty = await admin.post(`/requests/${r.id}/complete-early`, { reason: "  " });
    expect(empty.statusCode).toBe(422);
    expect((await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("APPROVED");
    // A supervisor cannot use the override route.
    expect((await sup.post(`/requests/${r.id}/complete-early`, { reason: "coba" })).statusCode).toBe(403);
    const res = await admin.post(`/requests/${r.id}/complete-early`, { reason: "Kegiatan dimajukan atas permintaan instansi." });
    expect(res.statusCode).toBe(302);
    const after = await p.ctx.db.coachingRequest.findUniqueOrThrow({
      where: { id: r.id },
      include: { statusChanges: { orderBy: { createdAt: "desc" }, take: 1 } },
    });
    expect(after.status).toBe("DONE");
    expect(after.statusChanges[0]!.note).toBe("Kegiatan dimajukan atas permintaan instansi.");
    const log = await p.ctx.db.auditLog.findFirstOrThrow({ where: { action: "request.completeEarly", entityId: r.id } });
    expect(log.changes).toMatchObject({ reason: "Kegiatan dimajukan atas permintaan instansi.", status: { from: "APPROVED", to: "DONE" } });
  });
});

describe("staff form Tambah Pengajuan", () => {
  const form = (agencyName: string, start: string) => ({
    requesterName: "Siddik Pratama",
    requesterPhone: "0812-3456-7890",
    requesterEmail: "siddik@riau.go.id",
    agencyName,
    agencyLevel: "PROVINCE",
    isDataProducer: "yes",
    serviceType: "DIKLAT_BIMTEK",
    topics: "SATU_DATA",
    description: "Bimbingan teknis metadata statistik sektoral.",
    location: "Aula Diskominfo, Pekanbaru",
    mode: "OFFLINE",
    start,
    end: "3 jam",
    picName: "Siddik Pratama",
    picPhone: "0812-3456-7890",
  });

  it("an ambiguous '1 hari' shows the computed end and saves only once confirmed", async () => {
    const day = new Date(Date.now() + 60 * 24 * 3600_000);
    const start = `${String(day.getUTCDate()).padStart(2, "0")}/${String(day.getUTCMonth() + 1).padStart(2, "0")}/${day.getUTCFullYear()} 08:00`;
    await admin.get("/requests/new");
    const fields = { ...form("Dinas Satu Hari Riau", start), end: "1 hari" };
    const first = await admin.upload("/requests", fields, []);
    expect(first.statusCode).toBe(409);
    expect(first.body).toContain('data-testid="end-confirm"');
    expect(first.body).toContain(`${start.slice(0, 10)} 16:00 WIB`);
    expect(await p.ctx.db.coachingRequest.count({ where: { agencyName: "Dinas Satu Hari Riau" } })).toBe(0);
    const second = await admin.upload("/requests", { ...fields, endConfirmed: "1 hari" }, []);
    expect(second.statusCode).toBe(302);
    const saved = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { agencyName: "Dinas Satu Hari Riau" } });
    expect(saved.endAt.getTime() - saved.startAt.getTime()).toBe(8 * 3600_000);
  });

  it("posts multipart and offers the agency list (attributes are not escaped text)", async () => {
    const res = await admin.get("/requests/new");
    expect(res.body).toMatch(/<form [^>]*enctype="multipart\/form-data"/);
    expect(res.body).not.toContain("&quot;multipart");
    expect(res.body).toMatch(/<input [^>]*id="agencyName"[^>]*list="agencies"/);
    expect(res.body).toMatch(/<datalist id="agencies">/);
  });

  it("warns about an open request of the same agency and service, keeps the attachment, and saves when confirmed", async () => {
    const supervisor = await supervisorActor();
    const startAt = new Date(Date.now() + 20 * 24 * 3600_000);
    const existing = await requestIn(p.ctx.db, "SUBMITTED", {
      supervisor,
      input: requestInput({ agencyName: "Dinas Duplikat Riau", startAt, endAt: new Date(startAt.getTime() + 3600_000) }),
    });
    const day = new Date(startAt.getTime() + 7 * 3600_000);
    const start = `${String(day.getUTCDate()).padStart(2, "0")}/${String(day.getUTCMonth() + 1).padStart(2, "0")}/${day.getUTCFullYear()} 10:00`;
    await admin.get("/requests/new");
    const first = await admin.upload("/requests", form("Dinas Duplikat Riau", start), [
      { field: "attachments", name: "surat.pdf", type: "application/pdf", bytes: tinyPdf("Surat permohonan") },
    ]);
    expect(first.statusCode).toBe(409);
    expect(first.body).toContain('data-testid="duplicate-warning"');
    expect(first.body).toContain(existing.code);
    expect(first.body).toContain("surat.pdf");
    expect(await p.ctx.db.coachingRequest.count({ where: { agencyName: "Dinas Duplikat Riau" } })).toBe(1);
    const kept = /name="keptAttachments" value="([^"]+)"/.exec(first.body)![1]!;
    const second = await admin.upload("/requests", { ...form("Dinas Duplikat Riau", start), keptAttachments: kept, confirmDuplicate: "yes" }, []);
    expect(second.statusCode).toBe(302);
    const created = await p.ctx.db.coachingRequest.findMany({ where: { agencyName: "Dinas Duplikat Riau" }, include: { attachments: true } });
    expect(created).toHaveLength(2);
    const fresh = created.find((c) => c.id !== existing.id)!;
    expect(fresh.attachments.map((a) => a.fileName)).toEqual(["surat.pdf"]);
  });
});

describe("request and conversation", () => {
  it("a request sent from a chat links to its conversation in the Inbox", async () => {
    const supervisor = await supervisorActor();
    const identity = await p.ctx.db.channelIdentity.create({ data: { channel: "web", externalId: "rules-chat-1" } });
    const r = await requestIn(p.ctx.db, "SUBMITTED", {
      supervisor,
      input: requestInput({ agencyName: "Dinas Dari Chat Riau" }),
      submit: { identityId: identity.id },
    });
    await recordTranscript(p.ctx.db, { identityId: identity.id, requesterId: null, defaultOfficeId: p.ctx.defaultOfficeId }, [
      { author: "PERSON", text: "halo" },
    ]);
    const conversation = await p.ctx.db.conversation.findUniqueOrThrow({ where: { identityId: identity.id } });
    expect((await sup.get(`/requests/${r.id}`)).body).toContain(`href="/inbox/${conversation.id}"`);
  });
});
