// Routing (seed 002): central → BPS RI, province → provincial office, district/city → its office,
// free text → this deployment's office; escalation to the parent office; the duplicate check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getRequestForStaff, type StaffActor } from "../../core/access/index.js";
import type { AgencyLevel, RequestStatus } from "../../core/db/generated/enums.js";
import { routeRequest } from "../../core/requests/routing.js";
import { escalate, findDuplicates, submitRequest } from "../../core/requests/service.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, codeOf, makeUser, requestInput, seedOffices } from "../helpers/fixtures.js";
import { requestIn } from "../helpers/requests.js";

let t: TestDb;
let offices: Awaited<ReturnType<typeof seedOffices>>;
let sup: Record<"ri" | "riau" | "pekanbaru", StaffActor>;
let coachId: string;

beforeAll(async () => {
  t = await createTestDb();
  offices = await seedOffices(t.db);
  sup = {
    ri: actorOf(await makeUser(t.db, offices.ri.id, ["SUPERVISOR"], "sup-ri")),
    riau: actorOf(await makeUser(t.db, offices.riau.id, ["SUPERVISOR"], "sup-riau")),
    pekanbaru: actorOf(await makeUser(t.db, offices.pekanbaru.id, ["SUPERVISOR"], "sup-pku")),
  };
  coachId = (await makeUser(t.db, offices.riau.id, ["COACH"], "coach")).id;
});
afterAll(async () => t.drop());

const agency = (name: string, level: AgencyLevel, officeId: string) => t.db.agency.create({ data: { name, level, officeId } });

describe("routing a new request", () => {
  it.each([
    ["a ministry", "Kementerian Pertanian", "CENTRAL", "ri", "ri"],
    ["a provincial agency", "Dinas Kesehatan Provinsi Riau", "PROVINCE", "riau", "riau"],
    ["a district/city agency", "Bappeda Kota Pekanbaru", "REGENCY", "pekanbaru", "pekanbaru"],
    ["a university", "Universitas Riau", "OTHER", "riau", "riau"],
    ["a provincial agency filed under a city office", "Dinas Pendidikan Provinsi Riau", "PROVINCE", "pekanbaru", "riau"],
  ] as const)("%s (registered) goes to its office", async (_label, name, level, agencyOffice, expected) => {
    const a = await agency(name, level, offices[agencyOffice].id);
    const { request } = await submitRequest(t.db, requestInput({ agencyId: a.id, agencyName: "diketik lain", agencyLevel: level }), {
      channel: "web",
      defaultOfficeId: offices.riau.id,
    });
    expect(request.officeId).toBe(offices[expected].id);
    expect(request.agencyId).toBe(a.id);
    expect(request.agencyName).toBe(name);
  });

  it("a registered agency's own level decides, whatever level was typed", async () => {
    const a = await agency("Kementerian Kesehatan", "CENTRAL", offices.ri.id);
    const { request } = await submitRequest(t.db, requestInput({ agencyId: a.id, agencyLevel: "REGENCY" }), {
      channel: "web",
      defaultOfficeId: offices.riau.id,
    });
    expect(request.officeId).toBe(offices.ri.id);
    expect(request.agencyLevel).toBe("CENTRAL");
  });

  it.each([
    ["a ministry typed as free text", "CENTRAL", "riau", "ri"],
    ["a district agency typed as free text", "REGENCY", "riau", "riau"],
    ["a district agency typed at a city deployment", "REGENCY", "pekanbaru", "pekanbaru"],
    ["a provincial agency typed at a city deployment", "PROVINCE", "pekanbaru", "riau"],
    ["another agency typed as free text", "OTHER", "riau", "riau"],
  ] as const)("%s goes to the right office", async (_label, level, deployment, expected) => {
    const { request } = await submitRequest(t.db, requestInput({ agencyName: "Dinas Yang Belum Terdaftar", agencyLevel: level }), {
      channel: "web",
      defaultOfficeId: offices[deployment].id,
    });
    expect(request.officeId).toBe(offices[expected].id);
    expect(request.agencyId).toBeNull();
  });

  it("the submission alerts the handling office's supervisors only", async () => {
    const a = await agency("Diskominfo Kota Pekanbaru", "REGENCY", offices.pekanbaru.id);
    const { request } = await submitRequest(t.db, requestInput({ agencyId: a.id }), { channel: "web", defaultOfficeId: offices.riau.id });
    const rows = await t.db.outbox.findMany({ where: { requestId: request.id }, orderBy: { kind: "asc" } });
    // The requester's receipt (no chat identity: delivered by phone) and one alert per supervisor there.
    expect(rows.map((r) => [r.kind, r.recipientKind, r.recipientUserId ?? r.recipientPhone, r.status])).toEqual([
      ["request.received", "REQUESTER", "+6281234567890", "PENDING"],
      ["request.submitted", "SUPERVISOR", sup.pekanbaru.userId, "PENDING"],
    ]);
  });

  it("routeRequest works on the office tree alone", () => {
    const tree = [
      { id: "ri", level: "NATIONAL" as const, parentId: null },
      { id: "prov", level: "PROVINCE" as const, parentId: "ri" },
      { id: "city", level: "REGENCY" as const, parentId: "prov" },
    ];
    expect(routeRequest({ level: "CENTRAL", agencyOfficeId: "city" }, tree, "prov")).toBe("ri");
    expect(routeRequest({ level: "PROVINCE", agencyOfficeId: "city" }, tree, "prov")).toBe("prov");
    expect(routeRequest({ level: "REGENCY", agencyOfficeId: "city" }, tree, "prov")).toBe("city");
    expect(routeRequest({ level: "REGENCY" }, tree, "prov")).toBe("prov");
    expect(routeRequest({ level: "OTHER", agencyOfficeId: "gone" }, tree, "city")).toBe("city");
    expect(() => routeRequest({ level: "OTHER" }, tree, "nowhere")).toThrow();
  });
});

