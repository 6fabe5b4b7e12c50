// The web chat simulator, served by the admin app: a small page at /simulator and a JSON API.
// Anyone can try the bot without a phone; tests and demos use it too. The page is rendered
// here (texts from the catalogs) and its script and styles are separate files (the admin's
// CSP allows no inline scripts or styles).
//
//   POST /simulator/api/send      {sessionId, messageId?, text? | choiceId? | file?:{name,data(base64)}, lang?} → {replies}
//   GET  /simulator/api/messages  ?sessionId=…&after=<id>  → {messages: [{id, at, message}]} (notifications, reminders)
//   GET  /simulator/api/files/:attachmentId?sessionId=…   → a file this session was sent
//
// Stable hooks for browser tests (data-testid): simulator, simulator-log, simulator-message
// (data-from="bot"|"user"), simulator-choice (data-choice-id), simulator-input, simulator-send,
// simulator-file, simulator-reset, simulator-document.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { t } from "../../../core/messages/index.js";
import type { Locale } from "../../../core/reference/index.js";
import type { AppContext } from "../../../core/runtime/context.js";
import { type Engine, sharedEngine } from "../../engine/index.js";
import { FileTooLargeError, type InboundEvent } from "../types.js";
import { sessionIdSchema, WebChannel } from "./channel.js";

export interface SimulatorOptions {
  ctx: AppContext;
  /** The engine to use; by default the process's shared engine (created if needed). */
  engine?: Engine;
}

const asset = (name: string) => readFileSync(new URL(`./public/${name}`, import.meta.url), "utf8");

const localeSchema = z.enum(["id", "en"]);

const sendSchema = z
  .object({
    sessionId: sessionIdSchema,
    messageId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .optional(),
    text: z.string().max(20_000).optional(),
    choiceId: z.string().min(1).max(200).optional(),
    file: z
      .object({
        name: z.string().max(255),
        data: z.base64().max(15 * 1024 * 1024),
      })
      .optional(),
    lang: localeSchema.optional(),
  })
  .refine((b) => b.text !== undefined || b.choiceId !== undefined || b.file !== undefined, { message: "text, choiceId or file is required" });

