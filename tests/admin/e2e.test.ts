// The whole story in real Chromium: a request sent through the web simulator reaches the
// supervisor, who takes it in, asks a question the requester answers in the chat, approves it
// with two coaches; the coach sees the assignment, the supervisor marks it done, the coach
// uploads the attendance list and photos, and an admin changes a role. Screenshots of every
// page go to artifacts/screenshots/.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebChannel } from "../../bot/channels/web/channel.js";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { formatDate } from "../../core/validation/datetime.js";
import { tinyPdf } from "../../prisma/seed-data.js";
import { launchChromium } from "../helpers/browser.js";
import { coachingHasStarted } from "../helpers/requests.js";
import { DEMO_PASSWORD, emailOf, type Panel, startPanel } from "./helpers.js";

const SHOTS = path.resolve("artifacts/screenshots");
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");

let p: Panel;
let browser: Browser;
let delivery: Delivery;
let base = "";
let files = "";
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  p = await startPanel({ listen: true, maxUploadMb: 5 });
  const addr = p.app.server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
  // Notices (the clarification question) reach the simulator through the real delivery pipeline.
  delivery = startDelivery(p.ctx, [new WebChannel(p.ctx)], { relay: { pollMs: 100 } });
  browser = await launchChromium();
  await mkdir(SHOTS, { recursive: true });
  files = await mkdtemp(path.join(tmpdir(), "sibina-e2e-"));
  await writeFile(path.join(files, "daftar-hadir.pdf"), tinyPdf("Daftar hadir peserta"));
  await writeFile(path.join(files, "foto-1.png"), PNG);
  await writeFile(path.join(files, "foto-2.png"), PNG);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await delivery?.stop();
  await p?.close();
  if (files) await rm(files, { recursive: true, force: true });
});

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: "id-ID" });
  // Each step waits for the page, not the clock: generous, as Chromium crawls on a busy machine.
  context.setDefaultTimeout(90_000);
  contexts.push(context);
  return context.newPage();
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

async function signIn(page: Page, email: string) {
  await page.goto(`${base}/login`);
  await page.fill("#email", email);
  await page.fill("#password", DEMO_PASSWORD);
  await page.click("[data-testid=login-submit]");
  await page.waitForURL(`${base}/dashboard`);
}