describe("escalation", () => {
  const cityRequest = async (status: RequestStatus = "SUBMITTED") => {
    const r = await requestIn(t.db, status, {
      supervisor: sup.pekanbaru,
      coachIds: [(await makeUser(t.db, offices.pekanbaru.id, ["COACH"], "coach-pku")).id],
      input: { agencyLevel: "REGENCY" },
    });
    expect(r.officeId).toBe(offices.pekanbaru.id);
    return r;
  };

  it("moves the request to the parent office, records it in the trail and alerts the new supervisors", async () => {
    const request = await cityRequest("IN_REVIEW");
    const change = await escalate(t.db, sup.pekanbaru, request.id, "Butuh narasumber provinsi\u0007");
    expect(change).toMatchObject({
      kind: "ESCALATION",
      fromStatus: "IN_REVIEW",
      toStatus: "IN_REVIEW",
      fromOfficeId: offices.pekanbaru.id,
      toOfficeId: offices.riau.id,
      actorUserId: sup.pekanbaru.userId,
      note: "Butuh narasumber provinsi",
    });
    const after = await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } });
    expect(after).toMatchObject({ officeId: offices.riau.id, status: "IN_REVIEW" });
    const notices = await t.db.outbox.findMany({ where: { requestId: request.id, kind: "request.escalated" } });
    const toSupervisors = notices.filter((n) => n.recipientKind === "SUPERVISOR");
    expect(toSupervisors.map((n) => n.recipientUserId)).toEqual([sup.riau.userId]);
    // The requester is told too, with the new office's name.
    const toRequester = notices.filter((n) => n.recipientKind === "REQUESTER");
    expect(toRequester).toHaveLength(1);
    expect(toRequester[0]!.payload).toMatchObject({ officeName: offices.riau.name });
    expect(toRequester[0]!.recipientPhone).toBe(request.requesterPhone);
    // The city office no longer handles it; the province does, and can approve with its own coaches.
    expect(await codeOf(getRequestForStaff(t.db, sup.pekanbaru, request.id))).toBe("NOT_FOUND");
    expect(await codeOf(getRequestForStaff(t.db, sup.riau, request.id))).toBe("OK");
  });

  it("can go up twice, and no further than BPS RI", async () => {
    const request = await cityRequest();
    await escalate(t.db, sup.pekanbaru, request.id);
    await escalate(t.db, sup.riau, request.id);
    expect((await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } })).officeId).toBe(offices.ri.id);
    expect(await codeOf(escalate(t.db, sup.ri, request.id))).toBe("NO_PARENT_OFFICE");
    const trail = await t.db.statusChange.findMany({ where: { requestId: request.id, kind: "ESCALATION" }, orderBy: { createdAt: "asc" } });
    expect(trail.map((c) => [c.fromOfficeId, c.toOfficeId])).toEqual([
      [offices.pekanbaru.id, offices.riau.id],
      [offices.riau.id, offices.ri.id],
    ]);
  });

  it.each(["APPROVED", "REJECTED", "DONE", "CANCELLED"] as const)("refuses a %s request", async (status) => {
    const request = await cityRequest(status);
    expect(await codeOf(escalate(t.db, sup.pekanbaru, request.id))).toBe("INVALID_TRANSITION");
    expect((await t.db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } })).officeId).toBe(offices.pekanbaru.id);
  });

  it("only a supervisor who can see the request escalates it", async () => {
    const request = await cityRequest();
    const admin = actorOf(await makeUser(t.db, offices.pekanbaru.id, ["ADMIN", "OPERATOR", "COACH"], "not-sup"));
    expect(await codeOf(escalate(t.db, admin, request.id))).toBe("FORBIDDEN");
    const sulsel = actorOf(await makeUser(t.db, offices.sulsel.id, ["SUPERVISOR"], "sup-sulsel"));
    expect(await codeOf(escalate(t.db, sulsel, request.id))).toBe("NOT_FOUND");
    expect(await t.db.statusChange.count({ where: { requestId: request.id, kind: "ESCALATION" } })).toBe(0);
  });
});

