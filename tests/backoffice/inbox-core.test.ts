// The Inbox and human takeover below the browser: the engine records the transcript, hands
// the conversation to staff on the global words or the menu item, stays quiet meanwhile
// (global words still answered), offers staff after two answers it did not understand;
// staff see only their offices' conversations, one holds it at a time, and handing back
// brings the person back to the main menu.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDelivery } from "../../bot/delivery/index.js";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { claimConversation, conversationDetail, handBack, listConversations, replyToConversation, withinOfficeHours } from "../../core/inbox/service.js";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { Chat } from "../bot/support/chat.js";
import { type BotTestContext, botTestContext } from "../bot/support/context.js";
import { actorOf, codeOf, makeUser, requestInput } from "../helpers/fixtures.js";
import { recordingSender, waitFor } from "../notify/helpers.js";

let b: BotTestContext;
let engine: Engine;
beforeAll(async () => {
  b = await botTestContext();
  engine = createEngine(b.ctx, { reminders: false });
});
afterAll(async () => {
  await engine?.close();
  await b?.close();
});

const conversationOf = (c: Chat) =>
  b.ctx.db.conversation.findFirstOrThrow({
    where: { identity: { channel: c.channel, externalId: c.externalId } },
    include: { messages: { orderBy: { createdAt: "asc" } } },
  });

