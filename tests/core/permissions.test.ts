// The permission table as role × action, the documentation rule (only the assigned coach, only
// once DONE) and "a requester sees only their own requests", on the real database.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { getRequestForStaff, type StaffActor } from "../../core/access/index.js";
import type { RequestStatus, Role } from "../../core/db/generated/enums.js";
import { addDocumentation } from "../../core/documentation/service.js";
import { createModule, deleteModule, listModules } from "../../core/modules/admin.js";
import { ACTIONS, type Action, can, canOnOffice, canUploadDocumentation, OFFICE_SCOPE, PERMISSIONS, requesterOwns } from "../../core/permissions.js";
import { ALL_STATUSES } from "../../core/requests/lifecycle.js";
import { findRequestsFor, lookupByCode } from "../../core/requests/service.js";
import { LocalDiskStorage, storeAttachment } from "../../core/storage/index.js";
import { addTestimonial, testimonialCandidates } from "../../core/testimonials/service.js";
import { tinyPdf } from "../../prisma/seed-data.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, codeOf, makeUser, seedOffices } from "../helpers/fixtures.js";
import { requestIn } from "../helpers/requests.js";

const ROLES: Role[] = ["ADMIN", "OPERATOR", "SUPERVISOR", "COACH"];

/**
 * Written out from the SPEKTRAL guide and the issue, independently of core/permissions.ts:
 * A = admin, O = operator, S = supervisor, C = coach.
 */
const EXPECTED: Record<Action, string> = {
  "dashboard.view": "AOSC",
  "request.view": "AOS",
  "request.viewAssigned": "C",
  "request.export": "AS",
  "request.changeStatus": "S",
  "request.assignCoaches": "S",
  "request.escalate": "S",
  "request.clarify": "S",
  "request.create": "A",
  "request.edit": "A",
  "request.delete": "A",
  "request.completeEarly": "A",
  "coaching.view": "AOSC",
  "documentation.view": "AOSC",
  "documentation.manage": "O",
  "documentation.upload": "C",
  "module.view": "AOSC",
  "module.manage": "O",
  "testimonial.view": "AS",
  "testimonial.manage": "A",
  "user.manage": "A",
  "office.manage": "A",
  "agency.import": "A",
  "calendar.manage": "A",
  "channel.manage": "A",
  "audit.view": "A",
  "inbox.view": "AOS",
  "inbox.reply": "AOS",
  "inbox.savedReplies": "A",
  "programme.view": "AOSC",
  "programme.manage": "AOSC",
  "programme.settings": "A",
  "monitoring.view": "AS",
  "monitoring.manage": "AS",
};