describe("the duplicate check", () => {
  const DAY = 24 * 3600_000;
  const base = new Date(Date.now() + 30 * DAY);

  it("finds open requests of the same agency and service within ±7 days", async () => {
    const a = await agency("Dinas Perikanan Kabupaten Siak", "REGENCY", offices.riau.id);
    const at = (days: number, extra: Partial<Parameters<typeof requestInput>[0]> = {}, status: RequestStatus = "SUBMITTED") =>
      requestIn(t.db, status, {
        supervisor: sup.riau,
        coachIds: [coachId],
        input: {
          agencyId: a.id,
          agencyName: a.name,
          agencyLevel: "REGENCY",
          startAt: new Date(base.getTime() + days * DAY),
          endAt: new Date(base.getTime() + days * DAY + 3600_000),
          ...extra,
        },
      });
    const hits = [await at(0), await at(-7), await at(7), await at(3, {}, "IN_REVIEW"), await at(-2, {}, "APPROVED")];
    const misses = [
      await at(-7.01),
      await at(7.01),
      await at(1, { serviceType: "FGD" }),
      await at(1, {}, "REJECTED"),
      await at(1, {}, "DONE"),
      await at(1, {}, "CANCELLED"),
    ];
    const deleted = await at(1);
    await t.db.coachingRequest.update({ where: { id: deleted.id }, data: { deletedAt: new Date() } });
    misses.push(deleted);
    const other = await agency("Dinas Perikanan Kabupaten Kampar", "REGENCY", offices.riau.id);
    misses.push(await at(0, { agencyId: other.id, agencyName: other.name }));

    const found = await findDuplicates(t.db, { agencyId: a.id, agencyName: a.name, serviceType: "DIKLAT_BIMTEK", startAt: base });
    expect(found.map((f) => f.id).sort()).toEqual(hits.map((h) => h.id).sort());
    expect(found.map((f) => f.startAt.getTime())).toEqual([...found.map((f) => f.startAt.getTime())].sort((x, y) => x - y));
    for (const m of misses) expect(found.map((f) => f.id)).not.toContain(m.id);
  });

  it("matches an agency typed as free text by its name, ignoring case and spaces", async () => {
    const input = { agencyName: "Dinas Sosial Kota Dumai", agencyLevel: "REGENCY" as const, startAt: base, endAt: new Date(base.getTime() + 3600_000) };
    const typed = await requestIn(t.db, "SUBMITTED", { supervisor: sup.riau, input });
    const found = await findDuplicates(t.db, {
      agencyName: "  dinas sosial KOTA dumai ",
      serviceType: "DIKLAT_BIMTEK",
      startAt: new Date(base.getTime() + 2 * DAY),
    });
    expect(found.map((f) => f.id)).toEqual([typed.id]);
    // ...and a registered agency also finds earlier requests where its name was typed.
    const registered = await agency("Dinas Sosial Kota Dumai", "REGENCY", offices.riau.id);
    const byId = await findDuplicates(t.db, { agencyId: registered.id, agencyName: registered.name, serviceType: "DIKLAT_BIMTEK", startAt: base });
    expect(byId.map((f) => f.id)).toEqual([typed.id]);
    expect(await findDuplicates(t.db, { agencyName: "Dinas Sosial Kota Pekanbaru", serviceType: "DIKLAT_BIMTEK", startAt: base })).toEqual([]);
  });
});

describe("inactive offices", () => {
  it("send a request to the nearest active office above", () => {
    const offices = [
      { id: "ri", level: "NATIONAL" as const, parentId: null },
      { id: "riau", level: "PROVINCE" as const, parentId: "ri" },
      { id: "pku", level: "REGENCY" as const, parentId: "riau", active: false },
    ];
    expect(routeRequest({ level: "REGENCY", agencyOfficeId: "pku" }, offices, "riau")).toBe("riau");
    expect(
      routeRequest(
        { level: "REGENCY", agencyOfficeId: "pku" },
        offices.map((o) => ({ ...o, active: true })),
        "riau",
      ),
    ).toBe("pku");
  });
});
