// The demo data: the office tree with time zones, agencies at every level, staff in every role,
// modules with real stored files, and requests in every status with a believable history.
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "../../core/auth/password.js";
import { ALL_STATUSES, findTransition } from "../../core/requests/lifecycle.js";
import { LocalDiskStorage } from "../../core/storage/index.js";
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from "../../prisma/seed-data.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let t: TestDb;
let dir: string;
let storage: LocalDiskStorage;
const now = new Date();

beforeAll(async () => {
  t = await createTestDb();
  dir = await mkdtemp(path.join(tmpdir(), "sibina-seed-"));
  storage = new LocalDiskStorage(dir);
  expect(await seedDemo(t.db, storage, now)).toEqual({ seeded: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await t.drop();
});

describe("seedDemo", () => {
  it("loads BPS RI, BPS Provinsi Riau and its 12 district/city offices as a tree, in WIB", async () => {
    const offices = await t.db.office.findMany({ include: { parent: true } });
    expect(offices).toHaveLength(14);
    const byCode = new Map(offices.map((o) => [o.code, o]));
    expect(byCode.get("0000")).toMatchObject({ name: "BPS RI", level: "NATIONAL", parentId: null });
    expect(byCode.get("1400")).toMatchObject({ name: "BPS Provinsi Riau", level: "PROVINCE", parentId: byCode.get("0000")!.id });
    const regencies = offices.filter((o) => o.level === "REGENCY");
    expect(regencies).toHaveLength(12);
    for (const r of regencies) {
      expect(r.parent?.code).toBe("1400");
      expect(r.code).toMatch(/^14\d\d$/);
    }
    // Jakarta and all of Riau are in Western Indonesia Time.
    expect(new Set(offices.map((o) => o.timeZone))).toEqual(new Set(["WIB"]));
  });

  it("loads about 20 agencies at every level, each covered by an office", async () => {
    const agencies = await t.db.agency.findMany();
    expect(agencies.length).toBeGreaterThanOrEqual(18);
    expect(agencies.length).toBeLessThanOrEqual(25);
    expect(new Set(agencies.map((a) => a.level))).toEqual(new Set(["CENTRAL", "PROVINCE", "REGENCY", "OTHER"]));
    expect(agencies.every((a) => a.officeId !== null)).toBe(true);
    const offices = new Map((await t.db.office.findMany()).map((o) => [o.id, o]));
    for (const a of agencies.filter((x) => x.level === "CENTRAL")) expect(offices.get(a.officeId!)?.level).toBe("NATIONAL");
    for (const a of agencies.filter((x) => x.level === "REGENCY")) expect(offices.get(a.officeId!)?.level).toBe("REGENCY");
  });

  it("creates staff in every role who can log in with the demo password", async () => {
    const users = await t.db.user.findMany();
    expect(users.map((u) => u.email).sort()).toEqual(DEMO_USERS.map((u) => u.email).sort());
    expect(new Set(users.flatMap((u) => u.roles))).toEqual(new Set(["ADMIN", "OPERATOR", "SUPERVISOR", "COACH"]));
    expect(users.some((u) => u.roles.length > 1)).toBe(true);
    const admin = users.find((u) => u.roles.includes("ADMIN"))!;
    expect(admin.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(admin.passwordHash, DEMO_PASSWORD)).toBe(true);
    expect(await verifyPassword(admin.passwordHash, "wrong")).toBe(false);
  });

  it("stores every module's file, retrievable and intact", async () => {
    const modules = await t.db.module.findMany({ include: { attachment: true } });
    expect(modules.length).toBeGreaterThanOrEqual(5);
    expect(new Set(modules.map((m) => m.topic)).size).toBeGreaterThanOrEqual(5);
    for (const m of modules) {
      const bytes = await storage.get(m.attachment.storageKey);
      expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      expect(m.attachment).toMatchObject({ mimeType: "application/pdf", size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
      expect(m.attachment.fileName).toMatch(/\.pdf$/);
    }
  });

  it("has requests in every status, each with a lawful history ending where the request is", async () => {
    const requests = await t.db.coachingRequest.findMany({ include: { statusChanges: { orderBy: { createdAt: "asc" } }, assignments: true } });
    expect(new Set(requests.map((r) => r.status))).toEqual(new Set(ALL_STATUSES));
    expect(new Set(requests.map((r) => r.code)).size).toBe(requests.length);
    for (const r of requests) {
      const trail = r.statusChanges.filter((c) => c.kind === "TRANSITION");
      expect(trail[0]).toMatchObject({ fromStatus: null, toStatus: "SUBMITTED" });
      for (const [i, step] of trail.slice(1).entries()) {
        expect(step.fromStatus).toBe(trail[i]!.toStatus);
        const actor = step.actorRequesterId || step.toStatus === "CANCELLED" ? "REQUESTER" : "SUPERVISOR";
        expect(findTransition(step.fromStatus!, step.toStatus, actor), `${r.code}: ${step.fromStatus} → ${step.toStatus}`).toBeDefined();
      }
      expect(trail.at(-1)!.toStatus).toBe(r.status);
      // History happened in order, in the past, starting when the request was made.
      const times = r.statusChanges.map((c) => c.createdAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => a - b));
      expect(times[0]).toBe(r.createdAt.getTime());
      expect(Math.max(...times)).toBeLessThanOrEqual(now.getTime());
      if (r.status === "APPROVED" || r.status === "DONE") expect(r.assignments.length).toBeGreaterThan(0);
      if (r.status === "REJECTED") expect(r.rejectionReason).toBeTruthy();
      if (r.status === "DONE") expect(r.startAt.getTime()).toBeLessThan(now.getTime());
    }
    const created = requests.map((r) => r.createdAt.getTime());
    expect(new Set(created).size).toBeGreaterThan(3);
  });

  it("adds a testimonial and a work plan, and delivers none of the seeded history's notices", async () => {
    const testimonial = await t.db.testimonial.findFirstOrThrow({ include: { request: true } });
    expect(testimonial.request.status).toBe("DONE");
    expect(await t.db.workPlan.count()).toBeGreaterThan(0);
    expect(await t.db.outbox.count()).toBeGreaterThan(0);
    expect(await t.db.outbox.count({ where: { status: { not: "CANCELLED" } } })).toBe(0);
  });

  it("a second call changes nothing", async () => {
    const counts = async () => Promise.all([t.db.office.count(), t.db.user.count(), t.db.coachingRequest.count(), t.db.module.count(), t.db.outbox.count()]);
    const before = await counts();
    expect(await seedDemo(t.db, storage, now)).toEqual({ seeded: false });
    expect(await counts()).toEqual(before);
  });
});