describe("the bot side", () => {
  it("records the transcript, hands over on 'hubungi petugas', stays quiet, answers global words with a note, and 'selesai' brings the menu back", async () => {
    const sup = await makeUser(b.ctx.db, b.offices.riau.id, ["SUPERVISOR"], "sup inbox");
    const c = new Chat(engine);
    await c.say("/start");
    await c.say("hubungi petugas");
    expect(c.text()).toContain("kami teruskan ke petugas BPS Provinsi Riau");
    let convo = await conversationOf(c);
    expect(convo.state).toBe("WAITING");
    expect(convo.officeId).toBe(b.offices.riau.id);
    // The office's supervisors are alerted.
    const alerts = await b.ctx.db.outbox.findMany({ where: { kind: "inbox.waiting", payload: { path: ["conversationId"], equals: convo.id } } });
    expect(alerts.map((a) => a.recipientUserId)).toContain(sup.id);
    // ... in their chat and in the panel's bell, which opens the conversation.
    const bell = await b.ctx.db.panelNotice.findMany({ where: { userId: sup.id, kind: "inbox.waiting" } });
    expect(bell.map((n) => n.link)).toEqual([`/inbox/${convo.id}`]);

    expect(await c.say("Saya perlu bantuan metadata")).toEqual([]);
    const menu = await c.say("menu");
    expect(c.text()).toContain("Anda masih terhubung dengan petugas");
    expect(menu.some((m) => m.choices?.length)).toBe(true);
    expect(await c.say("1")).toEqual([]); // not the menu's first item: staff answer now

    await c.say("selesai");
    expect(c.text()).toContain("Percakapan dengan petugas selesai");
    expect(c.choices().map((x) => x.label)).toContain("Ajukan pembinaan");
    convo = await conversationOf(c);
    expect(convo.state).toBe("BOT");
    const said = convo.messages.map((m) => `${m.author}:${m.text.split("\n")[0]}`);
    expect(said).toContain("PERSON:hubungi petugas");
    expect(said).toContain("PERSON:Saya perlu bantuan metadata");
    expect(said.indexOf("PERSON:hubungi petugas")).toBeLessThan(said.indexOf("PERSON:Saya perlu bantuan metadata"));
    expect(said.some((s) => s.startsWith("BOT:Baik, percakapan ini kami teruskan"))).toBe(true);
  });

  it("keeps every turn's transcript once and in order, the first turn opening the conversation for this deployment's office", async () => {
    const c = new Chat(engine);
    await c.say("/start"); // opens the conversation
    await c.say("bahasa");
    const event = { channel: c.channel, externalId: c.externalId, updateId: `${c.externalId}-again`, kind: "text" as const, text: "x\u0007yz" };
    const reply = await engine.handle(event);
    expect(await engine.handle(event)).toEqual([]); // the same update again: handled once
    const convo = await conversationOf(c);
    expect(convo.officeId).toBe(b.ctx.defaultOfficeId); // no request yet: this deployment's office
    expect(convo.state).toBe("BOT");
    const people = convo.messages.filter((m) => m.author === "PERSON").map((m) => m.text);
    expect(people).toEqual(["/start", "bahasa", "xyz"]); // control characters removed, as core/inbox does
    const bot = convo.messages.filter((m) => m.author === "BOT");
    expect(bot).toHaveLength(3);
    expect(bot[2]!.text.startsWith(reply[0]!.text)).toBe(true);
    // Each person's line first, then the bot's answer; one millisecond apart, so sorting keeps the order.
    expect(convo.messages.map((m) => m.author)).toEqual(["PERSON", "BOT", "PERSON", "BOT", "PERSON", "BOT"]);
    const times = convo.messages.map((m) => m.createdAt.getTime());
    expect(new Set(times).size).toBe(times.length);
    expect(convo.lastMessageAt.getTime()).toBe(times[times.length - 1]);
    expect(convo.lastMessage).toBe(bot[2]!.text.length > 140 ? `${bot[2]!.text.slice(0, 139)}…` : bot[2]!.text);
  });

  it("keeps the order when turns share a millisecond: a stopped clock still stores each line after the last", async () => {
    const stopped = new Date("2026-11-30T08:00:00.000Z");
    const frozen = createEngine(b.ctx, { reminders: false, now: () => stopped });
    try {
      const c = new Chat(frozen);
      await c.say("/start");
      await c.say("bahasa");
      await c.say("menu");
      const convo = await conversationOf(c);
      const times = convo.messages.map((m) => m.createdAt.getTime());
      expect(times.length).toBeGreaterThanOrEqual(6);
      expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
      expect(convo.messages.filter((m) => m.author === "PERSON").map((m) => m.text)).toEqual(["/start", "bahasa", "menu"]);
      expect(convo.lastMessageAt.getTime()).toBe(times[times.length - 1]);
    } finally {
      await frozen.close();
    }
  });

  it("a person with a request but no conversation yet gets one for the office of their latest request", async () => {
    const c = new Chat(engine);
    const identity = await b.ctx.db.channelIdentity.create({ data: { channel: "web", externalId: c.externalId } });
    const { request } = await submitRequest(b.ctx.db, requestInput({ agencyName: "Dinas Kota Pekanbaru", agencyLevel: "REGENCY" }), {
      channel: "web",
      identityId: identity.id,
      defaultOfficeId: b.offices.pekanbaru.id,
    });
    expect(request.officeId).toBe(b.offices.pekanbaru.id);
    expect(b.ctx.defaultOfficeId).not.toBe(b.offices.pekanbaru.id);
    await c.say("/start");
    const convo = await conversationOf(c);
    expect(convo.officeId).toBe(b.offices.pekanbaru.id);
    expect(convo.messages.map((m) => m.author)).toEqual(["PERSON", "BOT"]);
  });

  it("the menu item does the same; two answers not understood in a row offer staff", async () => {
    const c = new Chat(engine);
    await c.say("/start");
    await c.press("Hubungi petugas");
    expect(c.text()).toContain("kami teruskan ke petugas");
    expect((await conversationOf(c)).state).toBe("WAITING");

    const d = new Chat(engine);
    await d.say("/start");
    await d.say("bahasa");
    await d.say("xyz tidak jelas");
    expect(d.text()).not.toContain("petugas");
    await d.say("qqq");
    expect(d.text()).toContain('Ketik "petugas"');
  });
});

