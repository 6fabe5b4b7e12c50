// Admin and operator pages: users, testimonials, profile (link code, password), coachings,
// channels (status, QR, failed jobs and retry) and the read-only audit log.
import { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardCache } from "../../admin/http/dashboard-cache.js";
import { bullPrefix, deliveryQueues, jobIdOf, queueName } from "../../bot/delivery/queues.js";
import { writeChannelStatus, writeInstanceStatus } from "../../core/runtime/channel-status.js";
import { Client, emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let p: Panel;
let admin: Client;

beforeAll(async () => {
  p = await startPanel({ dashboardFreshSeconds: 3 });
  admin = await signedIn(p.app, emailOf("ADMIN"));
});
afterAll(async () => p?.close());

describe("users", () => {
  it("lists staff with the SPEKTRAL fields, in columns that fit at 1366 px (issue 13)", async () => {
    const html = (await admin.get("/users")).body;
    for (const h of ["Nama lengkap", "Kantor", "WhatsApp", "Role"]) expect(html).toContain(`<th>${h}</th>`);
    // NIP, position, email and office level sit under the name and the office.
    expect(html).toContain("NIP 198203152006042001");
    expect(html).toContain("Pranata Komputer Ahli Muda");
    expect(html).toContain("admin@sibina.test");
    expect(html).toContain("Provinsi");
    expect((await admin.get("/users?role=OPERATOR")).body.match(/<tr data-email=/g)).toHaveLength(2);
  });

  it("adds an account with validation, shows the temporary password once, and the new user can sign in", async () => {
    await admin.get("/users/new");
    const office = await p.ctx.db.office.findUniqueOrThrow({ where: { code: "1471" } });
    const bad = await admin.post("/users", { name: "Ar", email: "bukan-email", nip: "123", officeId: office.id, roles: "COACH" });
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain("Alamat email tidak valid");
    expect(bad.body).toContain("NIP harus 18 digit");
    const form = {
      name: "Rahmi Putri",
      email: "rahmi@sibina.test",
      nip: "19900512 201501 2 003",
      position: "Statistisi",
      officeId: office.id,
      whatsapp: "0812-9999-0001",
      roles: ["COACH"],
    };
    const ok = await admin.post("/users", form);
    expect(ok.statusCode).toBe(200);
    const temp = /data-testid="temp-password">([^<]+)</.exec(ok.body)![1]!;
    const user = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "rahmi@sibina.test" } });
    expect(user.nip).toBe("199005122015012003");
    expect(user.whatsapp).toBe("+6281299990001");
    expect(user.roles).toEqual(["COACH"]);
    expect((await new Client(p.app).login("rahmi@sibina.test", temp)).statusCode).toBe(302);
    await admin.get("/users/new");
    const dup = await admin.post("/users", form);
    expect(dup.statusCode).toBe(409);
    expect(dup.body).toContain("sudah dipakai akun lain");
    const audit = await p.ctx.db.auditLog.findFirstOrThrow({ where: { action: "user.create", entityId: user.id } });
    expect(JSON.stringify(audit.changes)).not.toContain(temp);
  });

  it("edits an account and logs the change set", async () => {
    const user = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "rahmi@sibina.test" } });
    const page = await admin.get(`/users/${user.id}/edit`);
    expect(page.body).toContain('value="Rahmi Putri"');
    const res = await admin.post(`/users/${user.id}/edit`, {
      name: "Rahmi Putri",
      email: "rahmi@sibina.test",
      nip: "199005122015012003",
      position: "Statistisi Ahli Muda",
      officeId: user.officeId,
      whatsapp: "+6281299990001",
      roles: ["COACH", "OPERATOR"],
      locale: "en",
    });
    expect(res.statusCode).toBe(302);
    const audit = await p.ctx.db.auditLog.findFirstOrThrow({ where: { action: "user.edit", entityId: user.id } });
    expect(audit.changes).toEqual({
      position: { from: "Statistisi", to: "Statistisi Ahli Muda" },
      roles: { from: ["COACH"], to: ["COACH", "OPERATOR"] },
      locale: { from: "id", to: "en" },
    });
  });

  it("refuses to place a user in an office outside the admin's scope", async () => {
    const user = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "rahmi@sibina.test" } });
    const national = await p.ctx.db.office.findUniqueOrThrow({ where: { code: "0000" } });
    await admin.get(`/users/${user.id}/edit`);
    const res = await admin.post(`/users/${user.id}/edit`, { name: "Rahmi Putri", email: "rahmi@sibina.test", officeId: national.id, roles: "COACH" });
    expect(res.statusCode).toBe(409);
    expect((await p.ctx.db.user.findUniqueOrThrow({ where: { id: user.id } })).officeId).toBe(user.officeId);
    const riUser = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "supervisor.ri@sibina.test" } });
    expect((await admin.get(`/users/${riUser.id}/edit`)).statusCode).toBe(404);
  });
});

