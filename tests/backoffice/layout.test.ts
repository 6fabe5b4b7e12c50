// Triage at a glance, measured in Chromium: the request list at 1366×768 shows status and main
// action without scrolling sideways; phone cards are compact with the status on top; the phone
// menu at 390×844 opens and reaches every page; the monthly chart is readable on a phone; the
// users table shows its actions at 1366 px; phone numbers, NIPs and codes stay whole; the audit
// log reads in words with links and filters.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emailOf, type Panel, signedIn, startPanel } from "../admin/helpers.js";
import { launch, newContext, signIn } from "./support/browser.js";

let p: Panel;
let browser: Browser;
let base = "";

beforeAll(async () => {
  p = await startPanel({ listen: true });
  base = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}`;
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await p?.close();
});

async function page(role: "ADMIN" | "SUPERVISOR" | "OPERATOR" | "COACH", viewport: { width: number; height: number }): Promise<Page> {
  const context = await newContext(browser, viewport);
  const pg = await context.newPage();
  await signIn(pg, base, emailOf(role));
  return pg;
}

const noSideScroll = (pg: Page) => pg.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe("1366×768", () => {
  it("the request list shows every row's status and main action without scrolling sideways", async () => {
    const pg = await page("SUPERVISOR", { width: 1366, height: 768 });
    await pg.goto(`${base}/requests`);
    expect(await noSideScroll(pg)).toBe(true);
    const wrap = await pg.locator(".table-wrap").evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
    expect(wrap.scroll).toBeLessThanOrEqual(wrap.client);
    const rows = pg.locator("[data-testid=requests-table] tbody tr");
    expect(await rows.count()).toBeGreaterThan(5);
    for (let i = 0; i < 5; i++) {
      for (const sel of ["[data-status]", "[data-testid=main-action]"]) {
        const box = (await rows.nth(i).locator(sel).boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(1366);
      }
    }
    await pg.context().close();
  });

  it("the users table shows its actions, and roles are edited on the user's page", async () => {
    const pg = await page("ADMIN", { width: 1366, height: 768 });
    await pg.goto(`${base}/users`);
    expect(await noSideScroll(pg)).toBe(true);
    expect(await pg.locator("[data-testid=users-table] input[type=checkbox]").count()).toBe(0);
    const first = pg.locator("[data-testid=users-table] tbody tr").first();
    for (const a of await first.locator(".actions a").all()) {
      const box = (await a.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(1366);
    }
    await first.locator("[data-testid=user-edit]").click();
    expect(await pg.locator("input[name=roles]").count()).toBe(4);
    await pg.context().close();
  });
});

describe("390×844", () => {
  it("the navigation opens as a menu and reaches every page", async () => {
    for (const role of ["ADMIN", "SUPERVISOR", "COACH"] as const) {
      const pg = await page(role, { width: 390, height: 844 });
      await pg.goto(`${base}/dashboard`);
      const nav = pg.locator("[data-testid=sidenav]");
      expect(await nav.isVisible()).toBe(false);
      const hrefs = await nav.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
      expect(hrefs.length).toBeGreaterThan(3);
      for (const href of hrefs) {
        await pg.click("[data-testid=nav-toggle]");
        expect(await nav.isVisible()).toBe(true);
        const link = nav.locator(`a[href="${href}"]`);
        const box = (await link.boundingBox())!;
        // The whole label is on screen: nothing cut off as in the old strip.
        expect(box.x).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width).toBeLessThanOrEqual(390);
        expect(await link.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
        const [response] = await Promise.all([pg.waitForNavigation(), link.click()]);
        expect(response?.status()).toBe(200);
        expect(new URL(pg.url()).pathname).toBe(href);
        if (href === "/simulator") await pg.goto(`${base}/dashboard`);
      }
      await pg.context().close();
    }
  });

  it("the request cards are compact with the status on top, and the monthly chart is readable", async () => {
    const pg = await page("SUPERVISOR", { width: 390, height: 844 });
    await pg.goto(`${base}/requests`);
    expect(await noSideScroll(pg)).toBe(true);
    const card = pg.locator("[data-testid=requests-table] tbody tr").first();
    const cardBox = (await card.boundingBox())!;
    const statusBox = (await card.locator("[data-status]").boundingBox())!;
    expect(statusBox.y - cardBox.y).toBeLessThan(40);
    await pg.screenshot({ path: "artifacts/screenshots/requests-phone.png" });
    expect(cardBox.height).toBeLessThan(260);
    await pg.goto(`${base}/dashboard`);
    const chart = pg.locator("[data-testid=month-chart-phone] svg");
    expect(await chart.isVisible()).toBe(true);
    const smallest = await chart.locator("text").evaluateAll((ts) => Math.min(...ts.map((t) => t.getBoundingClientRect().height)));
    expect(smallest).toBeGreaterThanOrEqual(10);
    await pg.context().close();
  });

  it("phone numbers, NIPs and codes are never split across lines", async () => {
    const pg = await page("SUPERVISOR", { width: 390, height: 844 });
    const visible = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { office: { code: "1400" } } });
    const r = await p.ctx.db.coachingRequest.update({
      where: { id: visible.id },
      data: { requesterNip: "198501012010012003", requesterPhone: "+6285265432100" },
    });
    await pg.goto(`${base}/requests/${r.id}`);
    for (const sel of ["[data-testid=requester-phone]", "[data-testid=nip]", "h1 .nowrap"]) {
      const lines = await pg
        .locator(sel)
        .first()
        .evaluate((el) => el.getClientRects().length);
      expect(lines).toBe(1);
    }
    await pg.context().close();
  });
});

describe("audit log", () => {
  it("reads in words, links the ticket and the person, and filters by person, action and date", async () => {
    const sup = await signedIn(p.app, emailOf("SUPERVISOR"));
    const r = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { status: "SUBMITTED", office: { code: "1400" } } });
    await sup.get(`/requests/${r.id}/status`);
    expect((await sup.post(`/requests/${r.id}/status`, { to: "IN_REVIEW" })).statusCode).toBe(302);
    const admin = await signedIn(p.app, emailOf("ADMIN"));
    const supervisor = await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("SUPERVISOR") } });
    const html = (await admin.get(`/audit?action=request.status&person=${supervisor.id}`)).body;
    expect(html).toContain("Mengubah status pengajuan");
    expect(html).toContain(`href="/requests/${r.id}"`);
    expect(html).toContain(`>${r.code}</a>`);
    expect(html).toMatch(/Menunggu Diproses<\/span> → <span class="to">Dalam Proses/);
    expect(html).not.toContain(">request.status<");
    expect(html).not.toContain("{&quot;from&quot;");
    expect(html).not.toContain('{"from"');
    // Only that person's entries, and nothing from before today.
    expect(html).not.toContain("Masuk</td>");
    const tomorrow = new Date(Date.now() + 2 * 24 * 3600_000).toISOString().slice(0, 10);
    const none = (await admin.get(`/audit?person=${supervisor.id}&from=${tomorrow}`)).body;
    expect(none).not.toContain('data-testid="audit-action"');
  });
});
