// Sessions, cookies, CSRF, headers, lockout, rate limits, two-factor sign-in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentTotp } from "../../core/users/totp.js";
import { Client, DEMO_PASSWORD, emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let p: Panel;
let ipSeq = 10;
const nextIp = () => `10.1.0.${ipSeq++}`;
const sessionKeys = async () => p.ctx.redis.keys(`${p.ctx.redisPrefix}:sess:*`);

beforeAll(async () => {
  p = await startPanel({ loginMax: 10 });
});
afterAll(async () => p?.close());

describe("session cookie", () => {
  it("is __Host-, Secure, HttpOnly, SameSite=Lax, path / and no domain, on loopback over plain HTTP", async () => {
    const res = await p.app.inject({ method: "GET", url: "/login", headers: { host: "127.0.0.1:3000" } });
    const raw = String(res.headers["set-cookie"]);
    expect(raw).toMatch(/^__Host-sibina=/);
    expect(raw).toMatch(/; Secure/);
    expect(raw).toMatch(/; HttpOnly/);
    expect(raw).toMatch(/; SameSite=Lax/);
    expect(raw).toMatch(/; Path=\//);
    expect(raw).not.toMatch(/Domain=/i);
  });

  it("is never sent over plain HTTP to a non-local host, nor on the word of an untrusted X-Forwarded-Proto", async () => {
    const plain = await p.app.inject({ method: "GET", url: "/login", headers: { host: "sibina.bps.go.id" } });
    expect(plain.headers["set-cookie"]).toBeUndefined();
    // No TRUST_PROXY here: any client could send this header (hardening.test.ts covers a trusted proxy).
    const claimed = await p.app.inject({ method: "GET", url: "/login", headers: { host: "sibina.bps.go.id", "x-forwarded-proto": "https" } });
    expect(claimed.headers["set-cookie"]).toBeUndefined();
  });

  it("is regenerated on login (session fixation) and the old id is worthless", async () => {
    const c = new Client(p.app, nextIp());
    await c.get("/login");
    const planted = c.cookies.get("__Host-sibina");
    expect(planted).toMatch(/^\S{16,}$/);
    const res = await c.post("/login", { email: emailOf("SUPERVISOR"), password: DEMO_PASSWORD });
    expect(res.statusCode).toBe(302);
    const fresh = c.cookies.get("__Host-sibina");
    expect(fresh).toMatch(/^\S{16,}$/);
    expect(fresh).not.toBe(planted);
    expect((await c.get("/dashboard")).statusCode).toBe(200);
    const attacker = new Client(p.app, nextIp());
    attacker.cookies.set("__Host-sibina", planted!);
    const stolen = await attacker.get("/dashboard");
    expect(stolen.statusCode).toBe(302);
    expect(stolen.headers.location).toMatch(/^\/login/);
  });

  it("is destroyed on logout, in Redis too", async () => {
    const c = await signedIn(p.app, emailOf("OPERATOR"), nextIp());
    const cookie = c.cookies.get("__Host-sibina")!;
    const before = (await sessionKeys()).length;
    const out = await c.post("/logout");
    expect(out.statusCode).toBe(302);
    expect(out.headers.location).toBe("/login");
    expect((await sessionKeys()).length).toBe(before - 1);
    const replay = new Client(p.app, nextIp());
    replay.cookies.set("__Host-sibina", cookie);
    expect((await replay.get("/dashboard")).statusCode).toBe(302);
  });

  it("only follows local next= targets after sign-in (no open redirect)", async () => {
    for (const [next, expected] of [
      ["/requests?status=IN_REVIEW", "/requests?status=IN_REVIEW"],
      ["//evil.example/x", "/dashboard"],
      ["https://evil.example/", "/dashboard"],
      ["/\\evil.example", "/dashboard"],
    ]) {
      const c = new Client(p.app, nextIp());
      await c.get(`/login?next=${encodeURIComponent(next!)}`);
      const res = await c.post("/login", { email: emailOf("SUPERVISOR"), password: DEMO_PASSWORD, next: next! });
      expect(res.headers.location, next).toBe(expected);
    }
  });

  it("ignores a forged cookie value", async () => {
    const c = new Client(p.app, nextIp());
    c.cookies.set("__Host-sibina", "forged.value");
    expect((await c.get("/dashboard")).statusCode).toBe(302);
  });
});

describe("CSRF", () => {
  it("rejects the login form without a token", async () => {
    const c = new Client(p.app, nextIp());
    await c.get("/login");
    const res = await c.post("/login", { email: emailOf("ADMIN"), password: DEMO_PASSWORD }, { csrf: null });
    expect(res.statusCode).toBe(403);
    expect(c.cookies.get("__Host-sibina")).toMatch(/^\S{16,}$/);
    expect((await c.get("/dashboard")).statusCode).toBe(302);
  });

  it("rejects a state change without a token, with another session's token, and with a bad token; nothing changes", async () => {
    const sup = await signedIn(p.app, emailOf("SUPERVISOR"), nextIp());
    const other = await signedIn(p.app, emailOf("ADMIN"), nextIp());
    const req = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { status: "IN_REVIEW", office: { code: "1400" } } });
    const count = await p.ctx.db.requestMessage.count();
    expect((await sup.post(`/requests/${req.id}/clarify`, { question: "Berapa peserta?" }, { csrf: null })).statusCode).toBe(403);
    expect((await sup.post(`/requests/${req.id}/clarify`, { question: "Berapa peserta?" }, { csrf: other.csrf })).statusCode).toBe(403);
    expect((await sup.post(`/requests/${req.id}/clarify`, { question: "Berapa peserta?" }, { csrf: "x".repeat(40) })).statusCode).toBe(403);
    expect((await sup.post(`/requests/${req.id}/status`, { to: "REJECTED", reason: "tanpa token" }, { csrf: null })).statusCode).toBe(403);
    expect(await p.ctx.db.requestMessage.count()).toBe(count);
    expect((await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: req.id } })).status).toBe("IN_REVIEW");
    const ok = await sup.post(`/requests/${req.id}/clarify`, { question: "Berapa peserta?" });
    expect(ok.statusCode).toBe(302);
    expect(await p.ctx.db.requestMessage.count()).toBe(count + 1);
  });

  it("rejects a multipart upload without a token", async () => {
    const op = await signedIn(p.app, emailOf("OPERATOR"), nextIp());
    await op.get("/modules/new");
    const res = await op.upload(
      "/modules",
      { title: "Modul tanpa token", category: "Uji" },
      [{ field: "file", name: "m.pdf", type: "application/pdf", bytes: Buffer.from("%PDF-1.4\n%%EOF\n") }],
      { csrf: null },
    );
    expect(res.statusCode).toBe(403);
    expect(await p.ctx.db.module.count({ where: { title: "Modul tanpa token" } })).toBe(0);
  });
});

