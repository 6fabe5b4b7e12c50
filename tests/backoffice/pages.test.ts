// Every panel page, for every role, is valid HTML (html-validate, zero errors) and passes axe-core
// in Chromium (zero violations). Pages are found by following the panel's own links from the
// dashboard, so pages added later are checked without being listed here. This is the check that
// would have caught the Tambah Pengajuan form posting urlencoded (an escaped enctype attribute).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordTranscript, requestHuman } from "../../core/inbox/service.js";
import { Client, emailOf, type Panel, signedIn, startPanel } from "../admin/helpers.js";
import { type AxeViolation, axeViolations, launch, newContext, signIn } from "./support/browser.js";
import { crawl, htmlErrors } from "./support/crawl.js";

const ROLES = ["ADMIN", "OPERATOR", "SUPERVISOR", "COACH"] as const;

let p: Panel;
let browser: Browser;
let base = "";

beforeAll(async () => {
  p = await startPanel({ listen: true });
  // A conversation waiting for staff, with a file in its transcript, so the Inbox pages are crawled too.
  const identity = await p.ctx.db.channelIdentity.create({ data: { channel: "telegram", externalId: "pages-770", displayName: "Budi <b>Santoso</b>" } });
  const person = { identityId: identity.id, requesterId: null, defaultOfficeId: p.ctx.defaultOfficeId };
  const file = await p.ctx.db.module.findFirstOrThrow({ select: { attachmentId: true } });
  await recordTranscript(p.ctx.db, person, [
    { author: "PERSON", text: "hubungi petugas" },
    { author: "BOT", text: "Baik, percakapan ini kami teruskan ke petugas." },
    { author: "PERSON", text: "Ini surat kami", attachmentId: file.attachmentId },
  ]);
  await requestHuman(p.ctx.db, person);
  await p.ctx.db.savedReply.create({ data: { title: "Salam", text: "Selamat pagi, ada yang bisa kami bantu?" } });
  base = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}`;
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await p?.close();
});

const describeViolations = (url: string, vs: AxeViolation[]) =>
  vs.map((v) => `${url} ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);

describe.each(ROLES)("%s", (role) => {
  it("every reachable page is valid HTML and has no axe violations at 1366 px; the main pages none at 390 px", async () => {
    const client = await signedIn(p.app, emailOf(role));
    const pages = await crawl(client, ["/dashboard", "/profile"], { perShape: 2, max: 80 });
    expect(pages.length).toBeGreaterThan(5);
    if (role !== "COACH") expect(pages.map((x) => x.url).some((u) => /^\/inbox\/[0-9a-f-]{36}$/.test(u))).toBe(true);
    const problems: string[] = [];
    for (const page of pages) {
      if (page.status !== 200) problems.push(`${page.url}: HTTP ${page.status}`);
      problems.push(...(await htmlErrors(page.html, page.url)).map((e) => `${page.url} ${e}`));
    }
    const wide = await newContext(browser);
    const narrow = await newContext(browser, { width: 390, height: 844 });
    const [w, n] = [await wide.newPage(), await narrow.newPage()];
    await signIn(w, base, emailOf(role));
    await signIn(n, base, emailOf(role));
    for (const page of pages) {
      await w.goto(base + page.url);
      problems.push(...describeViolations(page.url, await axeViolations(w)));
      if (!page.url.includes("?") && page.url.split("/").length <= 3) {
        await n.goto(base + page.url);
        problems.push(...describeViolations(`${page.url} @390`, await axeViolations(n)));
      }
    }
    await wide.close();
    await narrow.close();
    expect(problems).toEqual([]);
    // Up to 80 pages through html-validate and axe: minutes when every core is busy elsewhere.
  }, 600_000);
});

describe("signed out", () => {
  it("the sign-in page and the chat simulator are valid and accessible", async () => {
    const anonymous = new Client(p.app);
    const problems: string[] = [];
    for (const url of ["/login", "/simulator", "/simulator?lang=en"]) {
      const res = await anonymous.get(url);
      expect(res.statusCode).toBe(200);
      problems.push(...(await htmlErrors(res.body, url)).map((e) => `${url} ${e}`));
    }
    const context = await newContext(browser, { width: 390, height: 844 });
    const page = await context.newPage();
    for (const url of ["/login", "/simulator"]) {
      await page.goto(base + url);
      if (url === "/simulator") await page.locator("[data-testid=simulator-message][data-from=bot]").first().waitFor();
      problems.push(...describeViolations(url, await axeViolations(page)));
    }
    await context.close();
    expect(problems).toEqual([]);
  });
});
