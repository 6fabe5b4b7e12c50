// The bell in real Chromium: a supervisor's open page gets its unread count raised live (server-
// sent events, no reload) when the PIC answers a clarification question in the web simulator.

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { WebChannel } from "../../bot/channels/web/channel.js";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { askClarification } from "../../core/requests/clarification.js";
import { formatDate } from "../../core/validation/datetime.js";
import { launchChromium } from "../helpers/browser.js";
import { actorOf } from "../helpers/fixtures.js";
import { DEMO_PASSWORD, emailOf, type Panel, startPanel } from "./helpers.js";

let p: Panel;
let browser: Browser;
let delivery: Delivery;
let base = "";

beforeAll(async () => {
  p = await startPanel({ listen: true });
  base = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}`;
  delivery = startDelivery(p.ctx, [new WebChannel(p.ctx)], { relay: { pollMs: 100 } });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await delivery?.stop();
  await p?.close();
});

async function newPage(width = 1366, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height }, locale: "id-ID" });
  context.setDefaultTimeout(90_000);
  return context.newPage();
}

it("raises the bell's count without a reload when the PIC answers in the simulator", async () => {
  // The PIC submits a request in the simulator.
  const sim = await newPage(420, 860);
  await sim.goto(`${base}/simulator`);
  const say = async (text: string) => {
    await sim.fill("[data-testid=simulator-input]", text);
    await sim.click("[data-testid=simulator-send]");
    await sim.waitForSelector('[data-testid=simulator][data-idle="true"]');
  };
  await say("halo");
  await sim.locator("[data-testid=simulator-choice]").first().click();
  await sim.waitForSelector('[data-testid=simulator][data-idle="true"]');
  const day = formatDate(new Date(Date.now() + 20 * 24 * 3600_000), "WIB");
  for (const answer of [
    "setuju",
    "Ratna Sari Dewi",
    "lewati",
    "0812 7788 9911",
    "ratna@dinkes-uji.go.id",
    "Dinas Kesehatan Kabupaten Uji Lonceng",
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
    "kirim",
  ])
    await say(answer);
  const request = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { requesterEmail: "ratna@dinkes-uji.go.id" } });

  // The supervisor's page is open; the new request is already in the bell.
  const sup = await newPage();
  await sup.goto(`${base}/login`);
  await sup.fill("#email", emailOf("SUPERVISOR"));
  await sup.fill("#password", DEMO_PASSWORD);
  await sup.click("[data-testid=login-submit]");
  await sup.waitForURL(`${base}/dashboard`);
  const before = Number(await sup.locator("[data-testid=bell-count]").textContent());
  expect(before).toBeGreaterThanOrEqual(1);
  await sup.evaluate(() => {
    (window as unknown as { stillHere: boolean }).stillHere = true;
  });

  // A question goes to the PIC's chat; the PIC answers it there.
  const supervisor = await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("SUPERVISOR") } });
  await askClarification(p.ctx.db, actorOf(supervisor), request.id, "Berapa jumlah peserta yang hadir?");
  await sim.waitForFunction(() => document.querySelector("[data-testid=simulator-log]")?.textContent?.includes("jumlah peserta"), null, { timeout: 90_000 });
  await say("Dua puluh lima orang.");

  await sup.waitForFunction((n) => Number(document.querySelector("[data-testid=bell-count]")?.textContent) === n + 1, before, { timeout: 90_000 });
  expect(await sup.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
  expect(await sup.locator("[data-testid=bell]").getAttribute("title")).toBe(`PIC menjawab pertanyaan klarifikasi ${request.code}`);

  // The item opens the request's messages and counts as read.
  await sup.click("[data-testid=bell]");
  await sup.locator(`text=PIC menjawab pertanyaan klarifikasi ${request.code}`).click();
  await sup.waitForURL(`${base}/requests/${request.id}#messages`);
  expect(Number(await sup.locator("[data-testid=bell-count]").textContent())).toBe(before);
}, 240_000);
