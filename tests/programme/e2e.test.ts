// In real Chromium: a Tim Monev member (a coach whose only extra right is her team role) signs in,
// finds the monitoring page in the menu, picks semester I, reads the indicators and downloads
// the XLSX and the PDF. Also checked at phone width. Screenshots go to artifacts/screenshots/.

import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import ExcelJS from "exceljs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_PASSWORD, type Panel, startPanel } from "../admin/helpers.js";
import { launchChromium } from "../helpers/browser.js";
import { pdfText } from "./pdf-text.js";

const SHOTS = path.resolve("artifacts/screenshots");
let p: Panel;
let browser: Browser;
let base = "";

beforeAll(async () => {
  p = await startPanel({ listen: true });
  base = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}`;
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await p?.close();
});

async function page(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: "id-ID", acceptDownloads: true });
  context.setDefaultTimeout(90_000);
  return context.newPage();
}

it("walks a Tim Monev member through the semester page and both downloads", async () => {
  const pg = await page({ width: 1366, height: 900 });
  await pg.goto(`${base}/login`);
  await pg.fill("#email", "monev@sibina.test");
  await pg.fill("#password", DEMO_PASSWORD);
  await pg.click("[data-testid=login-submit]");
  await pg.waitForURL(`${base}/dashboard`);

  await pg.click('nav.sidenav a[href="/monitoring"]');
  await pg.waitForURL(/\/monitoring/);
  await pg.selectOption("#semester", "1");
  await pg.click("[data-testid=monitoring-show]");
  await pg.waitForURL(/semester=1/);
  expect(await pg.textContent("[data-testid=monitoring-title]")).toContain("BPS Provinsi Riau");
  expect(await pg.textContent("[data-testid=monitoring-semester]")).toContain("Semester I (Januari–Juni)");
  // Riau's own indicators, then the roll-up with Pekanbaru and Dumai below it.
  const own = pg.locator("[data-testid=own]");
  const decree = Number(await own.locator('tr[data-kind="TEAM_DECREE"] td[data-outcome="onTime"]').textContent());
  expect(decree).toBe(1);
  const rollupDecree = pg.locator('[data-testid=rollup] tr[data-kind="TEAM_DECREE"]');
  expect(Number(await rollupDecree.locator('td[data-outcome="onTime"]').textContent())).toBe(1);
  expect(Number(await rollupDecree.locator('td[data-outcome="late"]').textContent())).toBe(1);
  expect(await pg.locator("[data-testid=monitoring-children] tbody tr").count()).toBe(12);
  expect(await pg.locator("[data-testid=monitoring-loci] tbody tr").count()).toBe(5);
  await pg.screenshot({ path: path.join(SHOTS, "programme-01-monitoring.png"), fullPage: true });

  const [xlsx] = await Promise.all([pg.waitForEvent("download"), pg.click("[data-testid=download-xlsx]")]);
  expect(xlsx.suggestedFilename()).toMatch(/^monev-1400-\d{4}-s1\.xlsx$/);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await readFile((await xlsx.path())!)) as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0]!;
  expect(sheet.getRow(2).getCell(2).value).toBe("BPS Provinsi Riau");
  expect(typeof sheet.getRow(3).getCell(2).value).toBe("number");

  const [pdf] = await Promise.all([pg.waitForEvent("download"), pg.click("[data-testid=download-pdf]")]);
  expect(pdf.suggestedFilename()).toMatch(/^monev-1400-\d{4}-s1\.pdf$/);
  const bytes = await readFile((await pdf.path())!);
  expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
  expect(pdfText(bytes)).toContain("BPS Provinsi Riau - Semester I");

  // On a phone the page still reads: no horizontal scrolling of the whole page.
  const phone = await page({ width: 390, height: 844 });
  await phone.context().addCookies(await pg.context().cookies());
  await phone.goto(pg.url());
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(1);
  await phone.screenshot({ path: path.join(SHOTS, "programme-02-monitoring-phone.png"), fullPage: true });
  // The programme overview and a lokus page (contact record, inventory, plan forms) read on a phone too.
  await phone.goto(`${base}/programme`);
  expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
  const locus = (await phone.textContent("[data-testid=loci-table] tbody tr a"))!.trim();
  await phone.click("[data-testid=loci-table] tbody tr a");
  await phone.waitForURL(/\/programme\/loci\//);
  expect(await phone.textContent("h1")).toContain(locus);
  expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
  await phone.screenshot({ path: path.join(SHOTS, "programme-03-locus-phone.png"), fullPage: true });
});