describe("the permission table (role × action)", () => {
  it("has an expectation for every action and no more", () => {
    expect([...ACTIONS].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(Object.keys(PERMISSIONS).sort()).toEqual([...ACTIONS].sort());
  });

  const cells = ACTIONS.flatMap((action) => ROLES.map((role) => [role, action] as const));
  it.each(cells)("%s → %s", (role, action) => {
    expect(can([role], action)).toBe(EXPECTED[action].includes(role[0]!));
  });

  it("several roles add up, and no role may do nothing", () => {
    for (const action of ACTIONS) {
      expect(can([], action)).toBe(false);
      expect(can(ROLES, action)).toBe(true);
    }
    expect(can(["COACH", "OPERATOR"], "module.manage")).toBe(true);
    expect(can(["COACH", "OPERATOR"], "request.changeStatus")).toBe(false);
  });

  it("only a supervisor changes status; an admin manages requests, users and testimonials but never status", () => {
    const admin: Role[] = ["ADMIN"];
    expect(["request.edit", "request.delete", "user.manage", "testimonial.manage"].every((a) => can(admin, a as Action))).toBe(true);
    expect(["request.changeStatus", "request.assignCoaches", "request.escalate"].some((a) => can(admin, a as Action))).toBe(false);
  });
});

describe("canUploadDocumentation", () => {
  const cases = ROLES.flatMap((role) => ALL_STATUSES.flatMap((status) => [true, false].map((assigned) => [role, status, assigned] as const)));
  it.each(cases)("%s, request %s, assigned %s", (role, status, assigned) => {
    expect(canUploadDocumentation([role], { isAssignedCoach: assigned, status })).toBe(role === "COACH" && assigned && status === "DONE");
  });
});

describe("requesterOwns", () => {
  const request = { identityId: "id-1", requesterId: "rq-1", requesterPhone: "+6281200000001", picPhone: "+6281200000002" };
  it.each([
    [{ identityId: "id-1" }, true],
    [{ requesterId: "rq-1" }, true],
    [{ phones: ["+6281200000001"] }, true],
    [{ phones: ["+6289900000000", "+6281200000002"] }, true],
    [{ identityId: "id-2", requesterId: "rq-2", phones: ["+6289900000000"] }, false],
    [{ phones: [] }, false],
    [{}, false],
    [{ identityId: null, requesterId: null }, false],
  ])("%j → %s", (who, owns) => {
    expect(requesterOwns(request, who)).toBe(owns);
  });

  it("a request without identity is not owned by an asker without identity", () => {
    expect(requesterOwns({ ...request, identityId: null, requesterId: null }, { identityId: null, requesterId: null, phones: [] })).toBe(false);
  });
});

let t: TestDb;
let offices: Awaited<ReturnType<typeof seedOffices>>;
let supervisor: StaffActor;
let coach: StaffActor;
let otherCoach: StaffActor;

beforeAll(async () => {
  t = await createTestDb();
  offices = await seedOffices(t.db);
  supervisor = actorOf(await makeUser(t.db, offices.riau.id, ["SUPERVISOR"], "sup"));
  coach = actorOf(await makeUser(t.db, offices.riau.id, ["COACH"], "coach"));
  otherCoach = actorOf(await makeUser(t.db, offices.riau.id, ["COACH"], "coach2"));
});
afterAll(async () => t.drop());

const inStatus = (status: RequestStatus, extra: Parameters<typeof requestIn>[2] = { supervisor }) =>
  requestIn(t.db, status, { coachIds: [coach.userId], ...extra, supervisor: extra.supervisor ?? supervisor });

describe("addDocumentation", () => {
  const link = "https://drive.example.go.id/daftar-hadir";

  it.each(ALL_STATUSES)("the assigned coach may upload only once the request is DONE (now %s)", async (status) => {
    const request = await inStatus(status);
    // Only APPROVED and DONE requests have an assigned coach; others were never assigned.
    const assigned = status === "APPROVED" || status === "DONE";
    const expected = status === "DONE" ? "OK" : assigned ? "NOT_DONE" : "FORBIDDEN";
    expect(await codeOf(addDocumentation(t.db, coach, { requestId: request.id, kind: "ATTENDANCE", link }))).toBe(expected);
    expect(await t.db.documentation.count({ where: { requestId: request.id } })).toBe(expected === "OK" ? 1 : 0);
  });

  it("nobody else may upload, even when the request is DONE", async () => {
    const request = await inStatus("DONE");
    const others = [
      otherCoach,
      supervisor,
      actorOf(await makeUser(t.db, offices.riau.id, ["OPERATOR"], "op")),
      actorOf(await makeUser(t.db, offices.riau.id, ["ADMIN"], "adm")),
      // still assigned, but no longer a coach
      { ...coach, roles: ["OPERATOR"] as Role[] },
    ];
    for (const who of others) expect(await codeOf(addDocumentation(t.db, who, { requestId: request.id, kind: "PHOTO", link }))).toBe("FORBIDDEN");
    expect(await t.db.documentation.count({ where: { requestId: request.id } })).toBe(0);
  });

  it("records a file or a link with its uploader, and refuses neither, bad links and unknown files", async () => {
    const request = await inStatus("DONE");
    const file = await t.db.attachment.create({
      data: { fileName: "foto.jpg", mimeType: "image/jpeg", size: 10, sha256: "a".repeat(64), storageKey: `ab/${"a".repeat(40)}` },
    });
    const doc = await addDocumentation(t.db, coach, { requestId: request.id, kind: "PHOTO", attachmentId: file.id, note: " Foto kegiatan\u0000 " });
    expect(doc).toMatchObject({ kind: "PHOTO", attachmentId: file.id, link: null, note: "Foto kegiatan", uploadedById: coach.userId });
    for (const bad of [
      { kind: "PHOTO" },
      { kind: "PHOTO", link: "javascript:alert(1)" },
      { kind: "PHOTO", link: "bukan tautan" },
      { kind: "SELFIE", link },
      { kind: "PHOTO", attachmentId: "6f1c1b0e-9a7e-4c1e-8d1e-000000000000" },
    ]) {
      expect(await codeOf(addDocumentation(t.db, coach, { requestId: request.id, ...bad } as never))).toBe("VALIDATION");
    }
    expect(await t.db.documentation.count({ where: { requestId: request.id } })).toBe(1);
  });

  it("once attendance, photos and minutes are in, pending documentation reminders are cancelled", async () => {
    const request = await inStatus("DONE");
    const pending = () => t.db.outbox.count({ where: { requestId: request.id, kind: "reminder.documentation", status: "PENDING" } });
    expect(await pending()).toBe(2);
    await addDocumentation(t.db, coach, { requestId: request.id, kind: "ATTENDANCE", link });
    await addDocumentation(t.db, coach, { requestId: request.id, kind: "PHOTO", link });
    expect(await pending()).toBe(2);
    await addDocumentation(t.db, coach, { requestId: request.id, kind: "MINUTES", link });
    expect(await pending()).toBe(0);
  });

  it("a soft-deleted request is not found", async () => {
    const request = await inStatus("DONE");
    await t.db.coachingRequest.update({ where: { id: request.id }, data: { deletedAt: new Date() } });
    expect(await codeOf(addDocumentation(t.db, coach, { requestId: request.id, kind: "PHOTO", link }))).toBe("NOT_FOUND");
  });
});

describe("staff see requests of their office and below; coaches see their own assignments", () => {
  it("scopes getRequestForStaff", async () => {
    const atRegency = await requestIn(t.db, "SUBMITTED", {
      supervisor,
      input: { agencyLevel: "REGENCY" },
      submit: { defaultOfficeId: offices.pekanbaru.id },
    });
    expect(atRegency.officeId).toBe(offices.pekanbaru.id);
    const atProvince = await inStatus("APPROVED");
    const regencySupervisor = actorOf(await makeUser(t.db, offices.pekanbaru.id, ["SUPERVISOR"], "sup-pku"));
    const operator = actorOf(await makeUser(t.db, offices.riau.id, ["OPERATOR"], "op2"));
    const sulselSupervisor = actorOf(await makeUser(t.db, offices.sulsel.id, ["SUPERVISOR"], "sup-sulsel"));
    const cases: [StaffActor, string, string][] = [
      [supervisor, atRegency.id, "OK"],
      [supervisor, atProvince.id, "OK"],
      [operator, atRegency.id, "OK"],
      [regencySupervisor, atRegency.id, "OK"],
      [regencySupervisor, atProvince.id, "NOT_FOUND"],
      [sulselSupervisor, atProvince.id, "NOT_FOUND"],
      [coach, atProvince.id, "OK"],
      [coach, atRegency.id, "NOT_FOUND"],
      [otherCoach, atProvince.id, "NOT_FOUND"],
    ];
    for (const [who, id, expected] of cases) expect(await codeOf(getRequestForStaff(t.db, who, id))).toBe(expected);
  });
});

describe("a requester sees only their own requests", () => {
  it("by identity, by requester, or by their phone as requester or PIC", async () => {
    const identity = await t.db.channelIdentity.create({ data: { channel: "telegram", externalId: `tg-${Date.now()}` } });
    const mine = await requestIn(t.db, "SUBMITTED", {
      supervisor,
      input: { requesterPhone: "0811-7000-1001", picPhone: "0811-7000-1002" },
      submit: { identityId: identity.id },
    });
    const theirs = await requestIn(t.db, "SUBMITTED", { supervisor, input: { requesterPhone: "0811-7000-2001", picPhone: "0811-7000-2002" } });

    const ids = async (who: Parameters<typeof findRequestsFor>[1]) => (await findRequestsFor(t.db, who)).map((r) => r.id);
    expect(await ids({ identityId: identity.id })).toEqual([mine.id]);
    expect(await ids({ phones: ["+6281170001001"] })).toEqual([mine.id]);
    expect(await ids({ phones: ["+6281170001002"] })).toEqual([mine.id]);
    expect(await ids({})).toEqual([]);

    expect((await lookupByCode(t.db, ` ${mine.code.toLowerCase()} `, { identityId: identity.id }))?.id).toBe(mine.id);
    expect(await lookupByCode(t.db, theirs.code, { identityId: identity.id })).toBeNull();
    expect(await lookupByCode(t.db, "PB-1999-99999", { identityId: identity.id })).toBeNull();

    await t.db.coachingRequest.update({ where: { id: mine.id }, data: { deletedAt: new Date() } });
    expect(await ids({ identityId: identity.id })).toEqual([]);
    expect(await lookupByCode(t.db, mine.code, { identityId: identity.id })).toBeNull();
  });

  it("leaves a testimonial only on their own DONE request, once", async () => {
    const requester = await t.db.requester.create({ data: { name: "Budi" } });
    const done = await inStatus("DONE", { supervisor, submit: { requesterId: requester.id } });
    const approved = await inStatus("APPROVED", { supervisor, submit: { requesterId: requester.id } });
    const who = { requesterId: requester.id, authorName: "Budi\u0007 Santoso" };
    expect((await testimonialCandidates(t.db, { requesterId: requester.id })).map((r) => r.id)).toEqual([done.id]);
    expect(
      await codeOf(addTestimonial(t.db, { requesterId: "6f1c1b0e-9a7e-4c1e-8d1e-000000000001", authorName: "X" }, done.id, { rating: 5, text: "Bagus" })),
    ).toBe("NOT_FOUND");
    expect(await codeOf(addTestimonial(t.db, who, approved.id, { rating: 5, text: "Bagus" }))).toBe("NOT_DONE");
    const saved = await addTestimonial(t.db, who, done.id, { rating: 4, text: "Materi sangat membantu." });
    expect(saved).toMatchObject({ rating: 4, authorName: "Budi Santoso", requesterId: requester.id });
    expect(await codeOf(addTestimonial(t.db, who, done.id, { rating: 5, text: "Lagi" }))).toBe("ALREADY_EXISTS");
    expect(await testimonialCandidates(t.db, { requesterId: requester.id })).toEqual([]);
    await expect(addTestimonial(t.db, who, approved.id, { rating: 6, text: "Bagus sekali" })).rejects.toBeInstanceOf(ZodError);
  });
});

describe("modules: an office manages its own, everyone reads all", () => {
  it("is in the table: module.manage reaches the actor's own office only, module.view every office", () => {
    expect(OFFICE_SCOPE["module.manage"]).toBe("own");
    expect(OFFICE_SCOPE["module.view"]).toBe("any");
    const where = { actorOfficeId: "kota", recordOfficeId: "provinsi" };
    expect(canOnOffice(["OPERATOR"], "module.manage", where)).toBe(false);
    expect(canOnOffice(["OPERATOR"], "module.manage", { ...where, recordOfficeId: "kota" })).toBe(true);
    expect(canOnOffice(["COACH"], "module.manage", { ...where, recordOfficeId: "kota" })).toBe(false);
    expect(canOnOffice(["COACH"], "module.view", where)).toBe(true);
  });

  it("and in the service: a BPS Kota Pekanbaru operator cannot delete a Riau provincial module; Riau's operator can", async () => {
    const riauOp = actorOf(await makeUser(t.db, offices.riau.id, ["OPERATOR"], "op-riau"));
    const kotaOp = actorOf(await makeUser(t.db, offices.pekanbaru.id, ["OPERATOR"], "op-kota"));
    const dir = await mkdtemp(path.join(tmpdir(), "sibina-mod-"));
    const stored = await storeAttachment(t.db, new LocalDiskStorage(dir), { bytes: tinyPdf("Modul provinsi"), fileName: "modul.pdf", maxBytes: 1e6 });
    await rm(dir, { recursive: true, force: true });
    if (!stored.ok) throw new Error("fixture refused");
    const mod = await createModule(
      t.db,
      riauOp,
      { title: "Modul Provinsi Riau", category: "Metadata" },
      { attachmentId: stored.attachment.id, fileType: "PDF" },
    );
    expect(mod.officeId).toBe(offices.riau.id);
    await expect(deleteModule(t.db, kotaOp, mod.id)).rejects.toMatchObject({ code: "FORBIDDEN", messageKey: "error.moduleOtherOffice" });
    expect((await t.db.module.findUniqueOrThrow({ where: { id: mod.id } })).deletedAt).toBeNull();
    // Everyone still reads it.
    expect((await listModules(t.db, { keyword: "Provinsi Riau" })).map((m) => m.id)).toEqual([mod.id]);
    await deleteModule(t.db, riauOp, mod.id);
    expect((await t.db.module.findUniqueOrThrow({ where: { id: mod.id } })).deletedAt).not.toBeNull();
  });
});
