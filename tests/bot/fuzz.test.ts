// 1,000 random and hostile messages: emoji, 10,000-character text, control characters, HTML and
// script tags, SQL fragments, broken buttons and files, and Telegram update shapes nobody
// expects. Nothing may crash or fail inside: every message gets a proper reply, and whatever
// was stored is bounded and free of control characters.
import { afterAll, beforeAll, expect, it } from "vitest";
import { toEvent } from "../../bot/channels/telegram/events.js";
import type { InboundEvent, OutboundMessage } from "../../bot/channels/types.js";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { t } from "../../core/messages/index.js";
import { type BotTestContext, botTestContext } from "./support/context.js";
import { pdf } from "./support/files.js";

const SEED = Number(process.env.FUZZ_SEED ?? 20261121);
const MESSAGES = 1000;

let b: BotTestContext;
let engine: Engine;
beforeAll(async () => {
  b = await botTestContext({ poolSize: 12 });
  engine = createEngine(b.ctx, { reminders: false });
});
afterAll(async () => {
  await engine?.close();
  await b?.close();
});

/** mulberry32: small, seeded, reproducible. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
const int = (n: number) => Math.floor(random() * n);

const HOSTILE = [
  "😀🎉🇮🇩👩🏽‍💻",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(document.cookie)>',
  '\'; DROP TABLE "CoachingRequest"; --',
  "1 OR 1=1",
  "Robert'); DELETE FROM \"Requester\" WHERE ('1'='1",
  "\u0000\u0001\u0002\u001b[31mred\u007f",
  "\u202Eevil\u202C reversed",
  "zero\u200Bwidth\uFEFF",
  "{{7*7}} $" + "{7*7} <%= 7*7 %>", // template-injection probes
  "../../../../etc/passwd",
  "%00%0d%0aSet-Cookie: x=1",
  "   ",
  "",
  "\n\n\n",
  "menu",
  "batal",
  "kembali",
  "bahasa",
  "help",
  "1",
  "2",
  "7",
  "99",
  "ya",
  "lewati",
  "PB-2026-00001",
  "pb 2026 99999",
  "LINK-ZZZZZZ",
  "12/01/2027 09:00",
  "0812 3456 7890",
  "nama@instansi.go.id",
  "Siti Rahmawati",
  "ubah 3",
  "ubah 99",
  "null",
  "undefined",
  "NaN",
  "-1",
  "1e309",
  "ＡＢＣ全角",
  "𝕳𝖊𝖑𝖑𝖔",
  "ا لسلام عليكم",
];

const randomUnicode = (len: number) =>
  Array.from({ length: len }, () => String.fromCodePoint(pick([int(0x20), 0x20 + int(0x5e), 0xa0 + int(0x2000), 0x1f300 + int(0x300), int(0xd7ff)]))).join("");

function textMessage(): string {
  switch (int(6)) {
    case 0:
      return "A".repeat(10_000);
    case 1:
      return randomUnicode(1 + int(300));
    case 2:
      return `${pick(HOSTILE)} ${pick(HOSTILE)}`;
    case 3:
      return pick(HOSTILE).repeat(1 + int(400));
    default:
      return pick(HOSTILE);
  }
}

const failingFile = { fileName: "x.pdf", size: 10, download: async () => Promise.reject(new Error("network reset")) };

function webEvent(externalId: string, n: number, lastChoices: OutboundMessage["choices"]): InboundEvent {
  const base = { channel: "web" as const, externalId, updateId: `fz-${externalId}-${n}` };
  switch (int(10)) {
    case 0:
      return {
        ...base,
        kind: "choice",
        choiceId: lastChoices?.length && random() < 0.7 ? pick(lastChoices).id : pick(["#0", "#999", "x".repeat(200), "topic:NOPE", "", "lang:xx"]) || "?",
      };
    case 1:
      return { ...base, kind: "unsupported" };
    case 2: {
      const bytes = pick([pdf(), Buffer.from(randomUnicode(50)), Buffer.alloc(0), Buffer.alloc(11 * 1024 * 1024, 7)]);
      return {
        ...base,
        kind: "file",
        file:
          random() < 0.2
            ? failingFile
            : { fileName: pick(["../../a.pdf", "<b>.png", "ok.pdf", undefined]), size: bytes.length, caption: textMessage(), download: async () => bytes },
      };
    }
    default:
      return { ...base, kind: "text", text: textMessage(), displayName: random() < 0.1 ? textMessage() : undefined };
  }
}

/** Odd Telegram updates from a private chat, normalised by the real adapter. */
function telegramEvent(chatId: number, n: number): InboundEvent {
  const chat = { id: chatId, type: "private", first_name: textMessage().slice(0, 50) };
  const from = { id: chatId, is_bot: false, first_name: "Fuzz" };
  const shapes: Record<string, unknown>[] = [
    { message: { message_id: n, date: 1, chat, from, sticker: { file_id: "s", width: 1, height: 1 } } },
    { message: { message_id: n, date: 1, chat, from, location: { latitude: 1, longitude: 2 } } },
    { message: { message_id: n, date: 1, chat, from, contact: { phone_number: "+62812", first_name: "X" } } },
    { message: { message_id: n, date: 1, chat, from, poll: { id: "p", question: "?" } } },
    { message: { message_id: n, date: 1, chat, from, text: textMessage() } },
    { message: { message_id: n, date: 1, chat, from, new_chat_title: "x" } },
    { edited_message: { message_id: n, date: 1, edit_date: 2, chat, from, text: textMessage() } },
    { callback_query: { id: "c", from, chat_instance: "ci", message: { message_id: 1, date: 1, chat }, game_short_name: "g" } },
    { callback_query: { id: "c", from, chat_instance: "ci", message: { message_id: 1, date: 1, chat }, data: textMessage().slice(0, 64) } },
    { message_reaction: { chat, message_id: 1, date: 1, old_reaction: [], new_reaction: [] } },
    { future_update_kind: { chat, whatever: { nested: [1, 2, 3] } } },
  ];
  const event = toEvent({ update_id: n, ...pick(shapes) } as never, "999", { maxBytes: 10 * 1024 * 1024, fileUrl: async () => "http://127.0.0.1:9/none" });
  if (!event) throw new Error("a private-chat update must always become an event");
  return event;
}

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uFEFF]/;

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}

