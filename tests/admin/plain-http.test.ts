// Issue 11, acceptance: on a non-loopback host over plain HTTP the login page explains why
// signing in fails; with ALLOW_INSECURE_HTTP=true Chromium signs in (and every page warns).
// Chromium treats only localhost/127.0.0.1 as secure contexts, so it reaches the servers by an
// intranet-style name, mapped to 127.0.0.1 with --host-resolver-rules.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../core/config.js";
import { createContext } from "../../core/runtime/context.js";
import { buildApp } from "../../main.js";
import { launchChromium } from "../helpers/browser.js";
import { DEMO_PASSWORD, emailOf, type Panel, startPanel } from "./helpers.js";

const HOST = "sibina.kantor";
const SHOTS = path.resolve("artifacts/screenshots");
let secure: Panel;
let insecure: Panel;
let browser: Browser;
const urlOf = (p: Panel) => `http://${HOST}:${(p.app.server.address() as { port: number }).port}`;

beforeAll(async () => {
  [secure, insecure] = await Promise.all([startPanel({ listen: true }), startPanel({ listen: true, env: { ALLOW_INSECURE_HTTP: "true" } })]);
  await mkdir(SHOTS, { recursive: true });
  browser = await launchChromium([`--host-resolver-rules=MAP ${HOST} 127.0.0.1`]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await secure?.close();
  await insecure?.close();
});

async function signIn(base: string) {
  const context = await browser.newContext({ locale: "id-ID" });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill("#email", emailOf("SUPERVISOR"));
  await page.fill("#password", DEMO_PASSWORD);
  await page.click('[data-testid="login-submit"]');
  await page.waitForLoadState("domcontentloaded");
  return { context, page };
}

describe("plain HTTP on an intranet name", () => {
  it("by default: the login page explains why signing in cannot work and what to do; signing in fails with that explanation", async () => {
    const base = urlOf(secure);
    const { context, page } = await signIn(base);
    try {
      // Chromium kept no session cookie: the server could not set a Secure one over http://.
      expect(await context.cookies(base)).toEqual([]);
      const text = await page.textContent("body");
      expect(text).toContain("HTTPS");
      expect(text).not.toContain("Formulir sudah kedaluwarsa");
      await page.goto(`${base}/login`);
      const box = page.locator('[data-testid="transport-problem"]');
      expect(await box.isVisible()).toBe(true);
      await page.screenshot({ path: path.join(SHOTS, "plain-http-login.png"), fullPage: true });
      expect(await box.textContent()).toContain(`http://${base.slice(7)}`);
      expect(await box.textContent()).toContain("ALLOW_INSECURE_HTTP=true");
      await page.goto(`${base}/dashboard`);
      expect(new URL(page.url()).pathname).toBe("/login");
    } finally {
      await context.close();
    }
  });

  it("with ALLOW_INSECURE_HTTP=true: Chromium signs in with a plain cookie, and every page carries the warning", async () => {
    const base = urlOf(insecure);
    const { context, page } = await signIn(base);
    try {
      expect(new URL(page.url()).pathname).toBe("/dashboard");
      const cookies = await context.cookies(base);
      const session = cookies.find((c) => c.name === "sibina_session");
      expect(session).toMatchObject({ secure: false, httpOnly: true, sameSite: "Lax" });
      expect(cookies.some((c) => c.name.startsWith("__Host-"))).toBe(false);
      expect(await page.locator('[data-testid="insecure-banner"]').isVisible()).toBe(true);
      await page.screenshot({ path: path.join(SHOTS, "insecure-http-dashboard.png") });
      await page.goto(`${base}/requests`);
      expect(new URL(page.url()).pathname).toBe("/requests");
      expect(await page.locator('[data-testid="insecure-banner"]').isVisible()).toBe(true);
      // Signing out works too: that session is gone (the login page may start a fresh, anonymous one).
      await page.click('[data-testid="logout"]');
      await page.waitForURL(/\/login$/);
      expect((await context.cookies(base)).find((c) => c.name === "sibina_session")?.value).not.toBe(session!.value);
      await page.goto(`${base}/dashboard`);
      expect(new URL(page.url()).pathname).toBe("/login");
    } finally {
      await context.close();
    }
  });
});

describe("at start", () => {
  it("warns when PUBLIC_URL is plain HTTP on an address other than loopback", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    for (const publicUrl of ["http://10.14.0.20:3000", "https://sibina.bps.go.id"]) {
      const config = parseConfig({ NODE_ENV: "test", DATABASE_URL: secure.t.url, PUBLIC_URL: publicUrl, STORAGE_DIR: secure.storageDir });
      const ctx = await createContext(config, {
        db: secure.t.db,
        redis: secure.ctx.redis,
        log: pino({ level: "warn" }, sink),
        redisPrefix: secure.ctx.redisPrefix,
      });
      const app = await buildApp(ctx, { panel: { sessionSecret: "s".repeat(40) } });
      await app.close();
    }
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
    expect(warnings.map((w) => w.msg)).toEqual([expect.stringContaining("PUBLIC_URL (http://10.14.0.20:3000) is not https")]);
  });
});
