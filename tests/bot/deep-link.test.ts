// Telegram deep link: the "account created" page and the profile show t.me/<bot>?start=LINK-…
// with a QR code; opening it (Telegram sends "/start LINK-…") links the chat at once, and the
// coach's assignment notice then reaches that chat in the emulator.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { composeNotice, loadNotice, panelLinks } from "../../bot/delivery/render.js";
import { telegramSender } from "../../bot/delivery/senders.js";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { buildApp } from "../../main.js";
import { Client, SESSION_SECRET } from "../admin/helpers.js";
import { actorOf, makeUser, requestInput } from "../helpers/fixtures.js";
import { waitFor } from "../notify/helpers.js";
import { BotApiServer } from "../support/bot-api-server.js";
import { type BotTestContext, botTestContext } from "./support/context.js";
import { TelegramBotUnderTest, TOKEN } from "./support/tg.js";

let b: BotTestContext;
let emu: BotApiServer;
let bot: TelegramBotUnderTest;
let delivery: Delivery | undefined;
let app: Awaited<ReturnType<typeof buildApp>>;

beforeAll(async () => {
  // With SMTP set, new accounts also get a welcome email carrying the same kind of link.
  b = await botTestContext({ env: { SMTP_URL: "smtp://127.0.0.1:2525" } });
  emu = await BotApiServer.start();
  bot = await new TelegramBotUnderTest(b.ctx, emu).start();
  app = await buildApp(b.ctx, { panel: { sessionSecret: SESSION_SECRET } });
  await app.ready();
});
afterAll(async () => {
  await delivery?.stop();
  await app?.close();
  await bot?.stop();
  await emu?.stop();
  await b?.close();
});

it("links a new coach's Telegram from the account-created page's deep link, then delivers the assignment there", async () => {
  const admin = await makeUser(b.ctx.db, b.offices.riau.id, ["ADMIN"], "admin-riau");
  const c = new Client(app);
  expect((await c.login(admin.email, "test-password-123")).statusCode).toBe(302);
  await c.get("/users/new");
  const created = await c.post("/users", { name: "Rina Pembina", email: "rina@bps.go.id", officeId: b.offices.riau.id, roles: "COACH", locale: "id" });
  expect(created.statusCode).toBe(200);
  const link = /data-testid="telegram-deep-link"[^>]*>(https:\/\/t\.me\/(\w+)\?start=(LINK-[A-Z0-9]{6}))</.exec(created.body);
  expect(link, created.body).not.toBeNull();
  expect(created.body).toMatch(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"[^>]*data-testid="telegram-qr"/);
  const coach = await b.ctx.db.user.findUniqueOrThrow({ where: { email: "rina@bps.go.id" } });
  const welcome = await b.ctx.db.outbox.findFirstOrThrow({ where: { kind: "account.welcome", recipientUserId: coach.id } });
  const email = composeNotice(await loadNotice(b.ctx.db, welcome), "id", panelLinks(b.ctx.config));
  expect(email.text).toContain("akun Sibina Anda sudah dibuat");
  expect(email.text).toMatch(new RegExp(`https://t\\.me/${link![2]}\\?start=LINK-[A-Z0-9]{6}`));
  expect(email.text).not.toContain("kata sandi sementara:"); // the password is handed over, never mailed

  // Opening the link: Telegram sends /start with the code as its parameter.
  const phone = bot.user(7700, "Rina");
  await phone.command(`/start ${link![3]}`);
  expect(phone.last.map((m) => m.text).join("\n")).toContain("Chat ini sekarang terhubung dengan akun Sibina atas nama Rina Pembina.");
  const identity = await b.ctx.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: "7700" } } });
  expect(identity.userId).toBe(coach.id);

  // The profile of a linked person no longer offers the link; an unlinked one sees it.
  const sup = await makeUser(b.ctx.db, b.offices.riau.id, ["SUPERVISOR"], "sari-supervisor");
  const s = new Client(app);
  await s.login(sup.email, "test-password-123");
  expect((await s.get("/profile")).body).toContain('data-testid="telegram-deep-link"');

  const { request } = await submitRequest(b.ctx.db, requestInput(), { channel: "web", defaultOfficeId: b.offices.riau.id });
  await changeStatus(b.ctx.db, actorOf(sup), { requestId: request.id, to: "IN_REVIEW" });
  await changeStatus(b.ctx.db, actorOf(sup), { requestId: request.id, to: "APPROVED", coachIds: [coach.id] });
  delivery = startDelivery(b.ctx, [telegramSender(TOKEN, emu.apiRoot)], { relay: { pollMs: 50 } });
  const notice = await waitFor(async () => (await emu.botMessages(TOKEN, 7700)).find((m) => m.text.includes(request.code)), 60_000, "the assignment notice");
  expect(notice.text).toContain("Yth. Bapak/Ibu Rina Pembina");
}, 120_000);