describe("headers", () => {
  it("sends a strict CSP and pages carry no inline script, inline style or event handler", async () => {
    const admin = await signedIn(p.app, emailOf("ADMIN"), nextIp());
    const res = await admin.get("/dashboard");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    const req = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { office: { code: "1400" } } });
    for (const url of ["/dashboard", "/requests", `/requests/${req.id}`, "/users", "/channels", "/profile/security", "/requests/new", "/login"]) {
      const html = (await admin.get(url)).body;
      expect(html, url).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
      expect(html, url).not.toMatch(/\sstyle=/i);
      expect(html, url).not.toMatch(/\son[a-z]+=/i);
    }
  });
});

describe("failed sign-ins and password reset", () => {
  it("never locks an account: the owner signs in from elsewhere; an admin reset hands over a temporary password", async () => {
    const email = "pembina3@sibina.test";
    const ip = nextIp();
    const victim = await signedIn(p.app, email, nextIp());
    for (let i = 0; i < 5; i++) {
      const c = new Client(p.app, ip);
      await c.get("/login");
      const res = await c.post("/login", { email, password: `wrong-${i}` });
      expect(res.statusCode, `attempt ${i + 1}`).toBe(i < 3 ? 401 : 429);
      expect(res.statusCode).not.toBe(423);
    }
    const right = new Client(p.app, nextIp());
    expect((await right.login(email, DEMO_PASSWORD)).statusCode).toBe(302);
    const user = await p.ctx.db.user.findUniqueOrThrow({ where: { email } });
    expect(await p.ctx.db.auditLog.count({ where: { action: "auth.failed.password", entityId: user.id, ip } })).toBe(3);

    const admin = await signedIn(p.app, emailOf("ADMIN"), nextIp());
    await admin.get(`/users/${user.id}/reset-password`);
    const reset = await admin.post(`/users/${user.id}/reset-password`);
    expect(reset.statusCode).toBe(200);
    const temp = /data-testid="temp-password">([^<]+)</.exec(reset.body)?.[1];
    expect(temp).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(reset.headers["cache-control"]).toContain("no-store");
    // The victim's existing session ended with the reset.
    expect((await victim.get("/dashboard")).statusCode).toBe(302);
    const fresh = new Client(p.app, nextIp());
    expect((await fresh.login(email, DEMO_PASSWORD)).statusCode).toBe(401);
    // The reset also cleared the waits of the client that had been failing.
    const again = new Client(p.app, ip);
    const signed = await again.login(email, temp!);
    expect(signed.statusCode).toBe(302);
    expect((await again.get("/dashboard")).headers.location).toBe("/profile/password?required=1");
    const audit = await p.ctx.db.auditLog.findFirstOrThrow({ where: { action: "user.resetPassword", entityId: user.id } });
    expect(JSON.stringify(audit.changes)).not.toContain(temp!);
    expect(audit.ip).toBeTruthy();
  });

  it("rate-limits sign-in attempts per IP in Redis (429), other IPs unaffected", async () => {
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const c = new Client(p.app, ip);
      await c.get("/login");
      statuses.push((await c.post("/login", { email: `nobody${i}@sibina.test`, password: "x" })).statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect((await p.ctx.redis.keys(`${p.ctx.redisPrefix}:rl:*`)).length).toBeGreaterThan(0);
    const elsewhere = new Client(p.app, nextIp());
    expect((await elsewhere.login(emailOf("ADMIN"))).statusCode).toBe(302);
  });
});

describe("two-factor sign-in", () => {
  it("is set up from the profile, then asked at every login; a code works once", async () => {
    const email = "pembina2@sibina.test";
    const c = await signedIn(p.app, email, nextIp());
    const page = await c.get("/profile/security");
    const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page.body)?.[1];
    expect(secret).toBeTruthy();
    expect(page.body).toContain('src="data:image/png;base64,');
    expect((await c.post("/profile/security/enable", { code: "000000" })).headers.location).toBe("/profile/security");
    expect((await p.ctx.db.user.findUniqueOrThrow({ where: { email } })).totpEnabled).toBe(false);
    await c.get("/profile/security");
    expect((await c.post("/profile/security/enable", { code: currentTotp(secret!) })).headers.location).toBe("/profile");
    expect((await p.ctx.db.user.findUniqueOrThrow({ where: { email } })).totpEnabled).toBe(true);

    const d = new Client(p.app, nextIp());
    const first = await d.login(email);
    expect(first.headers.location).toBe("/login/totp");
    expect((await d.get("/dashboard")).statusCode).toBe(302); // not signed in yet
    await d.get("/login/totp");
    expect((await d.post("/login/totp", { code: "123456" })).statusCode).toBe(401);
    const code = currentTotp(secret!);
    const ok = await d.post("/login/totp", { code });
    expect(ok.statusCode).toBe(302);
    expect((await d.get("/dashboard")).statusCode).toBe(200);

    const e = new Client(p.app, nextIp());
    await e.login(email);
    await e.get("/login/totp");
    expect((await e.post("/login/totp", { code })).statusCode).toBe(401); // replayed
  });

  it("can be required per role by an admin; until set up, only the security page opens", async () => {
    const admin = await signedIn(p.app, emailOf("ADMIN"), nextIp());
    await admin.get("/settings");
    expect((await admin.post("/settings", { roles: "OPERATOR" })).statusCode).toBe(302);
    const op = await signedIn(p.app, emailOf("OPERATOR"), nextIp());
    const blocked = await op.get("/modules");
    expect(blocked.statusCode).toBe(302);
    expect(blocked.headers.location).toBe("/profile/security?required=1");
    const page = await op.get("/profile/security?required=1");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-testid="totp-required"');
    const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(page.body)![1]!;
    await op.post("/profile/security/enable", { code: currentTotp(secret) });
    expect((await op.get("/modules")).statusCode).toBe(200);
    await admin.get("/settings");
    await admin.post("/settings", {});
    expect(await p.ctx.db.auditLog.count({ where: { action: "settings.totpRoles" } })).toBe(2);
  });
});

