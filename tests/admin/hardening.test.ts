// Issue 11 (security hardening), probed the way it was found: real sockets from distinct
// loopback client addresses (127.0.0.x), so per-client throttles and audit addresses are real.
// Forwarding headers, sign-in throttling without lockout, alerts, two-factor backoff, bodies
// refused before they are read, the plain-HTTP explanation, temporary passwords, Cache-Control,
// office-owned modules.
import { readdir } from "node:fs/promises";
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeNotice, loadNotice, panelLinks } from "../../bot/delivery/render.js";
import { isSealed } from "../../core/auth/secrets.js";
import { authenticate } from "../../core/users/service.js";
import { currentTotp } from "../../core/users/totp.js";
import { tinyPdf } from "../../prisma/seed-data.js";
import { Client, DEMO_PASSWORD, emailOf, type Panel, startPanel } from "./helpers.js";
import { loopback, NetClient } from "./net-client.js";

const PROXY = "127.0.0.3";
let p: Panel;
let port = 0;
// The throttle's clock stands still unless a test moves it, so waits do not depend on how
// fast this machine runs the probes.
const clockBase = Date.now();
let offset = 0;
let nextClient = 10;
/** A client on its own loopback address, never used before in this file. */
const client = (headers: Record<string, string> = {}) => new NetClient(port, loopback(nextClient++), headers);
const errorText = (html: string) => /data-testid="login-error">([^<]*)</.exec(html)?.[1] ?? null;

beforeAll(async () => {
  p = await startPanel({ listen: true, loginMax: 12, maxUploadMb: 1, env: { TRUST_PROXY: PROXY }, now: () => clockBase + offset });
  port = (p.app.server.address() as { port: number }).port;
}, 60_000);
afterAll(async () => p?.close());

describe("forwarding headers (TRUST_PROXY)", () => {
  it("from a client are ignored: the sign-in rate limit holds and the audit log records the socket's address", async () => {
    const c = new NetClient(port, "127.0.0.2");
    const statuses: number[] = [];
    for (let i = 0; i < 13; i++) {
      await c.get("/login");
      const res = await c.post("/login", { email: `probe${i}@sibina.test`, password: "salah" }, { headers: { "x-forwarded-for": `10.66.0.${i}` } });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([...Array(12).fill(401), 429]);
    // The bypass: the right password with a forged address, straight after the 429.
    await c.get("/login");
    const forged = await c.post("/login", { email: emailOf("ADMIN"), password: DEMO_PASSWORD }, { headers: { "x-forwarded-for": "10.66.0.146" } });
    expect(forged.statusCode).toBe(429);
    expect(await p.ctx.db.auditLog.count({ where: { action: "auth.failed.password", ip: "127.0.0.2" } })).toBe(12);
    expect(await p.ctx.db.auditLog.count({ where: { ip: { startsWith: "10.66." } } })).toBe(0);
  });

  it("from a client do not lift the simulator's rate limit either", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 121; i++) {
      const res = await new NetClient(port, "127.0.0.4").request("POST", "/simulator/api/send", "{}", {
        "content-type": "application/json",
        "x-forwarded-for": `10.77.${i >> 8}.${i & 255}`,
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.slice(0, 120).every((s) => s !== 429)).toBe(true);
    expect(statuses[120]).toBe(429);
  });

  it("from a configured proxy are believed: the client's address is audited and HTTPS is recognised", async () => {
    const viaProxy = new NetClient(port, PROXY, { host: "sibina.bps.go.id", "x-forwarded-for": "10.66.0.146", "x-forwarded-proto": "https" });
    const page = await viaProxy.get("/login");
    expect(String(page.headers["set-cookie"])).toMatch(/^__Host-sibina=.*; Secure/);
    expect(page.body).not.toContain('data-testid="transport-problem"');
    expect((await viaProxy.post("/login", { email: emailOf("SUPERVISOR"), password: DEMO_PASSWORD })).statusCode).toBe(302);
    const sup = await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("SUPERVISOR") } });
    const login = await p.ctx.db.auditLog.findFirstOrThrow({ where: { action: "auth.login", actorUserId: sup.id }, orderBy: { createdAt: "desc" } });
    expect(login.ip).toBe("10.66.0.146");

    // A malformed forwarded address from the proxy invents no client: the proxy's own address counts.
    for (const [i, junk] of ["unknown", "999.1.1.1", "10.66.0.146 garbage", "x".repeat(300)].entries()) {
      const odd = new NetClient(port, PROXY, { host: "sibina.bps.go.id", "x-forwarded-for": junk, "x-forwarded-proto": "https" });
      await odd.get("/login");
      expect((await odd.post("/login", { email: `junk.probe${i}@sibina.test`, password: "salah" })).statusCode, junk).toBe(401);
    }
    const junkRows = await p.ctx.db.auditLog.findMany({ where: { action: "auth.failed.password", ip: { not: "127.0.0.2" } }, select: { ip: true } });
    expect(junkRows.map((r) => r.ip)).toEqual([PROXY, PROXY, PROXY, PROXY]);

    // The same headers from anyone else are not believed, and the login page says why it fails.
    const spoof = client({ host: "sibina.bps.go.id", "x-forwarded-for": "10.66.0.146", "x-forwarded-proto": "https" });
    const refused = await spoof.get("/login");
    expect(refused.headers["set-cookie"]).toBeUndefined();
    expect(refused.body).toContain('data-testid="transport-problem"');
    expect(refused.body).toContain(`(${spoof.localAddress})`);
    expect(refused.body).toContain("TRUST_PROXY");
  });
});