describe("testimonials", () => {
  it("lists with rating and request, and deletes after confirmation", async () => {
    const row = await p.ctx.db.testimonial.findFirstOrThrow({ include: { request: true } });
    const html = (await admin.get("/testimonials")).body;
    expect(html).toContain(row.request.code);
    expect(html).toContain("★★★★★");
    expect((await admin.get(`/testimonials/${row.id}/delete`)).body).toContain(row.authorName);
    expect((await admin.post(`/testimonials/${row.id}/delete`)).statusCode).toBe(302);
    expect((await admin.get("/testimonials")).body).not.toContain(row.request.code);
    expect(await p.ctx.db.auditLog.count({ where: { action: "testimonial.delete", entityId: row.id } })).toBe(1);
  });
});

describe("profile", () => {
  it("shows a one-time link code for the bot and stores it for 15 minutes", async () => {
    const coach = await signedIn(p.app, emailOf("COACH"));
    const res = await coach.post("/profile/link-code");
    const code = /data-testid="link-code">(LINK-[A-Z0-9]{6})</.exec(res.body)?.[1];
    expect(code).toMatch(/^LINK-[A-Z0-9]{6}$/);
    const row = await p.ctx.db.linkCode.findUniqueOrThrow({ where: { code: code! }, include: { user: true } });
    expect(row.user.email).toBe(emailOf("COACH"));
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
  });

  it("changes the password after checking the current one; other sessions end", async () => {
    const email = "pembina2@sibina.test";
    const a = await signedIn(p.app, email);
    const b = await signedIn(p.app, email);
    await a.get("/profile");
    expect((await a.post("/profile/password", { current: "salah-sekali", next: "kata-sandi-baru-123", confirm: "kata-sandi-baru-123" })).statusCode).toBe(422);
    expect((await a.post("/profile/password", { current: "sibina-demo-2026", next: "kata-sandi-baru-123", confirm: "lain" })).statusCode).toBe(422);
    expect((await a.post("/profile/password", { current: "sibina-demo-2026", next: "pendek", confirm: "pendek" })).statusCode).toBe(422);
    expect((await a.post("/profile/password", { current: "sibina-demo-2026", next: "kata-sandi-baru-123", confirm: "kata-sandi-baru-123" })).statusCode).toBe(
      302,
    );
    expect((await a.get("/dashboard")).statusCode).toBe(200);
    expect((await b.get("/dashboard")).statusCode).toBe(302);
    expect((await new Client(p.app).login(email, "kata-sandi-baru-123")).statusCode).toBe(302);
  });
});

describe("coachings", () => {
  it("lists done coachings with documentation status per kind, and a coach's own assignments with the PIC's contact", async () => {
    const done = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { agencyName: { startsWith: "Dinas Tanaman Pangan" } } });
    const html = (await admin.get("/coachings")).body;
    const row = new RegExp(`<tr data-code="${done.code}">[\\s\\S]*?</tr>`).exec(html)?.[0] ?? "";
    expect(row).toContain('data-kind="ATTENDANCE" data-present="false"');
    expect(row).toContain('data-kind="MINUTES" data-present="false"');
    const coach = await signedIn(p.app, emailOf("COACH"));
    const mine = (await coach.get("/my/assignments")).body;
    expect(mine).toContain(done.code);
    expect(mine).toContain(`href="tel:${done.picPhone}"`);
    expect(mine).toContain(`https://wa.me/${done.picPhone.replace(/\D/g, "")}`);
    expect(mine).not.toContain("Universitas Riau"); // not assigned to this coach
  });
});

