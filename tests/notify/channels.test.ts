// Channel conditions the worker must ride out: a channel that is down on this instance
// (WhatsApp not connected) waits without using attempts; Telegram groups get 20 per minute;
// email goes out over SMTP with a subject in the person's language.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDelivery } from "../../bot/delivery/index.js";
import { Pacer, telegramRule } from "../../bot/delivery/pacing.js";
import { emailSender } from "../../bot/delivery/senders.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { makeUser, seedOffices } from "../helpers/fixtures.js";
import { closeContext, notifyContext, recordingSender, waitFor } from "./helpers.js";

let t: TestDb;
let ctx: AppContext;
let officeId: string;

beforeAll(async () => {
  t = await createTestDb();
  officeId = (await seedOffices(t.db)).riau.id;
  ctx = await notifyContext(t);
});
afterAll(async () => {
  await closeContext(ctx);
  await t.drop();
});

async function alertFor(tag: string, identity?: { channel: "whatsapp" | "telegram" | "web"; externalId: string }, locale = "id") {
  const admin = await makeUser(t.db, officeId, ["ADMIN"], `${tag}-admin`);
  await t.db.user.update({ where: { id: admin.id }, data: { locale } });
  if (identity) await t.db.channelIdentity.create({ data: { ...identity, userId: admin.id } });
  return t.db.outbox.create({
    data: { kind: "channel.whatsapp_logged_out", dedupeKey: `${tag}:1`, recipientKind: "ADMIN", recipientUserId: admin.id, payload: { channel: "whatsapp" } },
  });
}

/** Just enough SMTP to accept mail from nodemailer and keep what arrived. */
async function fakeSmtp() {
  const mails: string[] = [];
  const server: Server = createServer((socket: Socket) => {
    let data = false;
    let body = "";
    socket.write("220 fake ESMTP\r\n");
    socket.on("data", (chunk) => {
      for (const line of chunk.toString("utf8").split("\r\n")) {
        if (data) {
          if (line === ".") {
            data = false;
            mails.push(body);
            body = "";
            socket.write("250 queued\r\n");
          } else body += `${line}\n`;
          continue;
        }
        if (!line) continue;
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === "EHLO" || cmd === "HELO") socket.write("250 fake\r\n");
        else if (cmd === "DATA") {
          data = true;
          socket.write("354 go on\r\n");
        } else if (cmd === "QUIT") socket.end("221 bye\r\n");
        else socket.write("250 ok\r\n");
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `smtp://127.0.0.1:${(server.address() as AddressInfo).port}`, mails, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("channel conditions", () => {
  it("WhatsApp not connected here: the notice waits, using no attempt, and goes out once it is back", async () => {
    const row = await alertFor("wa-down", { channel: "whatsapp", externalId: "6281299990000@s.whatsapp.net" });
    const wa = Object.assign(recordingSender("whatsapp"), { ready: false });
    const delivery = startDelivery(ctx, [wa], { relay: { pollMs: 50 }, workers: { whatsapp: { channelDownDelayMs: 200 } } });
    try {
      await waitFor(async () => (await t.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).status === "QUEUED");
      await new Promise((r) => setTimeout(r, 700));
      expect(wa.sent).toEqual([]);
      expect(await t.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "QUEUED", attempts: 0 });
      wa.ready = true;
      await waitFor(() => wa.sent.length === 1, 10_000, "sent after reconnect");
      await waitFor(async () => (await t.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).status === "SENT");
    } finally {
      await delivery.stop();
    }
  });

  it("Telegram groups: at most 20 messages a minute to one group, private chats 1 per second", async () => {
    const pacer = new Pacer(ctx.redis, ctx.redisPrefix, "telegram-group-test", telegramRule(28));
    expect(await pacer.acquire("-100123")).toEqual({ kind: "go" });
    const group = await pacer.acquire("-100123");
    expect(group.kind).toBe("recipient_busy");
    expect((group as { retryInMs: number }).retryInMs).toBeGreaterThanOrEqual(3_000);
    expect(await pacer.acquire("4242")).toEqual({ kind: "go" });
    const chat = await pacer.acquire("4242");
    expect(chat.kind).toBe("recipient_busy");
    expect((chat as { retryInMs: number }).retryInMs).toBeGreaterThan(900);
    expect((chat as { retryInMs: number }).retryInMs).toBeLessThanOrEqual(1_100);
  });

  it("email over SMTP, in the person's language, when they have no chat linked", async () => {
    const smtp = await fakeSmtp();
    const row = await alertFor("mail", undefined, "en");
    const email = emailSender({ SMTP_URL: smtp.url, SMTP_FROM: "Sibina <no-reply@bps.go.id>" })!;
    const delivery = startDelivery(ctx, [email], { relay: { pollMs: 50 } });
    try {
      await waitFor(async () => (await t.db.outbox.findUniqueOrThrow({ where: { id: row.id } })).status === "SENT", 10_000, "email sent");
      expect(smtp.mails).toHaveLength(1);
      expect(smtp.mails[0]).toContain("Subject: [Sibina] System notice");
      expect(smtp.mails[0]).toContain("The whatsapp channel was logged out");
      expect(smtp.mails[0]).toContain("sent automatically by Sibina");
      const d = await t.db.delivery.findFirstOrThrow({ where: { outboxId: row.id } });
      expect(d).toMatchObject({ channel: "email", status: "SENT", address: expect.stringMatching(/^mail-admin-\w+@test\.local$/) });
    } finally {
      await delivery.stop();
      await smtp.close();
    }
  });
});