describe("IPv6 clients (behind a configured proxy)", () => {
  it("are counted by their /64: rotating addresses inside it buys no extra tries, another /64 is free, and the audit keeps each address", async () => {
    const c = new NetClient(port, PROXY, { host: "sibina.bps.go.id", "x-forwarded-proto": "https" });
    const from = (address: string) => ({ headers: { "x-forwarded-for": address } });
    const statuses: number[] = [];
    for (let i = 1; i <= 13; i++) {
      const address = `2001:db8:66:1::${i.toString(16)}`;
      await c.get("/login", from(address).headers);
      statuses.push((await c.post("/login", { email: `v6.probe${i}@sibina.test`, password: "salah" }, from(address))).statusCode);
    }
    expect(statuses).toEqual([...Array(12).fill(401), 429]);
    // The next address of the same /64 is the same client; one of another /64 is not.
    await c.get("/login", from("2001:db8:66:1:ffff::9").headers);
    expect((await c.post("/login", { email: "v6.probe.same@sibina.test", password: "salah" }, from("2001:db8:66:1:ffff::9"))).statusCode).toBe(429);
    await c.get("/login", from("2001:db8:66:2::1").headers);
    expect((await c.post("/login", { email: "v6.probe.other@sibina.test", password: "salah" }, from("2001:db8:66:2::1"))).statusCode).toBe(401);
    const audited = await p.ctx.db.auditLog.findMany({ where: { action: "auth.failed.password", ip: { startsWith: "2001:db8:66:" } }, select: { ip: true } });
    expect(new Set(audited.map((r) => r.ip)).size).toBe(13);
  });
});

/** One sign-in attempt as a browser makes it, and what the person sees. */
async function attempt(c: NetClient, email: string, password: string) {
  await c.get("/login");
  const res = await c.post("/login", { email, password });
  return { status: res.statusCode, retryAfter: res.headers["retry-after"] ?? null, error: errorText(res.body) };
}

/** Three failures, then growing waits: each wait is served in full before the next try. */
async function probe(c: NetClient, email: string) {
  const seen: Awaited<ReturnType<typeof attempt>>[] = [];
  for (let i = 0; i < 3; i++) seen.push(await attempt(c, email, `salah-${i}`));
  for (const waitMs of [1000, 2000]) {
    seen.push(await attempt(c, email, "salah-lagi"));
    offset += waitMs;
    seen.push(await attempt(c, email, "salah-lagi"));
  }
  seen.push(await attempt(c, email, "salah-lagi"));
  return seen;
}