const messagesQuery = z.object({ sessionId: sessionIdSchema, after: z.coerce.number().int().min(0).default(0) });
const fileParams = z.object({ attachmentId: z.uuid() });

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(locale: Locale, maxMb: number): string {
  const tr = (key: Parameters<typeof t>[1], params?: Parameters<typeof t>[2]) => escapeHtml(t(locale, key, params));
  const other: Locale = locale === "id" ? "en" : "id";
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${tr("sim.title")}</title>
<link rel="stylesheet" href="/simulator/app.css">
<script src="/simulator/app.js" defer></script>
</head>
<body>
<main class="sim" data-testid="simulator" data-lang="${locale}" data-max-mb="${maxMb}"
  data-t-you="${tr("sim.you")}" data-t-bot="${tr("sim.bot")}" data-t-error="${tr("sim.error")}"
  data-t-too-large="${tr("sim.fileTooLarge", { max: maxMb })}" data-t-document="${tr("sim.document")}">
  <header class="sim-head">
    <h1>${tr("sim.title")}</h1>
    <nav><a href="/simulator?lang=${other}" data-testid="simulator-language">${tr("sim.otherLanguage")}</a>
    <button type="button" class="sim-reset" data-testid="simulator-reset">${tr("sim.reset")}</button></nav>
  </header>
  <p class="sim-intro">${tr("sim.intro")}</p>
  <noscript><p class="sim-error">${tr("sim.noscript")}</p></noscript>
  <ol class="sim-log" data-testid="simulator-log" aria-live="polite"></ol>
  <p class="sim-status" data-testid="simulator-status" role="status"></p>
  <form class="sim-form" data-testid="simulator-form">
    <label class="sim-attach">${tr("sim.attach")}
      <input type="file" data-testid="simulator-file" accept=".pdf,.docx,.xlsx,.pptx,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png">
    </label>
    <input type="text" name="text" autocomplete="off" maxlength="4000" placeholder="${tr("sim.placeholder")}" aria-label="${tr("sim.placeholder")}" data-testid="simulator-input">
    <button type="submit" data-testid="simulator-send">${tr("sim.send")}</button>
  </form>
</main>
</body>
</html>`;
}

/** Bodies up to this size (any chat text) are never held back by the large-body budget. */
const SMALL_BODY = 64 * 1024;

/**
 * Lets one large body at a time be read: a second one, while the first is in flight, gets 503
 * with Retry-After before a byte of it is read. A body without a declared length counts as the
 * largest allowed. Released when the answer is sent or the client goes away.
 */
function largeBodyBudget(budget: number) {
  let inFlight = 0;
  const held = new WeakSet<FastifyRequest>();
  const size = (request: FastifyRequest) => {
    const declared = Number(request.headers["content-length"]);
    return Number.isFinite(declared) && declared >= 0 ? declared : budget;
  };
  const release = async (request: FastifyRequest) => {
    if (!held.delete(request)) return;
    inFlight -= size(request);
  };
  return {
    release,
    admit: async (request: FastifyRequest, reply: FastifyReply) => {
      const bytes = size(request);
      if (bytes <= SMALL_BODY) return;
      if (inFlight > 0 && inFlight + bytes > budget) {
        return reply.code(503).header("retry-after", "5").header("connection", "close").send({ error: "busy" });
      }
      inFlight += bytes;
      held.add(request);
    },
  };
}

export async function simulatorPlugin(app: FastifyInstance, opts: SimulatorOptions): Promise<void> {
  const { ctx } = opts;
  let engine = opts.engine;
  if (!engine) {
    const shared = sharedEngine(ctx);
    engine = shared.engine;
    // Closed with the app only when nobody else (main.ts) owns it.
    if (shared.created) app.addHook("onClose", async () => engine!.close());
  }
  const web = new WebChannel(ctx);
  const maxMb = ctx.config.MAX_UPLOAD_MB;
  const maxBytes = Math.floor(maxMb * 1024 * 1024);
  const js = asset("simulator.js");
  const css = asset("simulator.css");

  app.get("/simulator", async (request, reply) => {
    const lang = localeSchema.safeParse((request.query as { lang?: unknown })?.lang);
    // Indonesian unless the person chooses English (the browser's language does not decide).
    const locale: Locale = lang.success ? lang.data : "id";
    return reply.type("text/html; charset=utf-8").header("cache-control", "no-store").send(page(locale, maxMb));
  });
  app.get("/simulator/app.js", async (_request, reply) => reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=300").send(js));
  app.get("/simulator/app.css", async (_request, reply) => reply.type("text/css; charset=utf-8").header("cache-control", "public, max-age=300").send(css));

  // A file arrives as base64 in JSON, held in memory until parsed: anyone may post here, so
  // only one large body at a time is read per process; small ones (chat text) always pass.
  const bodyLimit = Math.ceil((maxBytes * 4) / 3) + SMALL_BODY;
  const large = largeBodyBudget(bodyLimit);
  app.post(
    "/simulator/api/send",
    { bodyLimit, onRequest: large.admit, onResponse: large.release, onRequestAbort: large.release, config: { rateLimit: { max: 120, timeWindow: 60_000 } } },
    async (request, reply) => {
      const parsed = sendSchema.safeParse(request.body);
      if (!parsed.success) return reply.code(400).send({ error: "invalid_request", issues: parsed.error.issues.map((i) => i.path.join(".") || i.message) });
      const body = parsed.data;
      const event: InboundEvent = {
        channel: "web",
        externalId: body.sessionId,
        updateId: body.messageId ?? randomUUID(),
        kind: body.file ? "file" : body.choiceId ? "choice" : "text",
        text: body.text,
        choiceId: body.choiceId,
        languageHint: body.lang,
        receivedAt: new Date(),
      };
      if (body.file) {
        const data = body.file.data;
        event.file = {
          fileName: body.file.name,
          size: Math.floor((data.length * 3) / 4),
          caption: body.text,
          download: async () => {
            const bytes = Buffer.from(data, "base64");
            if (bytes.length > maxBytes) throw new FileTooLargeError(maxBytes);
            return bytes;
          },
        };
      }
      const replies = await engine.handle(event);
      for (const r of replies) if (r.document) await web.allowFile(body.sessionId, r.document.attachmentId);
      return reply.header("cache-control", "no-store").send({ replies });
    },
  );

  app.get("/simulator/api/messages", async (request, reply) => {
    const q = messagesQuery.safeParse(request.query);
    if (!q.success) return reply.code(400).send({ error: "invalid_request" });
    return reply.header("cache-control", "no-store").send({ messages: await web.messagesAfter(q.data.sessionId, q.data.after) });
  });

  app.get("/simulator/api/files/:attachmentId", async (request, reply) => {
    const p = fileParams.safeParse(request.params);
    const q = z.object({ sessionId: sessionIdSchema }).safeParse(request.query);
    if (!p.success || !q.success || !(await web.mayDownload(q.data.sessionId, p.data.attachmentId))) return reply.code(404).send({ error: "not_found" });
    const attachment = await ctx.db.attachment.findUnique({ where: { id: p.data.attachmentId } });
    if (!attachment) return reply.code(404).send({ error: "not_found" });
    const stream = await ctx.storage.stream(attachment.storageKey);
    return reply
      .type(attachment.mimeType)
      .header("content-disposition", `attachment; filename="${attachment.fileName.replace(/[^\w. ()-]/g, "_")}"`)
      .header("x-content-type-options", "nosniff")
      .send(stream);
  });
}
