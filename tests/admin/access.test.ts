// Every route × every role: the status code each gets, and that refusals carry no data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Role } from "../../core/db/generated/enums.js";
import { addDocumentation } from "../../core/documentation/service.js";
import { type Action, can } from "../../core/permissions.js";
import { makeUser } from "../helpers/fixtures.js";
import { Client, DEMO_USERS, emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

type Who = "anon" | "none" | "ADMIN" | "OPERATOR" | "SUPERVISOR" | "COACH" | "OTHER_SUP";
const WHO: Who[] = ["anon", "none", "ADMIN", "OPERATOR", "SUPERVISOR", "COACH", "OTHER_SUP"];
const rolesOf: Record<Exclude<Who, "anon">, Role[]> = {
  none: [],
  ADMIN: ["ADMIN"],
  OPERATOR: ["OPERATOR"],
  SUPERVISOR: ["SUPERVISOR"],
  COACH: ["COACH"],
  OTHER_SUP: ["SUPERVISOR", "COACH"],
};

let p: Panel;
const clients = new Map<Who, Client>();
const ids: Record<string, string> = {};
let markers: string[] = [];

beforeAll(async () => {
  p = await startPanel();
  const db = p.ctx.db;
  const byAgency = (name: string) => db.coachingRequest.findFirstOrThrow({ where: { agencyName: { startsWith: name } } });
  const inReview = await byAgency("Dinas Kesehatan Provinsi Riau");
  const done = await byAgency("Dinas Tanaman Pangan");
  const otherDone = await byAgency("Universitas Riau");
  const coach = await db.user.findUniqueOrThrow({ where: { email: emailOf("COACH") } });
  const doc = await addDocumentation(
    db,
    { userId: coach.id, roles: coach.roles, officeId: coach.officeId },
    { requestId: done.id, kind: "MINUTES", link: "https://drive.example/notulen" },
  );
  const mod = await db.module.findFirstOrThrow({ where: { deletedAt: null } });
  const testimonial = await db.testimonial.findFirstOrThrow();
  const target = await db.user.findUniqueOrThrow({ where: { email: "pembina2@sibina.test" } });
  Object.assign(ids, {
    inReview: inReview.id,
    done: done.id,
    otherDone: otherDone.id,
    doc: doc.id,
    module: mod.id,
    moduleFile: mod.attachmentId,
    testimonial: testimonial.id,
    user: target.id,
  });
  markers = [inReview.requesterEmail, inReview.description, done.requesterEmail, otherDone.description, testimonial.text, target.email, target.nip!];

  const none = await makeUser(db, (await db.office.findUniqueOrThrow({ where: { code: "1400" } })).id, [], "tanpa-peran");
  clients.set("anon", new Client(p.app));
  const nonePanel = new Client(p.app);
  const noneLogin = await nonePanel.login(none.email, "test-password-123");
  expect(noneLogin.statusCode).toBe(302);
  expect(noneLogin.headers.location).toBe("/profile"); // no role yet: only the profile
  clients.set("none", nonePanel);
  for (const who of ["ADMIN", "OPERATOR", "SUPERVISOR", "COACH"] as const) clients.set(who, await signedIn(p.app, emailOf(who)));
  clients.set("OTHER_SUP", await signedIn(p.app, "supervisor.pekanbaru@sibina.test"));
});
afterAll(async () => p?.close());

/** Allowed by the permission table (the route's action), else 403. */
const byAction = (action: Action) => (who: Who) => (who === "anon" ? 302 : can(rolesOf[who], action) ? 200 : 403);
/** Object routes: outside the office or the role, the object simply does not exist (404). */
const inOffice = (action: Action) => (who: Who) => (who === "anon" ? 302 : who === "OTHER_SUP" || !can(rolesOf[who], action) ? 404 : 200);

const GET_ROUTES: { url: () => string; expect: (who: Who) => number }[] = [
  { url: () => "/dashboard", expect: byAction("dashboard.view") },
  { url: () => "/dashboard.json", expect: byAction("dashboard.view") },
  { url: () => "/requests", expect: byAction("request.view") },
  { url: () => "/requests.json", expect: byAction("request.view") },
  { url: () => "/requests/export.csv", expect: byAction("request.export") },
  { url: () => "/requests/export.xlsx", expect: byAction("request.export") },
  { url: () => "/requests/new", expect: byAction("request.create") },
  { url: () => `/requests/${ids.inReview}`, expect: inOffice("request.view") },
  // The assigned coach sees their own request, and nobody else's.
  { url: () => `/requests/${ids.done}`, expect: (w) => (w === "COACH" ? 200 : inOffice("request.view")(w)) },
  { url: () => `/requests/${ids.otherDone}`, expect: inOffice("request.view") },
  { url: () => `/requests/${ids.inReview}/json`, expect: (w) => (w === "OTHER_SUP" ? 404 : byAction("request.view")(w)) },
  { url: () => `/requests/${ids.inReview}/status`, expect: (w) => (w === "OTHER_SUP" ? 404 : byAction("request.changeStatus")(w)) },
  { url: () => `/requests/${ids.inReview}/edit`, expect: byAction("request.edit") },
  { url: () => `/requests/${ids.inReview}/delete`, expect: byAction("request.delete") },
  { url: () => `/files/${ids.moduleFile}`, expect: (w) => (w === "anon" ? 302 : w === "none" ? 404 : 200) },
  { url: () => "/coachings", expect: byAction("coaching.view") },
  { url: () => "/my/assignments", expect: byAction("documentation.upload") },
  { url: () => `/coachings/${ids.done}/documentation`, expect: (w) => (w === "anon" ? 302 : w === "COACH" ? 200 : 403) },
  { url: () => `/coachings/${ids.otherDone}/documentation`, expect: (w) => (w === "anon" ? 302 : 403) },
  { url: () => "/documentation", expect: byAction("documentation.view") },
  { url: () => `/documentation/${ids.doc}/delete`, expect: byAction("documentation.manage") },
  { url: () => "/modules", expect: byAction("module.view") },
  { url: () => "/modules/new", expect: byAction("module.manage") },
  { url: () => `/modules/${ids.module}/delete`, expect: byAction("module.manage") },
  { url: () => "/testimonials", expect: byAction("testimonial.view") },
  { url: () => `/testimonials/${ids.testimonial}/delete`, expect: byAction("testimonial.manage") },
  { url: () => "/users", expect: byAction("user.manage") },
  { url: () => "/users/new", expect: byAction("user.manage") },
  { url: () => `/users/${ids.user}/edit`, expect: byAction("user.manage") },
  { url: () => `/users/${ids.user}/delete`, expect: byAction("user.manage") },
  { url: () => `/users/${ids.user}/reset-password`, expect: byAction("user.manage") },
  { url: () => "/settings", expect: byAction("user.manage") },
  { url: () => "/offices", expect: byAction("office.manage") },
  { url: () => "/calendar", expect: byAction("calendar.manage") },
  { url: () => "/notifications", expect: (w) => (w === "anon" ? 302 : 200) },
  { url: () => "/users/import", expect: byAction("user.manage") },
  { url: () => "/users/import/export.csv", expect: byAction("user.manage") },
  { url: () => "/agencies/import", expect: byAction("agency.import") },
  { url: () => "/agencies/import/export.xlsx", expect: byAction("agency.import") },
  { url: () => "/channels", expect: byAction("channel.manage") },
  { url: () => "/audit", expect: byAction("audit.view") },
  { url: () => "/profile", expect: (w) => (w === "anon" ? 302 : 200) },
  { url: () => "/profile/security", expect: (w) => (w === "anon" ? 302 : 200) },
];

describe("GET routes", () => {
  it.each(GET_ROUTES.map((r) => [r]))("%# answers each role as the permission table says", async (route) => {
    for (const who of WHO) {
      const res = await clients.get(who)!.get(route.url());
      expect(res.statusCode, `${who} GET ${route.url()}`).toBe(route.expect(who));
      if (res.statusCode === 302) expect(res.headers.location).toMatch(/^\/login\?next=/);
      if (res.statusCode !== 200) for (const m of markers) expect(res.body, `${who} GET ${route.url()} leaks`).not.toContain(m);
    }
  });

  it("keeps the hard rules of SPEKTRAL regardless of the table: admins never change status, supervisors never edit users", async () => {
    expect((await clients.get("ADMIN")!.get(`/requests/${ids.inReview}/status`)).statusCode).toBe(403);
    expect((await clients.get("SUPERVISOR")!.get("/users")).statusCode).toBe(403);
    expect((await clients.get("COACH")!.get("/requests")).statusCode).toBe(403);
    expect((await clients.get("OPERATOR")!.get("/modules/new")).statusCode).toBe(200);
  });

  it("answers unknown ids and malformed ids with 404", async () => {
    const admin = clients.get("ADMIN")!;
    expect((await admin.get("/requests/00000000-0000-4000-8000-000000000000")).statusCode).toBe(404);
    expect((await admin.get("/requests/not-a-uuid")).statusCode).toBe(404);
    expect((await admin.get("/files/../../etc/passwd")).statusCode).toBe(404);
    expect((await admin.get("/no-such-page")).statusCode).toBe(404);
  });
});

const POST_ROUTES: { url: () => string; action: Action; form?: Record<string, string> }[] = [
  { url: () => "/requests", action: "request.create" },
  { url: () => `/requests/${ids.inReview}/status`, action: "request.changeStatus", form: { to: "REJECTED", reason: "tidak sesuai jadwal" } },
  { url: () => `/requests/${ids.inReview}/coaches`, action: "request.assignCoaches" },
  { url: () => `/requests/${ids.inReview}/escalate`, action: "request.escalate" },
  { url: () => `/requests/${ids.inReview}/clarify`, action: "request.clarify", form: { question: "Berapa peserta?" } },
  { url: () => `/requests/${ids.inReview}/edit`, action: "request.edit" },
  { url: () => `/requests/${ids.inReview}/delete`, action: "request.delete" },
  { url: () => `/documentation/${ids.doc}/delete`, action: "documentation.manage" },
  { url: () => "/modules", action: "module.manage" },
  { url: () => `/modules/${ids.module}/delete`, action: "module.manage" },
  { url: () => `/testimonials/${ids.testimonial}/delete`, action: "testimonial.manage" },
  { url: () => "/users", action: "user.manage" },
  { url: () => `/users/${ids.user}/edit`, action: "user.manage" },
  { url: () => `/users/${ids.user}/roles`, action: "user.manage", form: { roles: "ADMIN" } },
  { url: () => `/users/${ids.user}/delete`, action: "user.manage" },
  { url: () => `/users/${ids.user}/reset-password`, action: "user.manage" },
  { url: () => "/settings", action: "user.manage", form: { roles: "COACH" } },
  { url: () => "/offices/add", action: "office.manage", form: { codes: "1401" } },
  { url: () => "/calendar/leave", action: "calendar.manage", form: { date: "2027-03-11", name: "Cuti bersama" } },
  { url: () => "/users/import/apply", action: "user.manage", form: { id: "aaaaaaaaaaaaaaaa" } },
  { url: () => "/agencies/import/apply", action: "agency.import", form: { id: "aaaaaaaaaaaaaaaa" } },
  { url: () => "/channels/whatsapp/pairing", action: "channel.manage" },
  { url: () => "/channels/jobs/retry", action: "channel.manage" },
];

describe("POST routes", () => {
  it("refuse every role the table does not allow, with a valid CSRF token, and change nothing", async () => {
    const before = await Promise.all([
      p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: ids.inReview } }),
      p.ctx.db.user.findUniqueOrThrow({ where: { id: ids.user } }),
      p.ctx.db.module.findUniqueOrThrow({ where: { id: ids.module } }),
      p.ctx.db.testimonial.findUniqueOrThrow({ where: { id: ids.testimonial } }),
      p.ctx.db.requestMessage.count(),
      p.ctx.db.setting.count(),
    ]);
    let refused = 0;
    for (const route of POST_ROUTES) {
      for (const who of WHO) {
        if (who !== "anon" && can(rolesOf[who], route.action)) continue;
        const c = clients.get(who)!;
        if (who !== "anon") await c.get("/profile"); // a fresh token from a page this role can open
        const res = await c.post(route.url(), route.form ?? {});
        const expected = who === "anon" ? 401 : 403;
        expect(res.statusCode, `${who} POST ${route.url()}`).toBe(expected);
        for (const m of markers) expect(res.body).not.toContain(m);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(POST_ROUTES.length * 3);
    const after = await Promise.all([
      p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: ids.inReview } }),
      p.ctx.db.user.findUniqueOrThrow({ where: { id: ids.user } }),
      p.ctx.db.module.findUniqueOrThrow({ where: { id: ids.module } }),
      p.ctx.db.testimonial.findUniqueOrThrow({ where: { id: ids.testimonial } }),
      p.ctx.db.requestMessage.count(),
      p.ctx.db.setting.count(),
    ]);
    expect(after).toEqual(before);
  });

  it("a supervisor of another office cannot act on this office's request (404, unchanged)", async () => {
    const other = clients.get("OTHER_SUP")!;
    await other.get("/profile");
    const res = await other.post(`/requests/${ids.inReview}/status`, { to: "REJECTED", reason: "bukan wilayah kami" });
    expect(res.statusCode).toBe(404);
    expect((await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: ids.inReview } })).status).toBe("IN_REVIEW");
  });
});

describe("navigation", () => {
  it("shows each role only the menu entries it may open", async () => {
    const nav = async (who: Who) => {
      const html = (await clients.get(who)!.get("/profile")).body;
      const block = /<nav class="sidenav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? "";
      return [...block.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    };
    expect(await nav("ADMIN")).toEqual(expect.arrayContaining(["/users", "/channels", "/audit", "/requests", "/simulator"]));
    expect(await nav("ADMIN")).not.toContain("/my/assignments");
    expect(await nav("COACH")).toEqual(expect.arrayContaining(["/my/assignments", "/coachings"]));
    expect(await nav("COACH")).not.toContain("/requests");
    expect(await nav("OPERATOR")).not.toContain("/users");
    expect(await nav("none")).not.toContain("/dashboard");
    expect(DEMO_USERS.length).toBeGreaterThan(5);
  });
});