describe("sign-in throttling instead of lockout", () => {
  it("slows a failing client with growing waits, never locks, and lets the owner in from elsewhere", async () => {
    const email = "pembina1@sibina.test";
    const attacker = client();
    const seen = await probe(attacker, email);
    expect(seen.map((s) => s.status)).toEqual([401, 401, 401, 429, 401, 429, 401, 429]);
    expect(seen.filter((s) => s.status === 429).map((s) => s.retryAfter)).toEqual(["1", "2", "4"]);
    expect(seen.find((s) => s.status === 429)?.error).toContain("Tunggu 1 detik");
    // Even the right password is not tried for a client that is waiting...
    expect((await attempt(attacker, email, DEMO_PASSWORD)).status).toBe(429);
    // ...while the owner, on a client that has not been failing, signs in at once.
    const owner = client();
    expect((await owner.login(email)).statusCode).toBe(302);
    expect((await owner.get("/dashboard")).statusCode).toBe(200);
    // The failures are in the audit log with the attacker's real address.
    const user = await p.ctx.db.user.findUniqueOrThrow({ where: { email } });
    expect(await p.ctx.db.auditLog.count({ where: { action: "auth.failed.password", entityId: user.id, ip: attacker.localAddress } })).toBe(5);
  });

  it("answers an unknown email exactly as a known one: same counts, same waits, same words, never 423", async () => {
    const known = await probe(client(), "pembina2@sibina.test");
    const unknown = await probe(client(), "tidak.ada@sibina.test");
    expect(unknown).toEqual(known);
    expect([...known, ...unknown].some((s) => s.status === 423)).toBe(false);
  });

  it("costs an unknown email a real hash like a wrong password, so timing tells nothing", async () => {
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    // CPU time of this process (the hash runs on its threads), which a busy machine does not inflate
    // the way it inflates wall-clock time.
    const cpuMs = async (email: string) => {
      const before = process.cpuUsage();
      const result = await authenticate(p.ctx.db, email, "bukan-sandinya");
      const used = process.cpuUsage(before);
      expect(result.ok).toBe(false);
      return (used.user + used.system) / 1000;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 11; i++) {
      unknown.push(await cpuMs(`belum.pernah.${i}@sibina.test`));
      known.push(await cpuMs(emailOf("COACH")));
    }
    // Without the decoy hash an unknown email would cost a small fraction of a wrong password.
    expect(median(unknown), JSON.stringify({ known, unknown })).toBeGreaterThan(median(known) / 2);
  });

  it("alerts the owner and every admin once when an account is under attack (outbox intents), not for unknown emails", async () => {
    const email = "supervisor.pekanbaru@sibina.test";
    const owner = await p.ctx.db.user.findUniqueOrThrow({ where: { email } });
    const admins = await p.ctx.db.user.count({ where: { roles: { has: "ADMIN" }, deletedAt: null } });
    const outboxBefore = await p.ctx.db.outbox.count({ where: { kind: "account.under_attack" } });
    const attackers = Array.from({ length: 11 }, () => client());
    for (const a of attackers.slice(0, 9)) expect((await attempt(a, email, "tebak-tebak")).status).toBe(401);
    expect(await p.ctx.db.outbox.count({ where: { kind: "account.under_attack", payload: { path: ["userId"], equals: owner.id } } })).toBe(0);
    expect((await attempt(attackers[9]!, email, "tebak-tebak")).status).toBe(401);
    expect((await attempt(attackers[10]!, email, "tebak-tebak")).status).toBe(401);
    const rows = await p.ctx.db.outbox.findMany({ where: { kind: "account.under_attack", payload: { path: ["userId"], equals: owner.id } } });
    expect(rows.length).toBe(1 + admins);
    expect(rows.filter((r) => r.recipientKind === "STAFF").map((r) => r.recipientUserId)).toEqual([owner.id]);
    expect(rows.filter((r) => r.recipientKind === "ADMIN").length).toBe(admins);
    expect(rows[0]!.payload).toEqual({ userId: owner.id, stage: "password", failures: 10, clients: 10 });
    const alert = await p.ctx.db.auditLog.findMany({ where: { action: "auth.underAttack", entityId: owner.id } });
    expect(alert.map((a) => a.ip)).toEqual([attackers[9]!.localAddress]);

    // What the owner reads, in both languages (rendered by the delivery worker).
    const staffRow = rows.find((r) => r.recipientKind === "STAFF")!;
    const data = await loadNotice(p.ctx.db, staffRow);
    const links = panelLinks({ PUBLIC_URL: "https://sibina.bps.go.id", HOST: "127.0.0.1", PORT: 3000 });
    const id = composeNotice(data, "id", links);
    const en = composeNotice(data, "en", links);
    expect(id.text).toContain(`10 percobaan masuk yang gagal ke akun Sibina Anda (${email}) dari 10 alamat`);
    expect(en.text).toContain(`10 failed sign-in attempts on your Sibina account (${email}) from 10 addresses`);
    const adminText = composeNotice(await loadNotice(p.ctx.db, rows.find((r) => r.recipientKind === "ADMIN")!), "id", links).text;
    expect(adminText).toContain(`Akun ${owner.name} (${email})`);

    // Unknown emails raise nothing (there is nobody to tell), with the same answers as above.
    for (const a of attackers) expect((await attempt(a, "siapa.saja@sibina.test", "tebak")).status).toBe(401);
    expect(await p.ctx.db.outbox.count({ where: { kind: "account.under_attack" } })).toBe(outboxBefore + 1 + admins);
  });
});

