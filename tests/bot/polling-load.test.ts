// Long polling under load against a Bot API that behaves like Telegram's: an update comes back
// on every getUpdates until a higher offset confirms it. 30 people fill in the request form at
// once; each update must be handled once, the bot must stay under 3 Bot API calls per
// message, and once the traffic stops it must go back to one getUpdates per long-poll timeout.
import { afterAll, beforeAll, expect, it } from "vitest";
import { BotApiServer } from "../support/bot-api-server.js";
import { type BotTestContext, botTestContext } from "./support/context.js";
import { fillForm } from "./support/form.js";
import { TelegramBotUnderTest, TOKEN } from "./support/tg.js";

const PEOPLE = 30;
const POLL_SECONDS = 3;
let b: BotTestContext;
let emu: BotApiServer;
let bot: TelegramBotUnderTest;

beforeAll(async () => {
  b = await botTestContext({ poolSize: 20 });
  emu = await BotApiServer.start();
  bot = await new TelegramBotUnderTest(b.ctx, emu, { reminders: false }, { pollTimeoutSeconds: POLL_SECONDS }).start();
});
afterAll(async () => {
  await bot?.stop();
  await emu?.stop();
  await b?.close();
});

it("30 people complete the form at once over polling: every update handled once, under 3 Bot API calls per message, then quiet", async () => {
  const callsBefore = emu.calls.length;
  await Promise.all(
    Array.from({ length: PEOPLE }, async (_, i) => {
      const u = bot.user(7000 + i, `Orang ${i}`);
      await fillForm(u, { name: `Orang Uji ${i}` });
      await u.press("Kirim pengajuan");
      expect(u.text()).toMatch(/terkirim dengan kode PB-/);
    }),
  );
  const messages = emu.updateIds(TOKEN).length;
  // Every update was handed to the engine exactly once (a re-handled update counts twice).
  expect(bot.total()).toBe(messages);
  const codes = await b.ctx.db.coachingRequest.findMany({ where: { channel: "telegram" }, select: { code: true } });
  expect(codes).toHaveLength(PEOPLE);
  expect(new Set(codes.map((c) => c.code)).size).toBe(PEOPLE);
  const calls = emu.calls.slice(callsBefore).filter((c) => c.token === TOKEN);
  const polls = calls.filter((c) => c.method === "getUpdates").length;
  console.info(`polling load: ${messages} messages, ${calls.length} Bot API calls, ${polls} getUpdates`);
  expect(calls.length / messages, `${calls.length} calls (${polls} getUpdates) for ${messages} messages`).toBeLessThan(3);

  // After the traffic: every update confirmed, and one long poll per timeout.
  const until = Date.now() + 30_000;
  while (emu.unconfirmed(TOKEN) > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  expect(emu.unconfirmed(TOKEN)).toBe(0);
  const quietFrom = emu.calls.length;
  const windowMs = 4 * POLL_SECONDS * 1000;
  await new Promise((r) => setTimeout(r, windowMs));
  const idlePolls = emu.calls.slice(quietFrom).filter((c) => c.token === TOKEN && c.method === "getUpdates").length;
  // A poll open when the window starts, plus one per timeout.
  expect(idlePolls).toBeLessThanOrEqual(windowMs / (POLL_SECONDS * 1000) + 1);
  expect(emu.calls.slice(quietFrom).filter((c) => c.token === TOKEN && c.method !== "getUpdates")).toEqual([]);
});

it("waits out 409 Conflict and 429 retry_after from getUpdates and keeps answering: neither stops polling", async () => {
  const u = bot.user(7990, "Rina");
  await u.say("menu");
  const from = emu.calls.length;
  emu.failNext(
    "getUpdates",
    { error_code: 409, description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running" },
    2,
  );
  emu.tooManyRequests("getUpdates", 1);
  // Wakes the open long poll; the next three getUpdates then fail.
  await u.say("menu");
  await u.say("menu");
  expect(u.text()).toContain("Ajukan pembinaan");
  const polls = emu.calls.slice(from).filter((c) => c.token === TOKEN && c.method === "getUpdates");
  const statuses = polls.map((c) => c.status);
  const firstFailure = statuses.indexOf(409);
  expect(statuses.slice(firstFailure, firstFailure + 4)).toEqual([409, 409, 429, 200]);
  const limited = polls[firstFailure + 2]!;
  expect(polls[firstFailure + 3]!.at - limited.at).toBeGreaterThanOrEqual(1000);
});
