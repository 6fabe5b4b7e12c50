// The Inbox in real Chromium, end to end through the delivery pipeline. A PIC types "hubungi
// petugas" (in the web simulator, then on Telegram through the Bot API server tests/bot uses); a
// supervisor finds the conversation in the Inbox with its transcript, replies with text and a
// module file, and the PIC receives both; the bot stays silent until the supervisor hands the
// conversation back, and then the PIC gets the main menu again. Screenshots go to artifacts/.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { telegramSender } from "../../bot/channels/telegram/sender.js";
import { WebChannel } from "../../bot/channels/web/channel.js";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { emailOf, type Panel, startPanel } from "../admin/helpers.js";
import { TelegramBotUnderTest, TOKEN } from "../bot/support/tg.js";
import { BotApiServer, type BotMessage } from "../support/bot-api-server.js";
import { launch, newContext, signIn } from "./support/browser.js";

const SHOTS = path.resolve("artifacts/screenshots");
const MODULE = "Penyusunan Metadata Kegiatan Statistik (MS-Keg)";
const DEADLINE = 90_000;

let p: Panel;
let browser: Browser;
let emu: BotApiServer;
let bot: TelegramBotUnderTest;
let delivery: Delivery;
let base = "";
let staff: Page;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  p = await startPanel({ listen: true, maxUploadMb: 5 });
  base = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}`;
  emu = await BotApiServer.start();
  bot = await new TelegramBotUnderTest(p.ctx, emu).start();
  delivery = startDelivery(p.ctx, [new WebChannel(p.ctx), telegramSender(p.ctx, TOKEN, emu.apiRoot)], { relay: { pollMs: 100 } });
  browser = await launch();
  await mkdir(SHOTS, { recursive: true });
  const context = await newContext(browser);
  contexts.push(context);
  staff = await context.newPage();
  await signIn(staff, base, emailOf("SUPERVISOR"));
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await delivery?.stop();
  await bot?.stop();
  await emu?.stop();
  await p?.close();
});

/** Polls until check() gives a value (the delivery pipeline and the simulator both poll). */
async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, ms = DEADLINE): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The supervisor opens the waiting conversation, checks the transcript and replies with text and a module. */
async function replyFromInbox(personText: string, reply: string) {
  await staff.goto(`${base}/inbox?state=WAITING`);
  const item = staff.locator("[data-testid=conversation][data-state=WAITING]", { hasText: personText });
  await item.locator("a").first().click();
  await staff.waitForURL(/\/inbox\/[0-9a-f-]{36}$/);
  await expect(staff.locator("[data-testid=transcript]").textContent()).resolves.toContain(personText);
  await staff.fill("[data-testid=reply-text]", reply);
  const option = staff.locator("[data-testid=reply-module] option", { hasText: MODULE });
  await staff.selectOption("[data-testid=reply-module]", (await option.getAttribute("value"))!);
  await staff.click("[data-testid=reply-send]");
  await staff.waitForURL(/#reply$/);
  await expect(staff.locator("[data-testid=flash]").textContent()).resolves.toContain("Balasan dikirim");
  await expect(staff.locator("[data-testid=conversation-state]").getAttribute("data-state")).resolves.toBe("HUMAN");
}

async function handBack() {
  await staff.click("[data-testid=hand-back]");
  await expect(staff.locator("[data-testid=conversation-state]").getAttribute("data-state")).resolves.toBe("BOT");
}

it("web simulator: hubungi petugas, a reply with text and a module, silence, then back to the bot", async () => {
  const context = await newContext(browser, { width: 390, height: 844 }, "en-US");
  contexts.push(context);
  const sim = await context.newPage();
  await sim.goto(`${base}/simulator`);
  const botMessages = sim.locator("[data-testid=simulator-message][data-from=bot]");
  await botMessages.first().waitFor();
  const idle = () => sim.locator("[data-testid=simulator][data-idle=true]").waitFor();
  const send = async (text: string) => {
    await sim.fill("[data-testid=simulator-input]", text);
    await sim.click("[data-testid=simulator-send]");
    await idle();
  };

  await send("hubungi petugas");
  await expect(botMessages.last().textContent()).resolves.toContain("kami teruskan ke petugas BPS Provinsi Riau");
  const quietFrom = await botMessages.count();
  await send("Saya perlu contoh metadata kegiatan statistik");
  expect(await botMessages.count()).toBe(quietFrom);

  await replyFromInbox("Saya perlu contoh metadata kegiatan statistik", "Ini contoh dan modulnya, silakan dipelajari.");
  await shot(staff, "inbox-conversation");
  // The simulator polls for notices: the reply arrives with the module as a download.
  const reply = sim.locator("[data-testid=simulator-message][data-from=bot]", { hasText: "Ini contoh dan modulnya" });
  await reply.waitFor({ timeout: DEADLINE });
  await expect(reply.locator("[data-testid=simulator-document]").textContent()).resolves.toContain(".pdf");
  const afterReply = await botMessages.count();
  await send("Terima kasih, akan saya pelajari");
  expect(await botMessages.count()).toBe(afterReply);
  await shot(sim, "inbox-simulator");

  await handBack();
  const back = sim.locator("[data-testid=simulator-message][data-from=bot]", { hasText: "Percakapan dengan petugas selesai" });
  await back.waitFor({ timeout: DEADLINE });
  const answered = await botMessages.count();
  await sim.locator("[data-testid=simulator-choice]", { hasText: "Cek status pengajuan" }).click();
  // The bot answers again.
  await botMessages.nth(answered).waitFor({ timeout: DEADLINE });
});

it("Telegram: the same flow through the emulator", async () => {
  const u = bot.user(770001, "Budi");
  await u.command("/start");
  await u.say("hubungi petugas");
  expect(u.text()).toContain("kami teruskan ke petugas BPS Provinsi Riau");
  await u.say("Apakah ada modul metadata?");
  expect(u.last).toEqual([]);

  await replyFromInbox("Apakah ada modul metadata?", "Ada, ini modulnya.");
  const received: BotMessage[] = [];
  const withModule = await until("the reply with the module on Telegram", async () => {
    received.push(...(await emu.botMessages(TOKEN, 770001)));
    return received.find((m) => m.document && m.text.includes("Ada, ini modulnya."));
  });
  expect(withModule.document?.fileName).toMatch(/\.pdf$/);
  await u.say("Baik, terima kasih");
  expect(u.last).toEqual([]);

  await handBack();
  const menu = await until("the main menu after the hand-back", async () => {
    received.push(...(await emu.botMessages(TOKEN, 770001)));
    return received.find((m) => m.text.includes("Percakapan dengan petugas selesai"));
  });
  expect(menu.buttons.map((b) => b.text)).toContain("Cek status pengajuan");
  u.last = [menu];
  await u.press("Cek status pengajuan");
  expect(u.text().length).toBeGreaterThan(0);
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