describe("two-factor codes", () => {
  it("are counted per account with backoff: rotating addresses buys no extra tries; the owner is never refused", async () => {
    const email = "pembina3@sibina.test";
    const owner = client();
    await owner.login(email);
    const setup = await owner.get("/profile/security");
    const secret = /data-testid="totp-secret">([A-Z2-7]+)</.exec(setup.body)![1]!;
    expect((await owner.post("/profile/security/enable", { code: currentTotp(secret) })).headers.location).toBe("/profile");
    const stored = (await p.ctx.db.user.findUniqueOrThrow({ where: { email } })).totpSecret!;
    expect(isSealed(stored)).toBe(true);
    expect(stored).not.toContain(secret);

    const wrong = () => String((Number(currentTotp(secret)) + 500_000) % 1_000_000).padStart(6, "0");
    const totpTry = async (c: NetClient, code: string, forwardedFor?: string) => {
      await c.get("/login/totp");
      const res = await c.post("/login/totp", { code }, { headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {} });
      return { status: res.statusCode, retryAfter: res.headers["retry-after"] ?? null };
    };
    const first = client();
    expect((await first.login(email)).headers.location).toBe("/login/totp");
    expect(await totpTry(first, wrong(), "10.0.0.1")).toEqual({ status: 401, retryAfter: null });
    expect(await totpTry(first, wrong(), "10.0.0.2")).toEqual({ status: 401, retryAfter: null });
    expect(await totpTry(first, wrong(), "10.0.0.3")).toEqual({ status: 429, retryAfter: "2" });
    // A new address has one try; after it, it waits by the account's count (3 failures: 4 s).
    const second = client();
    await second.login(email);
    expect(await totpTry(second, wrong())).toEqual({ status: 401, retryAfter: null });
    expect(await totpTry(second, wrong())).toEqual({ status: 429, retryAfter: "4" });
    const user = await p.ctx.db.user.findUniqueOrThrow({ where: { email } });
    const alerts = await p.ctx.db.outbox.findMany({ where: { kind: "account.under_attack", payload: { path: ["userId"], equals: user.id } } });
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.every((a) => (a.payload as { stage: string }).stage === "totp")).toBe(true);

    // The owner, on a client that has not been failing, signs in with password and code at once.
    const again = client();
    expect((await again.login(email)).headers.location).toBe("/login/totp");
    await again.get("/login/totp");
    const ok = await again.post("/login/totp", { code: currentTotp(secret) });
    expect(ok.statusCode).toBe(302);
    expect((await again.get("/modules")).statusCode).toBe(200);
  });
});

