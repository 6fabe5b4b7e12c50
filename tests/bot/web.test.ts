// The web channel over HTTP: the simulator page, its JSON API, proactive messages for polling,
// and the idle reminder (a delayed BullMQ job that queues a notice) arriving through it.
import http from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OutboundMessage } from "../../bot/channels/types.js";
import { WebChannel } from "../../bot/channels/web/channel.js";
import { simulatorPlugin } from "../../bot/channels/web/plugin.js";
import { type Delivery, startDelivery } from "../../bot/delivery/index.js";
import { createEngine, type Engine } from "../../bot/engine/index.js";
import { storeAttachment } from "../../core/storage/index.js";
import { type BotTestContext, botTestContext } from "./support/context.js";
import { fakePdf, pdf } from "./support/files.js";

// Long enough that no pause between two answers reaches it on a busy machine: with 400 ms, slow
// turns under load sent a second reminder.
const IDLE_MS = 3_000;
let b: BotTestContext;
let engine: Engine;
let app: FastifyInstance;
let delivery: Delivery;
let n = 0;
const session = () => `websession${String(n++).padStart(4, "0")}${Math.random().toString(36).slice(2, 10)}`;

beforeAll(async () => {
  b = await botTestContext();
  engine = createEngine(b.ctx, { idleReminderMs: IDLE_MS });
  app = Fastify();
  await app.register(simulatorPlugin, { ctx: b.ctx, engine });
  await app.ready();
  // Proactive messages (the idle reminder) travel through the outbox and the delivery queue.
  delivery = startDelivery(b.ctx, [new WebChannel(b.ctx)], { relay: { pollMs: 50 } });
});
afterAll(async () => {
  await delivery?.stop();
  await app?.close();
  await engine?.close();
  await b?.close();
});

async function send(body: Record<string, unknown>) {
  const res = await app.inject({ method: "POST", url: "/simulator/api/send", payload: body });
  return { status: res.statusCode, replies: (res.json() as { replies?: OutboundMessage[] }).replies ?? [], body: res.json() };
}
async function messages(sessionId: string, after = 0) {
  const res = await app.inject({ method: "GET", url: `/simulator/api/messages?sessionId=${sessionId}&after=${after}` });
  return (res.json() as { messages: { id: number; at: string; message: OutboundMessage }[] }).messages;
}
async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("simulator page", () => {
  it("renders the chat page in Indonesian or English with stable test ids and no inline script", async () => {
    const id = await app.inject({ method: "GET", url: "/simulator" });
    expect(id.statusCode).toBe(200);
    expect(id.headers["content-type"]).toContain("text/html");
    for (const testId of ["simulator", "simulator-log", "simulator-input", "simulator-send", "simulator-file", "simulator-reset"]) {
      expect(id.body).toContain(`data-testid="${testId}"`);
    }
    expect(id.body).toContain("<title>Simulator chat Sibina</title>");
    expect(id.body).toContain('<script src="/simulator/app.js" defer></script>');
    expect(id.body).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>|style="/);
    // A browser that prefers English still gets Indonesian until the person chooses English.
    const browserEn = await app.inject({ method: "GET", url: "/simulator", headers: { "accept-language": "en-US,en;q=0.9" } });
    expect(browserEn.body).toContain('<html lang="id">');
    const en = await app.inject({ method: "GET", url: "/simulator?lang=en" });
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain("Sibina chat simulator");
    const js = await app.inject({ method: "GET", url: "/simulator/app.js" });
    expect(js.headers["content-type"]).toContain("javascript");
    expect(js.body).toContain('dataset.testid = "simulator-choice"');
    expect(js.body).toContain('dataset.testid = "simulator-message"');
  });
});