describe("the staff side", () => {
  it("is scoped to the actor's offices, held by one person at a time, and handing back resets the chat to the menu", async () => {
    const riau1 = actorOf(await makeUser(b.ctx.db, b.offices.riau.id, ["SUPERVISOR"], "riau one"));
    const riau2 = actorOf(await makeUser(b.ctx.db, b.offices.riau.id, ["SUPERVISOR"], "riau two"));
    const pekanbaru = actorOf(await makeUser(b.ctx.db, b.offices.pekanbaru.id, ["SUPERVISOR"], "pku"));
    const coach = actorOf(await makeUser(b.ctx.db, b.offices.riau.id, ["COACH"], "coach inbox"));
    const c = new Chat(engine);
    await c.say("/start");
    await c.say("petugas");
    const convo = await conversationOf(c);

    expect((await listConversations(b.ctx.db, riau1, { state: "WAITING" })).map((r) => r.id)).toContain(convo.id);
    expect((await listConversations(b.ctx.db, pekanbaru)).map((r) => r.id)).not.toContain(convo.id);
    expect(await codeOf(conversationDetail(b.ctx.db, pekanbaru, convo.id))).toBe("NOT_FOUND");
    expect(await codeOf(listConversations(b.ctx.db, coach))).toBe("FORBIDDEN");

    await claimConversation(b.ctx.db, riau1, convo.id);
    expect(await codeOf(replyToConversation(b.ctx.db, riau2, convo.id, { text: "Saya bantu" }))).toBe("HELD_BY_OTHER");
    expect(await codeOf(handBack(b.ctx.db, riau2, convo.id))).toBe("HELD_BY_OTHER");
    const message = await replyToConversation(b.ctx.db, riau1, convo.id, { text: "Halo, saya Rina dari BPS." });
    const row = await b.ctx.db.outbox.findUniqueOrThrow({ where: { id: message.outboxId! } });
    expect(row).toMatchObject({ kind: "inbox.reply", recipientKind: "REQUESTER" });
    expect(row.recipientIdentityId).toBe(convo.identityId);
    expect(row.payload).toMatchObject({ messageId: message.id });
    expect(await b.ctx.db.auditLog.count({ where: { action: { in: ["inbox.claim", "inbox.reply"] }, entityId: convo.id } })).toBe(2);

    await c.say("1");
    expect(c.last).toEqual([]);
    await handBack(b.ctx.db, riau1, convo.id);
    expect((await b.ctx.db.conversation.findUniqueOrThrow({ where: { id: convo.id } })).state).toBe("BOT");
    expect(await b.ctx.db.outbox.count({ where: { kind: "inbox.released", payload: { path: ["conversationId"], equals: convo.id } } })).toBe(1);
    // Back at the menu: "1" is its first item again.
    await c.say("1");
    expect(c.text()).toContain("Untuk memproses pengajuan");
  });

  it("notices that reach the person's chat (a status change) join the transcript", async () => {
    const sup = actorOf(await makeUser(b.ctx.db, b.offices.riau.id, ["SUPERVISOR"], "riau notices"));
    const c = new Chat(engine);
    await c.say("/start");
    const identity = await b.ctx.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "web", externalId: c.externalId } } });
    const { request } = await submitRequest(b.ctx.db, requestInput({ agencyName: "Dinas Transkrip Riau" }), {
      channel: "web",
      identityId: identity.id,
      defaultOfficeId: b.offices.riau.id,
    });
    const sender = recordingSender("web");
    const delivery = startDelivery(b.ctx, [sender], { relay: { pollMs: 100 } });
    try {
      await changeStatus(b.ctx.db, sup, { requestId: request.id, to: "IN_REVIEW" });
      await waitFor(
        async () => (await conversationOf(c)).messages.find((m) => m.author === "BOT" && m.text.includes(request.code)),
        60_000,
        "the notice in the transcript",
      );
    } finally {
      await delivery.stop();
    }
    expect(sender.sent.some((s) => s.address === c.externalId)).toBe(true);
  });

  it("office hours are Monday to Friday, 08:00–16:00 on the office's clock", () => {
    expect(withinOfficeHours(new Date("2026-12-01T02:00:00Z"), "WIB")).toBe(true); // Tue 09:00 WIB
    expect(withinOfficeHours(new Date("2026-12-01T10:00:00Z"), "WIB")).toBe(false); // Tue 17:00 WIB
    expect(withinOfficeHours(new Date("2026-12-05T03:00:00Z"), "WIB")).toBe(false); // Sat
    expect(withinOfficeHours(new Date("2026-12-01T08:30:00Z"), "WIT")).toBe(false); // Tue 17:30 WIT
  });
});