/** Sends a multipart request by hand and reports what happened before the body was finished. */
function rawMultipart(path: string, opts: { localAddress: string; cookie?: string; declaredLength: number; sendBytes: number }) {
  const boundary = "----sibinaprobe";
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n`,
  );
  return new Promise<{ status: number; body: string; sent: number; closed: boolean }>((resolve, reject) => {
    let sent = 0;
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        localAddress: opts.localAddress,
        agent: false,
        headers: {
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": opts.declaredLength,
          ...(opts.cookie ? { cookie: opts.cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        // The server ends the connection after answering (it does not wait for the rest).
        res.on("end", () => {
          const done = () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), sent, closed: true });
          const socket = req.socket;
          if (!socket || socket.readableEnded || socket.destroyed) return done();
          socket.once("end", done);
          socket.once("close", done);
        });
      },
    );
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE" && e.code !== "ECONNRESET") reject(e);
    });
    req.write(head);
    sent += head.length;
    // Only part of the declared body is sent: an answer can only come from not waiting for the rest.
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    while (sent < opts.sendBytes) {
      req.write(chunk);
      sent += chunk.length;
    }
  });
}

describe("request bodies", () => {
  it("multipart is refused before it is read where no upload is expected, and on upload routes without a session", async () => {
    for (const path of ["/locale", "/login", "/login/totp", "/logout", "/nowhere"]) {
      const c = client();
      await c.get("/login");
      const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      const res = await rawMultipart(path, { localAddress: c.localAddress, cookie, declaredLength: 50 * 1024 * 1024, sendBytes: 256 * 1024 });
      expect(res.status, path).toBe(400);
      expect(res.body).toContain("tidak menerima unggahan berkas");
      expect(res.closed).toBe(true);
    }
    // Refused in onRequest, before any route's own checks: a signed-in page that takes no files
    // refuses it the same way, signed in or not, and in the language the person chose.
    const op = client();
    await op.login(emailOf("OPERATOR"));
    const signedIn = [...op.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    for (const cookie of [signedIn, "sibina_lang=en"]) {
      const res = await rawMultipart("/profile/password", { localAddress: op.localAddress, cookie, declaredLength: 50 * 1024 * 1024, sendBytes: 256 * 1024 });
      expect(res.status, cookie).toBe(400);
      expect(res.body).toContain(cookie === signedIn ? "tidak menerima unggahan berkas" : "does not take file uploads");
    }
    // Outside the panel too: the simulator's JSON API and the webhook path have no multipart parser,
    // and their refusal closes the connection instead of reading the rest.
    for (const path of ["/simulator/api/send", "/telegram/webhook"]) {
      const res = await rawMultipart(path, { localAddress: loopback(nextClient++), declaredLength: 50 * 1024 * 1024, sendBytes: 256 * 1024 });
      expect(res.status, path).toBe(path === "/simulator/api/send" ? 415 : 400);
      expect(res.closed, path).toBe(true);
    }
    const anon = await rawMultipart("/modules", { localAddress: loopback(nextClient++), declaredLength: 50 * 1024 * 1024, sendBytes: 256 * 1024 });
    expect(anon.status).toBe(401);
    expect(anon.closed).toBe(true);
  });

  it("connections stay open (keep-alive) when the body was read, as for every ordinary page and form", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ask = (method: string, body?: string) =>
      new Promise<string | undefined>((resolve, reject) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port,
            path: "/login",
            method,
            agent,
            localAddress: loopback(nextClient),
            headers: body ? { "content-type": "application/x-www-form-urlencoded" } : {},
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(res.headers.connection));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    try {
      expect(await ask("GET")).toBe("keep-alive");
      expect(await ask("POST", "email=a%40b.c&password=x")).toBe("keep-alive"); // refused (no CSRF token), its small body already in
    } finally {
      agent.destroy();
      nextClient++;
    }
  });

  it("an upload declared larger than the limits is refused before it is read, even signed in", async () => {
    const op = client();
    await op.login(emailOf("OPERATOR"));
    await op.get("/modules/new");
    const cookie = [...op.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const res = await rawMultipart("/modules", { localAddress: op.localAddress, cookie, declaredLength: 80 * 1024 * 1024, sendBytes: 128 * 1024 });
    expect(res.status).toBe(413);
    expect(res.body).toContain("Berkas terlalu besar");
  });

  it("checks the CSRF token before the first file byte is stored, and caps the files of one form together", async () => {
    const files = async () => (await readdir(p.storageDir, { recursive: true })).filter((f) => /[a-f0-9]{40}$/.test(String(f))).length;
    const before = await files();
    const attachments = await p.ctx.db.attachment.count();
    const op = new Client(p.app, loopback(nextClient++));
    await op.login(emailOf("OPERATOR"));
    await op.get("/modules/new");
    const pdf = tinyPdf("Modul");
    const forged = await op.upload(
      "/modules",
      { title: "Modul palsu", category: "Uji" },
      [{ field: "file", name: "m.pdf", type: "application/pdf", bytes: pdf }],
      {
        csrf: "x".repeat(40),
      },
    );
    expect(forged.statusCode).toBe(403);
    expect(await files()).toBe(before);

    // Six files under the 1 MB limit each, 5.4 MB together: past the form's 5 MB total.
    await op.get("/requests/new");
    const piece = Buffer.concat([pdf, Buffer.alloc(900 * 1024, 0x20)]);
    const admin = new Client(p.app, loopback(nextClient++));
    await admin.login(emailOf("ADMIN"));
    await admin.get("/requests/new");
    const many = await admin.upload(
      "/requests",
      { requesterName: "Uji Batas" },
      Array.from({ length: 6 }, (_, i) => ({ field: "attachments", name: `lampiran-${i}.pdf`, type: "application/pdf", bytes: piece })),
    );
    expect(many.statusCode).toBe(413);
    expect(await files()).toBe(before);
    expect(await p.ctx.db.attachment.count()).toBe(attachments);
  });
});

describe("the current password asked again by a signed-in page", () => {
  it("is throttled like the sign-in form: a stolen session cannot guess it freely, the owner elsewhere is not held back", async () => {
    const email = "monev@sibina.test";
    const hashBefore = (await p.ctx.db.user.findUniqueOrThrow({ where: { email } })).passwordHash;
    const thief = client();
    expect((await thief.login(email)).statusCode).toBe(302);
    const change = async (current: string) => {
      await thief.get("/profile/password");
      const res = await thief.post("/profile/password", { current, next: "kopi tubruk di tepi kampar", confirm: "kopi tubruk di tepi kampar" });
      return { status: res.statusCode, retryAfter: res.headers["retry-after"] ?? null, body: res.body };
    };
    const seen = [];
    for (let i = 0; i < 3; i++) seen.push(await change(`tebakan-${i}`));
    seen.push(await change(DEMO_PASSWORD)); // even the right one waits now
    expect(seen.map((s) => s.status)).toEqual([422, 422, 422, 429]);
    expect(seen[3]!.retryAfter).toBe("1");
    expect(seen[3]!.body).toContain("Tunggu 1 detik");
    // Turning off two-step verification asks for the password too, and counts in the same throttle.
    offset += 1000;
    await thief.get("/profile/security");
    expect((await thief.post("/profile/security/disable", { password: "tebakan-lagi" })).statusCode).toBe(302);
    expect((await thief.get("/profile/security")).body).toContain("Kata sandi saat ini salah");
    expect((await thief.post("/profile/security/disable", { password: DEMO_PASSWORD })).statusCode).toBe(302);
    expect((await thief.get("/profile/security")).body).toContain("Tunggu 2 detik");
    const user = await p.ctx.db.user.findUniqueOrThrow({ where: { email } });
    expect(await p.ctx.db.auditLog.count({ where: { action: "auth.failed.password", entityId: user.id, ip: thief.localAddress } })).toBe(4);
    expect(user.passwordHash).toBe(hashBefore);
    // The owner, on a client that has not been failing, changes it at once.
    const owner = client();
    await owner.login(email);
    await owner.get("/profile/password");
    const ok = await owner.post("/profile/password", { current: DEMO_PASSWORD, next: "kopi tubruk di tepi kampar", confirm: "kopi tubruk di tepi kampar" });
    expect(ok.statusCode).toBe(302);
  });
});

describe("plain HTTP on an intranet address", () => {
  it("explains on the login page why signing in fails, and says so again instead of 'form expired'", async () => {
    const intranet = client({ host: `sibina.kantor:${port}` });
    const page = await intranet.get("/login");
    expect(page.statusCode).toBe(200);
    expect(page.headers["set-cookie"]).toBeUndefined();
    expect(page.body).toContain('data-testid="transport-problem"');
    expect(page.body).toContain(`http://sibina.kantor:${port}`);
    expect(page.body).toContain("ALLOW_INSECURE_HTTP=true");
    const post = await intranet.post("/login", { email: emailOf("ADMIN"), password: DEMO_PASSWORD });
    expect(post.statusCode).toBe(400);
    expect(post.body).toContain("HTTPS");
    expect(post.body).not.toContain("Formulir sudah kedaluwarsa");
    // On loopback (a secure context for browsers) there is nothing to explain.
    expect((await client().get("/login")).body).not.toContain('data-testid="transport-problem"');
  });
});

