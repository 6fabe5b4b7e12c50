// Chromium for the back-office tests (playwright-core, the system's /usr/bin/chromium), with
// axe-core injected into pages on demand.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { DEMO_PASSWORD } from "../../admin/helpers.js";
import { launchChromium } from "../../helpers/browser.js";

export const launch = launchChromium;

export async function newContext(browser: Browser, viewport = { width: 1366, height: 768 }, locale = "id-ID"): Promise<BrowserContext> {
  // The panel's CSP allows no inline script; axe is injected by the test, so the test context bypasses it.
  const context = await browser.newContext({ viewport, locale, bypassCSP: true });
  // Each step waits for the page, not the clock: generous, as Chromium crawls on a busy machine.
  context.setDefaultTimeout(90_000);
  return context;
}

export async function signIn(page: Page, base: string, email: string) {
  await page.goto(`${base}/login`);
  await page.fill("#email", email);
  await page.fill("#password", DEMO_PASSWORD);
  await page.click("[data-testid=login-submit]");
  await page.waitForURL(`${base}/dashboard`);
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** axe-core's violations on the page as it is (WCAG 2.x A and AA, and axe's best practices). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, html: n.html.slice(0, 200) })),
    }));
  });
}