it("runs the whole story from the chat to documentation", async () => {
  // ---- The requester fills in the form in the web simulator (as on WhatsApp: typed answers).
  const sim = await newPage({ width: 420, height: 860 });
  await sim.goto(`${base}/simulator`);
  const botCount = () => sim.locator('[data-testid=simulator-message][data-from="bot"]').count();
  const say = async (text: string) => {
    await sim.fill("[data-testid=simulator-input]", text);
    await sim.click("[data-testid=simulator-send]");
    await sim.waitForSelector('[data-testid=simulator][data-idle="true"]');
  };
  await say("halo");
  expect(await botCount()).toBeGreaterThan(0);
  await sim.locator("[data-testid=simulator-choice]").first().click(); // "Ajukan pembinaan"
  await sim.waitForSelector('[data-testid=simulator][data-idle="true"]');
  const day = formatDate(new Date(Date.now() + 20 * 24 * 3600_000), "WIB");
  for (const answer of [
    "setuju",
    "Ratna Sari Dewi",
    "lewati",
    "0812 7788 9900",
    "ratna@dinkes-pelalawan.go.id",
    "Dinas Kesehatan Kabupaten Uji Coba",
    "3",
    "ya",
    "1",
    "1,3",
    "Bimbingan teknis penyusunan metadata statistik kesehatan untuk 25 pegawai.",
    "Aula Dinas Kesehatan, Pangkalan Kerinci",
    "2",
    `${day} 09:00`,
    "3 jam",
    "sama",
    "lewati",
  ])
    await say(answer);
  await shot(sim, "01-simulator-summary");
  await say("kirim");
  const lastBot = (await sim.locator('[data-testid=simulator-message][data-from="bot"]').last().textContent()) ?? "";
  const code = /PB-\d{4}-\d{5,}/.exec(lastBot)?.[0] ?? /PB-\d{4}-\d{5,}/.exec((await sim.locator("[data-testid=simulator-log]").textContent()) ?? "")?.[0];
  expect(code, lastBot).toMatch(/^PB-\d{4}-\d{5,}$/);
  await shot(sim, "02-simulator-submitted");

  // ---- The supervisor sees it, takes it in, and asks a question.
  const sup = await newPage();
  await signIn(sup, emailOf("SUPERVISOR"));
  const cookies = await sup.context().cookies();
  const session = cookies.find((c) => c.name === "__Host-sibina");
  expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: "Lax", path: "/" });
  await shot(sup, "03-supervisor-dashboard");
  await sup.goto(`${base}/requests`);
  const row = sup.locator(`tr[data-code="${code}"]`);
  await expect(row.count()).resolves.toBe(1);
  await shot(sup, "04-supervisor-requests");
  await row.locator("a").first().click();
  await sup.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
  const detailUrl = sup.url();
  await shot(sup, "05-request-detail");
  await sup.click("[data-testid=change-status]");
  await sup.selectOption("[data-testid=status-select]", "IN_REVIEW");
  await sup.click("[data-testid=status-submit]");
  await sup.waitForURL(detailUrl);
  expect(await sup.locator("[data-testid=flash]").textContent()).toContain(code!);
  await sup.fill("[data-testid=clarify-text]", "Apakah peserta membawa laptop sendiri?");
  await sup.click("[data-testid=clarify-send]");
  await sup.waitForURL(`${detailUrl}#messages`);
  await shot(sup, "06-clarification-sent");

  // ---- The question arrives in the chat; the requester answers there.
  await sim.waitForFunction(() => document.querySelector("[data-testid=simulator-log]")?.textContent?.includes("membawa laptop"), null, { timeout: 90_000 });
  await say("Ya, semua peserta membawa laptop sendiri.");
  expect(await sim.locator('[data-testid=simulator-message][data-from="bot"]').last().textContent()).toContain(code!);
  await shot(sim, "07-simulator-clarification");
  await sup.goto(detailUrl);
  await expect(sup.locator('[data-testid=messages] [data-direction="INBOUND"]').textContent()).resolves.toContain("membawa laptop sendiri");

  // ---- Approve with two coaches (the picker shows both).
  await sup.click("[data-testid=change-status]");
  await sup.selectOption("[data-testid=status-select]", "APPROVED");
  await sup.locator("label", { hasText: "Fathir Maula S" }).click();
  await sup.locator("label", { hasText: "Siti Nurhaliza" }).click();
  await shot(sup, "08-approve-with-coaches");
  await sup.click("[data-testid=status-submit]");
  await sup.waitForURL(detailUrl);
  await expect(sup.locator("[data-testid=coach-list]").textContent()).resolves.toMatch(
    /Fathir Maula S[\s\S]*Siti Nurhaliza|Siti Nurhaliza[\s\S]*Fathir Maula S/,
  );
  await shot(sup, "09-approved-detail");

  // ---- The coach (on a phone) sees the assignment with the PIC's contact.
  const coach = await newPage({ width: 390, height: 844 });
  await signIn(coach, emailOf("COACH"));
  await coach.goto(`${base}/my/assignments`);
  const card = coach.locator(`article[data-code="${code}"]`);
  await expect(card.textContent()).resolves.toContain("Ratna Sari Dewi");
  await shot(coach, "10-coach-assignments");

  // ---- The coaching takes place; done; the coach uploads the attendance list and photos.
  await coachingHasStarted(p.ctx.db, detailUrl.split("/").pop()!);
  await sup.click("[data-testid=change-status]");
  await sup.selectOption("[data-testid=status-select]", "DONE");
  await sup.click("[data-testid=status-submit]");
  await sup.waitForURL(detailUrl);
  await coach.reload();
  await coach.click(`[data-testid="upload-docs-${code}"]`);
  await coach.selectOption("[data-testid=doc-kind]", "ATTENDANCE");
  await coach.setInputFiles("[data-testid=doc-files]", path.join(files, "daftar-hadir.pdf"));
  await coach.click("[data-testid=doc-submit]");
  await coach.waitForSelector("[data-testid=flash]");
  await coach.selectOption("[data-testid=doc-kind]", "PHOTO");
  await coach.setInputFiles("[data-testid=doc-files]", [path.join(files, "foto-1.png"), path.join(files, "foto-2.png")]);
  await coach.click("[data-testid=doc-submit]");
  await coach.waitForSelector("[data-testid=flash]");
  await expect(coach.locator("[data-testid=doc-list] tbody tr").count()).resolves.toBe(3);
  await expect(coach.locator("[data-testid=missing]").textContent()).resolves.toContain("Notulensi");
  await shot(coach, "11-coach-documentation");
  const docs = await p.ctx.db.documentation.findMany({ where: { request: { code: code! } } });
  expect(docs.map((d) => d.kind).sort()).toEqual(["ATTENDANCE", "PHOTO", "PHOTO"]);

  // ---- An admin changes a role.
  const admin = await newPage();
  await signIn(admin, emailOf("ADMIN"));
  await admin.goto(`${base}/users`);
  // Roles are edited on the user's page (issue 13), not with checkboxes in every row.
  const userRow = admin.locator('tr[data-email="pembina2@sibina.test"]');
  await userRow.locator("[data-testid=user-edit]").click();
  await admin.locator('input[name=roles][value="OPERATOR"]').check();
  await admin.locator("[data-testid=user-save]").click();
  await admin.waitForSelector("[data-testid=flash]");
  expect((await p.ctx.db.user.findUniqueOrThrow({ where: { email: "pembina2@sibina.test" } })).roles.sort()).toEqual(["COACH", "OPERATOR"]);
  await shot(admin, "12-admin-users");
  await admin.goto(`${base}/audit`);
  await shot(admin, "13-admin-audit");
  await admin.goto(`${base}/coachings`);
  await shot(admin, "14-admin-coachings");
  for (const [name, url] of [
    ["15-admin-channels", "/channels"],
    ["17-admin-testimonials", "/testimonials"],
    ["18-admin-new-request", "/requests/new"],
    ["19-admin-documentation", "/documentation"],
    ["20-admin-modules", "/modules"],
    ["21-admin-profile", "/profile"],
    ["22-admin-settings", "/settings"],
  ]) {
    await admin.goto(`${base}${url}`);
    expect(await admin.locator("main").count(), url).toBe(1);
    await shot(admin, name!);
  }
  // The list on a phone: rows become cards.
  const phone = await newPage({ width: 390, height: 844 });
  await signIn(phone, emailOf("SUPERVISOR"));
  await phone.goto(`${base}/requests`);
  await phone.screenshot({ path: path.join(SHOTS, "23-supervisor-requests-phone.png") });

  // The request's own page tells the whole story.
  await sup.goto(detailUrl);
  const timeline = (await sup.locator("[data-testid=timeline]").textContent()) ?? "";
  for (const s of ["Menunggu Diproses", "Dalam Proses", "Disetujui", "Selesai"]) expect(timeline).toContain(s);
  await shot(sup, "16-request-story");
}, 600_000);