describe("simulator API", () => {
  it("runs the same flows: buttons come back as choices, typed numbers work", async () => {
    const sid = session();
    const start = await send({ sessionId: sid, text: "/start" });
    expect(start.status).toBe(200);
    expect(start.replies[0]?.text).toContain("Halo! Saya Sibina");
    expect(start.replies[0]?.choices?.map((c) => c.id)).toEqual(["request", "status", "modules", "testimonial", "contact", "human"]);
    const form = await send({ sessionId: sid, choiceId: "request" });
    expect(form.replies[0]?.choices?.map((c) => c.label)).toEqual(["Setuju", "Tidak setuju"]);
    const name = await send({ sessionId: sid, text: "1" });
    expect(name.replies[0]?.text).toContain("(1/17) Siapa nama lengkap Anda?");
  });

  it("speaks English from the first message when the page is in English", async () => {
    const sid = session();
    const start = await send({ sessionId: sid, text: "/start", lang: "en" });
    expect(start.replies[0]?.text).toContain("Hello! I am Sibina");
  });

  it("dedupes on the page's message id", async () => {
    const sid = session();
    await send({ sessionId: sid, text: "/start" });
    const first = await send({ sessionId: sid, text: "2", messageId: "m-1" });
    expect(first.replies.length).toBeGreaterThan(0);
    const again = await send({ sessionId: sid, text: "2", messageId: "m-1" });
    expect(again.replies).toEqual([]);
  });

  it("validates every input with a 400 and never reaches the engine with garbage", async () => {
    expect((await send({ sessionId: "short", text: "hi" })).status).toBe(400);
    expect((await send({ sessionId: "../../../etc/passwd-xxxxxxxx", text: "hi" })).status).toBe(400);
    expect((await send({ sessionId: session() })).status).toBe(400);
    expect((await send({ sessionId: session(), text: "x".repeat(20_001) })).status).toBe(400);
    expect((await send({ sessionId: session(), file: { name: "a.pdf", data: "not base64!!" } })).status).toBe(400);
    const bad = await app.inject({ method: "GET", url: "/simulator/api/messages?sessionId=x" });
    expect(bad.statusCode).toBe(400);
    const notJson = await app.inject({
      method: "POST",
      url: "/simulator/api/send",
      payload: "text=hi",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(notJson.statusCode).toBe(415);
  });

  it("takes a file as base64, checked by content, and lets only the receiving session download sent modules", async () => {
    const sid = session();
    await send({ sessionId: sid, text: "/start" });
    await send({ sessionId: sid, choiceId: "request" });
    for (const text of [
      "1",
      "Siti Rahmawati",
      "lewati",
      "0812 3456 7890",
      "siti@riau.go.id",
      "Universitas Riau Baru",
      "4",
      "ya",
      "1",
      "3",
      "Bimtek metadata untuk dosen statistik.",
      "Kampus UNRI",
      "1",
      "12/06/2027 09:00",
      "2 jam",
      "sama",
    ]) {
      await send({ sessionId: sid, text });
    }
    const fake = await send({ sessionId: sid, file: { name: "surat.pdf", data: fakePdf().toString("base64") } });
    expect(fake.replies[0]?.text).toContain("Jenis berkas tidak diterima.");
    const ok = await send({ sessionId: sid, file: { name: "surat.pdf", data: pdf().toString("base64") } });
    expect(ok.replies[0]?.text).toContain('Berkas "surat.pdf" diterima.');
    expect(ok.replies[0]?.text).toContain("17. Lampiran: surat.pdf");

    const stored = await storeAttachment(b.ctx.db, b.ctx.storage, { bytes: pdf("Modul"), fileName: "Modul GSBPM.pdf", maxBytes: 10e6 });
    if (!stored.ok) throw new Error("fixture refused");
    await b.ctx.db.module.create({
      data: {
        title: "GSBPM untuk Pemula",
        category: "Proses Bisnis",
        topic: "BUSINESS_PROCESS",
        fileType: "PDF",
        attachmentId: stored.attachment.id,
        officeId: b.ctx.defaultOfficeId,
      },
    });
    const reader = session();
    await send({ sessionId: reader, text: "/start" });
    await send({ sessionId: reader, choiceId: "modules" });
    const found = await send({ sessionId: reader, text: "gsbpm" });
    const moduleChoice = found.replies.at(-1)?.choices?.[0];
    // Channels number the choices themselves: the label carries no number of its own ("1. 1. …").
    expect(moduleChoice?.label).toBe("GSBPM untuk Pemula");
    const sent = await send({ sessionId: reader, choiceId: moduleChoice!.id });
    const doc = sent.replies.find((r) => r.document)?.document;
    expect(doc).toEqual({ attachmentId: stored.attachment.id, fileName: "Modul GSBPM.pdf", mimeType: "application/pdf" });
    const file = await app.inject({ method: "GET", url: `/simulator/api/files/${doc!.attachmentId}?sessionId=${reader}` });
    expect(file.statusCode).toBe(200);
    expect(file.headers["content-type"]).toBe("application/pdf");
    expect(file.rawPayload.equals(pdf("Modul"))).toBe(true);
    const stranger = await app.inject({ method: "GET", url: `/simulator/api/files/${doc!.attachmentId}?sessionId=${session()}` });
    expect(stranger.statusCode).toBe(404);
  });
});

describe("proactive messages on the web channel", () => {
  it("keeps notifications per session in the database for polling, the newest ones per poll", async () => {
    const sid = session();
    const web = new WebChannel(b.ctx, { cap: 3 });
    for (let i = 1; i <= 5; i++) await web.send(sid, { text: `Notice ${i}` });
    // One poll returns at most `cap`, the newest; the API (cap 50) returns them all.
    expect((await web.messagesAfter(sid, 0)).map((m) => m.message.text)).toEqual(["Notice 3", "Notice 4", "Notice 5"]);
    const all = await messages(sid);
    expect(all.map((m) => m.message.text)).toEqual(["Notice 1", "Notice 2", "Notice 3", "Notice 4", "Notice 5"]);
    expect((await messages(sid, all[3]!.id)).map((m) => m.message.text)).toEqual(["Notice 5"]);
    // Kept in PostgreSQL with ids from a sequence, not in Redis.
    expect(await b.ctx.db.webMessage.count({ where: { sessionId: sid } })).toBe(5);
    expect(await b.ctx.redis.exists(`${b.ctx.redisPrefix}:web:${sid}:outbox`)).toBe(0);
  });

  it("sends the idle reminder once after the silence, counted from the last answer", async () => {
    const sid = session();
    await send({ sessionId: sid, text: "/start" });
    await send({ sessionId: sid, choiceId: "request" });
    await send({ sessionId: sid, text: "1" });
    await new Promise((r) => setTimeout(r, IDLE_MS / 2));
    const lastAnswer = Date.now();
    await send({ sessionId: sid, text: "Siti Rahmawati" });
    const got = await until(
      () => messages(sid),
      (m) => m.length > 0,
    );
    expect(got.map((m) => m.message.text)).toEqual([
      "Formulir pengajuan Anda belum selesai. Balas kapan saja untuk melanjutkan; jawaban Anda tersimpan selama 24 jam.",
    ]);
    expect(new Date(got[0]!.at).getTime()).toBeGreaterThanOrEqual(lastAnswer + IDLE_MS);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    expect(await messages(sid)).toHaveLength(1);
  });

  it("sends no reminder to someone who left the form", async () => {
    const sid = session();
    await send({ sessionId: sid, text: "/start" });
    await send({ sessionId: sid, choiceId: "request" });
    await send({ sessionId: sid, text: "1" });
    await send({ sessionId: sid, text: "batal" });
    // The job still fires; it sees the form is gone and sends nothing.
    await new Promise((r) => setTimeout(r, IDLE_MS * 2));
    expect(await messages(sid)).toEqual([]);
  });
});

describe("large bodies on the simulator's public API", () => {
  it("reads one large body at a time: a second gets 503 before it is read, chat text always passes", async () => {
    const server = Fastify();
    await server.register(simulatorPlugin, { ctx: b.ctx, engine });
    await server.listen({ port: 0, host: "127.0.0.1" });
    const { port } = server.server.address() as AddressInfo;
    const post = (contentLength: number) =>
      http.request({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/simulator/api/send",
        agent: false,
        headers: { "content-type": "application/json", "content-length": contentLength },
      });
    const answer = (req: http.ClientRequest) =>
      new Promise<number>((resolve, reject) => {
        req.on("response", (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
      });
    try {
      // A large upload in progress: its body is declared, and sent only in part.
      const first = post(8 * 1024 * 1024);
      first.on("error", () => {});
      first.write(`{"sessionId":"${session()}","file":{"name":"a.pdf","data":"${"A".repeat(1024 * 1024)}`);
      await new Promise((r) => setTimeout(r, 200));
      // A second large one is refused at once, without sending its body.
      const second = post(8 * 1024 * 1024);
      const refused = answer(second);
      second.flushHeaders();
      expect(await refused).toBe(503);
      second.destroy();
      // Chat text is never held back behind the upload.
      const text = await send({ sessionId: session(), text: "halo" });
      expect(text.status).toBe(200);
      // Once the first is gone, the next large body is read again (and judged on its content).
      first.destroy();
      await until(
        async () => {
          const body = JSON.stringify({ sessionId: session(), text: "x".repeat(8 * 1024 * 1024) });
          const third = post(Buffer.byteLength(body));
          const status = answer(third);
          third.end(body);
          return status;
        },
        (status) => status !== 503,
      ).then((status) => expect(status).toBe(400));
    } finally {
      await server.close();
    }
  });
});