describe("temporary passwords", () => {
  it("must be replaced at the first sign-in by a password that passes the strength check", async () => {
    const admin = client();
    await admin.login(emailOf("ADMIN"));
    await admin.get("/users/new");
    const riau = await p.ctx.db.office.findUniqueOrThrow({ where: { code: "1400" } });
    const created = await admin.post("/users", { name: "Bambang Sutrisno", email: "bambang@sibina.test", officeId: riau.id, roles: "COACH" });
    expect(created.statusCode).toBe(200);
    const temp = /data-testid="temp-password">([^<]+)</.exec(created.body)![1]!;
    expect((await p.ctx.db.user.findUniqueOrThrow({ where: { email: "bambang@sibina.test" } })).mustChangePassword).toBe(true);
    expect((await admin.get("/users")).body).toContain('data-testid="temporary-password"');

    const user = client();
    expect((await user.login("bambang@sibina.test", temp)).statusCode).toBe(302);
    for (const path of ["/dashboard", "/my/assignments", "/profile", "/profile/security"]) {
      const res = await user.get(path);
      expect(res.headers.location, path).toBe("/profile/password?required=1");
    }
    const page = await user.get("/profile/password?required=1");
    expect(page.body).toContain('data-testid="password-required"');
    const tryPassword = async (next: string) => {
      await user.get("/profile/password");
      return user.post("/profile/password", { current: temp, next, confirm: next });
    };
    const weak = await tryPassword("aaaaaaaaaaaa");
    expect(weak.statusCode).toBe(422);
    expect(weak.body).toContain("terlalu mudah ditebak");
    expect((await tryPassword("bambang12345")).body).toContain("terlalu mudah ditebak"); // built from the name
    expect((await tryPassword("pendek")).body).toContain("minimal 12 karakter");
    expect((await tryPassword(temp)).body).toContain("harus berbeda");
    const ok = await tryPassword("kopi tubruk di tepi siak");
    expect(ok.statusCode).toBe(302);
    expect(ok.headers.location).toBe("/");
    expect((await user.get("/my/assignments")).statusCode).toBe(200);
    expect((await p.ctx.db.user.findUniqueOrThrow({ where: { email: "bambang@sibina.test" } })).mustChangePassword).toBe(false);
  });
});