describe("channels", () => {
  it("shows each channel's state and the WhatsApp QR as an image that refreshes", async () => {
    await writeInstanceStatus(p.ctx.redis, p.ctx.redisPrefix, "telegram", "host-a:101:aaaaaa", { state: "open", reason: "polling #3" }, 60);
    await writeInstanceStatus(p.ctx.redis, p.ctx.redisPrefix, "telegram", "host-b:202:bbbbbb", { state: "standby", reason: "polling" }, 60);
    await writeChannelStatus(p.ctx.redis, p.ctx.redisPrefix, "whatsapp", { state: "qr", qr: "2@QWERTYUIOPasdfghjkl,zxcvbnm==,1234567890" });
    const html = (await admin.get("/channels")).body;
    expect(html).toMatch(/data-testid="telegram">[\s\S]*?data-state="open">Terhubung/);
    // Each instance's own view: the poller and the standby, never one painting the other's.
    expect(html).toMatch(/<tr data-instance="host-a:101:aaaaaa" data-state="open">[\s\S]*?Terhubung[\s\S]*?polling #3/);
    expect(html).toMatch(/<tr data-instance="host-b:202:bbbbbb" data-state="standby">[\s\S]*?Siaga/);
    expect(html).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"[^>]*data-testid="whatsapp-qr"/);
    expect(html).toContain('<meta http-equiv="refresh" content="10">');
  });

  it("shows WhatsApp's refusals (the reason, where the notice went instead) and an active time lock", async () => {
    const req = await p.ctx.db.coachingRequest.findFirstOrThrow();
    const row = await p.ctx.db.outbox.create({
      data: { kind: "request.approved", dedupeKey: "test-rejected", requestId: req.id, recipientKind: "REQUESTER", status: "QUEUED", payload: {} },
    });
    await p.ctx.db.delivery.create({
      data: { outboxId: row.id, channel: "whatsapp", address: "x", status: "REJECTED", error: "whatsapp 463: account restricted", externalId: "3EB0AA" },
    });
    const until = new Date(Date.now() + 2 * 3600_000).toISOString();
    await writeChannelStatus(p.ctx.redis, p.ctx.redisPrefix, "whatsapp", { state: "open", restrictedUntil: until });
    const html = (await admin.get("/channels")).body;
    const table = /data-testid="rejected-deliveries">[\s\S]*?<\/table>/.exec(html)?.[0] ?? "";
    expect(table).toContain("whatsapp 463: account restricted");
    expect(table).toContain(row.id);
    expect(table).toContain("Dialihkan ke email");
    expect(html).toMatch(/data-testid="whatsapp-time-lock">WhatsApp membatasi nomor kantor/);
  });

  it("says when no WhatsApp connection can give a pairing code", async () => {
    await admin.get("/channels");
    const res = await admin.post("/channels/whatsapp/pairing", { phone: "0812-3456-7890" });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain("Kanal WhatsApp tidak berjalan");
    await admin.get("/channels");
    expect((await admin.post("/channels/whatsapp/pairing", { phone: "123" })).body).toContain("Nomor telepon tidak valid");
  });

  it("lists failed delivery jobs with their error and retries one", async () => {
    const req = await p.ctx.db.coachingRequest.findFirstOrThrow();
    const row = await p.ctx.db.outbox.create({
      data: { kind: "request.approved", dedupeKey: "test-failed-job", requestId: req.id, recipientKind: "REQUESTER", status: "FAILED", payload: {} },
    });
    const queue = deliveryQueues(p.ctx).get("telegram");
    const jobId = jobIdOf(row.id, "telegram");
    await queue.add("notify", { outboxId: row.id, channel: "telegram" }, { jobId, attempts: 1 });
    const worker = new Worker(
      queueName("telegram"),
      async () => {
        throw new Error("Bot API 403: bot was blocked by the user");
      },
      { connection: p.ctx.redis.duplicate({ maxRetriesPerRequest: null }), prefix: bullPrefix(p.ctx) },
    );
    await new Promise<void>((resolve) => worker.on("failed", () => resolve()));
    await worker.close();
    const html = (await admin.get("/channels")).body;
    expect(html).toContain(jobId);
    expect(html).toContain("bot was blocked by the user");
    const res = await admin.post("/channels/jobs/retry", { queue: queueName("telegram"), jobId });
    expect(res.statusCode).toBe(302);
    expect(await (await queue.getJob(jobId))!.getState()).toBe("waiting");
    expect((await p.ctx.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).status).toBe("QUEUED");
    expect((await admin.get("/channels")).body).toContain("Pekerjaan dijadwalkan ulang");
    expect((await p.ctx.db.auditLog.findFirstOrThrow({ where: { action: "channel.retry" } })).changes).toEqual({ ok: true });
  });
});

describe("dashboard cache", () => {
  it("serves counts from Redis while fresh, then refreshes them in the background", async () => {
    // Freshness is judged against the `now` the cache is given, so this runs on its own clock and
    // no busy machine can make a figure go stale early. Mid-month keeps the month key fixed.
    const office = await p.ctx.db.office.findUniqueOrThrow({ where: { code: "1400" } });
    const aggregates = dashboardCache(p.ctx, 60_000);
    const t0 = new Date();
    t0.setUTCDate(15);
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const done = async (now: Date) => (await aggregates([office.id], office.timeZone, now)).byStatus.DONE;
    const before = await done(at(0));
    const template = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { status: "DONE", office: { code: "1400" } } });
    const { id: _id, code: _code, submissionKey: _s, createdAt: _c, updatedAt: _u, ...rest } = template;
    await p.ctx.db.coachingRequest.create({ data: { ...rest, code: "PB-2026-77777", topics: template.topics } });
    expect(await done(at(59_000))).toBe(before); // still fresh: the cached figure
    expect(await done(at(61_000))).toBe(before); // stale is served once while the refresh runs
    let now = before;
    for (const until = Date.now() + 60_000; now === before && Date.now() < until; ) {
      await new Promise((r) => setTimeout(r, 50));
      now = await done(at(62_000));
    }
    expect(now).toBe(before + 1);
    expect((await admin.get("/dashboard")).body).toMatch(/angka per \d{2}:\d{2} WIB/);
  });
});

describe("audit log", () => {
  it("shows admin actions with actor, IP and change set, filterable, and offers no way to change them", async () => {
    const html = (await admin.get("/audit?action=user.")).body;
    expect(html).toContain('data-action="user.create"');
    expect(html).toContain('data-action="user.edit"');
    expect(html).not.toContain('data-action="testimonial.delete"');
    expect(html).toContain("Rina Marlina");
    expect(html).toContain("127.0.0.1");
    expect(html).toContain("Statistisi Ahli Muda");
    expect((await admin.post("/audit", {})).statusCode).toBe(404);
  });
});