describe("account changes end sessions", () => {
  it("signs a user out when an admin changes their roles or deletes them", async () => {
    const coach = await signedIn(p.app, "pembina.pekanbaru@sibina.test", nextIp());
    const target = await p.ctx.db.user.findUniqueOrThrow({ where: { email: "pembina.pekanbaru@sibina.test" } });
    const admin = await signedIn(p.app, emailOf("ADMIN"), nextIp());
    await admin.get("/users");
    expect((await admin.post(`/users/${target.id}/roles`, { roles: ["COACH", "OPERATOR"] })).statusCode).toBe(302);
    expect((await p.ctx.db.user.findUniqueOrThrow({ where: { id: target.id } })).roles).toEqual(["COACH", "OPERATOR"]);
    expect((await coach.get("/my/assignments")).statusCode).toBe(302);
    const again = await signedIn(p.app, "pembina.pekanbaru@sibina.test", nextIp());
    expect((await again.get("/modules/new")).statusCode).toBe(200);
    await admin.get(`/users/${target.id}/delete`);
    expect((await admin.post(`/users/${target.id}/delete`)).statusCode).toBe(302);
    expect((await again.get("/dashboard")).statusCode).toBe(302);
    expect((await new Client(p.app, nextIp()).login("pembina.pekanbaru@sibina.test")).statusCode).toBe(401);
  });

  it("never lets an admin remove their own admin role or delete themselves", async () => {
    const admin = await signedIn(p.app, emailOf("ADMIN"), nextIp());
    const me = await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("ADMIN") } });
    await admin.get("/users");
    await admin.post(`/users/${me.id}/roles`, { roles: "COACH" });
    await admin.post(`/users/${me.id}/delete`);
    const after = await p.ctx.db.user.findUniqueOrThrow({ where: { id: me.id } });
    expect(after.roles).toEqual(["ADMIN"]);
    expect(after.deletedAt).toBeNull();
  });
});

describe("language", () => {
  it("is Indonesian by default and switches to English for the user (stored on the account)", async () => {
    const anon = new Client(p.app, nextIp());
    expect((await anon.get("/login")).body).toContain("Masuk ke Sibina");
    await anon.post("/locale", { locale: "en", next: "/login" });
    expect((await anon.get("/login")).body).toContain("Sign in to Sibina");
    const sup = await signedIn(p.app, emailOf("SUPERVISOR"), nextIp());
    expect((await sup.get("/dashboard")).body).toContain("Antrean supervisor");
    await sup.post("/locale", { locale: "en", next: "/dashboard" });
    expect((await sup.get("/dashboard")).body).toContain("Supervisor queue");
    expect((await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("SUPERVISOR") } })).locale).toBe("en");
    await sup.post("/locale", { locale: "id", next: "/dashboard" });
  });
});