describe("Cache-Control", () => {
  it("is no-store on every page and download of a session, not on static assets", async () => {
    const admin = client();
    await admin.login(emailOf("ADMIN"));
    const attachment = await p.ctx.db.attachment.findFirstOrThrow({ where: { modules: { some: {} } } });
    for (const path of ["/dashboard", "/requests", "/requests/export.csv", "/requests/export.xlsx", "/users", `/files/${attachment.id}`, "/nowhere"]) {
      const res = await admin.get(path);
      expect(res.statusCode, path).toBeLessThan(500);
      expect(res.headers["cache-control"], path).toBe("no-store");
    }
    expect((await admin.get("/assets/app.css")).headers["cache-control"]).not.toContain("no-store");
  });
});

describe("modules", () => {
  it("are read by everyone and managed by their own office: BPS Kota Pekanbaru cannot delete a Riau provincial module", async () => {
    const pekanbaruUser = await p.ctx.db.user.update({ where: { email: "pembina.pekanbaru@sibina.test" }, data: { roles: ["OPERATOR"] } });
    const riauModule = await p.ctx.db.module.findFirstOrThrow({ where: { deletedAt: null, office: { code: "1400" } } });
    const kota = client();
    await kota.login(pekanbaruUser.email);
    const list = await kota.get("/modules");
    expect(list.body).toContain(riauModule.title);
    expect(list.body).not.toContain(`/modules/${riauModule.id}/delete`);
    expect((await kota.get(`/modules/${riauModule.id}/delete`)).statusCode).toBe(403);
    await kota.get("/modules");
    const del = await kota.post(`/modules/${riauModule.id}/delete`);
    expect(del.statusCode).toBe(403);
    expect(del.body).toContain("milik kantor lain");
    expect((await p.ctx.db.module.findUniqueOrThrow({ where: { id: riauModule.id } })).deletedAt).toBeNull();

    // The province's operator manages its own module.
    const riau = client();
    await riau.login(emailOf("OPERATOR"));
    expect((await riau.get("/modules")).body).toContain(`/modules/${riauModule.id}/delete`);
    expect((await riau.post(`/modules/${riauModule.id}/delete`)).statusCode).toBe(302);
    expect((await p.ctx.db.module.findUniqueOrThrow({ where: { id: riauModule.id } })).deletedAt).not.toBeNull();
  });
});