it(`survives ${MESSAGES} random and hostile messages (seed ${SEED}) with a proper reply to each`, async () => {
  const people = [
    ...Array.from({ length: 24 }, (_, i) => ({ kind: "web" as const, id: `fuzz${i}` })),
    ...Array.from({ length: 6 }, (_, i) => ({ kind: "telegram" as const, id: String(70000 + i) })),
  ];
  const plan = Array.from({ length: MESSAGES }, (_, n) => ({ n, person: pick(people) }));
  const errorText = [t("id", "bot.error"), t("en", "bot.error")];
  let replied = 0;
  let withStaff = 0;
  const problems: string[] = [];
  // Silence is the right answer only while staff hold the conversation ("hubungi petugas" is in the menu).
  const heldByStaff = async (event: InboundEvent) =>
    ["WAITING", "HUMAN"].includes(
      (await b.ctx.db.conversation.findFirst({ where: { identity: { channel: event.channel, externalId: event.externalId } }, select: { state: true } }))
        ?.state ?? "",
    );
  // Each person's messages in order; different people concurrently (as in production).
  await Promise.all(
    people.map(async (person) => {
      let lastChoices: OutboundMessage["choices"];
      for (const { n } of plan.filter((p) => p.person === person)) {
        const event = person.kind === "web" ? webEvent(person.id, n, lastChoices) : telegramEvent(Number(person.id), n);
        const replies = await engine.handle(event);
        if (replies.length === 0 && event.kind !== "group" && (await heldByStaff(event))) withStaff++;
        else if (replies.length === 0) problems.push(`#${n} ${event.kind}: no reply`);
        for (const r of replies) {
          if (!r.text || r.text.length > 4000) problems.push(`#${n}: reply text of length ${r.text?.length}`);
          if (errorText.includes(r.text)) problems.push(`#${n} ${event.kind}: internal error`);
        }
        if (replies.length) replied++;
        lastChoices = replies.flatMap((r) => r.choices ?? []);
      }
    }),
  );
  expect(problems).toEqual([]);
  expect(replied + withStaff).toBe(MESSAGES);
  // The Inbox transcripts are bounded and clean too.
  for (const m of await b.ctx.db.conversationMessage.findMany({ select: { text: true } })) {
    expect(m.text.length).toBeLessThanOrEqual(4000);
    expect(m.text).not.toMatch(CONTROL);
  }

  const sessions = await b.ctx.db.conversationSession.findMany();
  expect(sessions.length).toBe(people.length);
  for (const s of strings(sessions.map((x) => x.data))) {
    expect(s.length).toBeLessThanOrEqual(4000);
    expect(s).not.toMatch(CONTROL);
  }
  const identities = await b.ctx.db.channelIdentity.findMany();
  for (const i of identities) {
    expect((i.displayName ?? "").length).toBeLessThanOrEqual(100);
    expect(i.displayName ?? "").not.toMatch(CONTROL);
  }
  for (const r of await b.ctx.db.requester.findMany()) for (const s of strings([r.name, r.email, r.phone])) expect(s).not.toMatch(CONTROL);
  for (const r of await b.ctx.db.coachingRequest.findMany()) {
    for (const s of strings([r.requesterName, r.agencyName, r.description, r.location, r.picName])) {
      expect(s.length).toBeLessThanOrEqual(2000);
      expect(s).not.toMatch(CONTROL);
    }
  }
  // The database is intact after the SQL fragments.
  expect(await b.ctx.db.office.count()).toBe(5);
}, 300_000); // a thousand turns through the real engine: minutes on a busy machine
