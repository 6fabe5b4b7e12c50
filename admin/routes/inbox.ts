// The Inbox (issue 13): conversations with PICs, the transcript with files, and the human
// takeover (claim, reply with text, a file or a module, hand back to the bot). Saved replies
// ("balasan cepat") are managed by admins.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { isDomainError } from "../../core/errors.js";
import {
  claimConversation,
  conversationDetail,
  createSavedReply,
  deleteSavedReply,
  handBack,
  listConversations,
  REPLY_MAX,
  replyToConversation,
} from "../../core/inbox/service.js";
import type { MessageKey } from "../../core/messages/index.js";
import { cleanText } from "../../core/validation/text.js";
import { flash } from "../http/audit.js";
import { type FormBody, queryOf, str } from "../http/forms.js";
import { actorOf, allow } from "../http/guard.js";
import { readMultipart, storeFiles } from "../http/uploads.js";

const idParam = z.object({ id: z.uuid() });
const listQuery = z.object({
  state: z.enum(["BOT", "WAITING", "HUMAN"]).optional().catch(undefined),
  q: z.string().max(100).optional().catch(undefined),
});

const savedReplies = (db: FastifyInstance["panel"]["ctx"]["db"]) =>
  db.savedReply.findMany({ where: { deletedAt: null }, orderBy: { title: "asc" }, select: { id: true, title: true, text: true } });

export async function inboxRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  const idOf = (request: FastifyRequest) => {
    const p = idParam.safeParse(request.params);
    return p.success ? p.data.id : null;
  };

  app.get("/inbox", { onRequest: allow("inbox.view") }, async (request, reply) => {
    const q = listQuery.parse(queryOf(request.query));
    const rows = await listConversations(ctx.db, actorOf(request), { state: q.state, q: q.q });
    return reply.view("inbox/list", { title: reply.locals?.t("admin.nav.inbox"), rows, query: q });
  });

  async function detail(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { error?: { key: MessageKey; params?: Record<string, string | number> }; text?: string } = {},
  ) {
    const d = await conversationDetail(ctx.db, actorOf(request), id);
    const [modules, saved] = await Promise.all([
      ctx.db.module.findMany({ where: { deletedAt: null }, orderBy: { title: "asc" }, select: { id: true, title: true, fileType: true }, take: 500 }),
      savedReplies(ctx.db),
    ]);
    const person = d.requester?.name ?? d.conversation.identity.displayName ?? reply.locals?.t("admin.inbox.unknownPerson");
    return reply.view("inbox/detail", {
      title: `${reply.locals?.t("admin.nav.inbox")}: ${person}`,
      d,
      person,
      modules,
      saved,
      error: extra.error ?? null,
      text: extra.text ?? "",
    });
  }

  app.get("/inbox/:id", { onRequest: allow("inbox.view") }, async (request, reply) => {
    const id = idOf(request);
    if (!id) return reply.callNotFound();
    return detail(request, reply, id);
  });

  app.post("/inbox/:id/claim", { onRequest: allow("inbox.reply") }, async (request, reply) => {
    const id = idOf(request);
    if (!id) return reply.callNotFound();
    try {
      await claimConversation(ctx.db, actorOf(request), id, request.ip);
      flash(request, "ok", "admin.inbox.claimed");
    } catch (e) {
      if (!isDomainError(e) || e.code !== "HELD_BY_OTHER") throw e;
      flash(request, "error", e.messageKey, e.params);
    }
    return reply.redirect(`/inbox/${id}`);
  });

  app.post("/inbox/:id/release", { onRequest: allow("inbox.reply") }, async (request, reply) => {
    const id = idOf(request);
    if (!id) return reply.callNotFound();
    try {
      await handBack(ctx.db, actorOf(request), id, request.ip);
      flash(request, "ok", "admin.inbox.handedBack");
    } catch (e) {
      if (!isDomainError(e) || e.code !== "HELD_BY_OTHER") throw e;
      flash(request, "error", e.messageKey, e.params);
    }
    return reply.redirect(`/inbox/${id}`);
  });

  // A reply: text, a saved reply inserted, a file uploaded with it, or a module's file.
  app.post("/inbox/:id/reply", { onRequest: allow("inbox.reply"), config: { multipart: true } }, async (request, reply) => {
    const id = idOf(request);
    if (!id) return reply.callNotFound();
    const { body, files: staged } = await readMultipart(request, ["file"]);
    const staff = request.staff!;
    let text = str(body as FormBody, "text").slice(0, REPLY_MAX * 2);
    const savedId = z.uuid().safeParse(str(body as FormBody, "saved"));
    if (savedId.success) {
      const saved = await ctx.db.savedReply.findFirst({ where: { id: savedId.data, deletedAt: null } });
      if (saved) text = text.trim() ? `${text.trim()}\n\n${saved.text}` : saved.text;
    }
    const moduleId = z.uuid().safeParse(str(body as FormBody, "moduleId"));
    const stored = await storeFiles(ctx, request, staged.file ?? [], { uploadedById: staff.id });
    if (!stored.ok) {
      reply.code(stored.reason === "too_large" ? 413 : 415);
      return detail(request, reply, id, { error: { key: `admin.upload.${stored.reason}` as MessageKey }, text });
    }
    try {
      const conversation = await ctx.db.conversation.findUnique({ where: { id }, select: { identity: { select: { channel: true } } } });
      await replyToConversation(
        ctx.db,
        actorOf(request),
        id,
        { text, attachmentId: stored.attachmentIds[0] ?? null, moduleId: moduleId.success ? moduleId.data : null },
        request.ip,
      );
      flash(request, "ok", "admin.inbox.sent", { channel: conversation?.identity.channel ?? "" });
      return reply.redirect(`/inbox/${id}#reply`);
    } catch (e) {
      if (!isDomainError(e) || e.code === "NOT_FOUND" || e.code === "FORBIDDEN") throw e;
      reply.code(409);
      return detail(request, reply, id, { error: { key: e.messageKey, params: e.params }, text });
    }
  });

  // ----- balasan cepat (ADMIN)
  app.get("/inbox/replies", { onRequest: allow("inbox.savedReplies") }, async (_request, reply) =>
    reply.view("inbox/replies", { title: reply.locals?.t("admin.savedReplies.title"), rows: await savedReplies(ctx.db) }),
  );

  app.post("/inbox/replies", { onRequest: allow("inbox.savedReplies") }, async (request, reply) => {
    const body = request.body as FormBody;
    const title = cleanText(str(body, "title")).slice(0, 80);
    const text = cleanText(str(body, "text")).slice(0, REPLY_MAX);
    if (title.length < 2 || text.length < 2) {
      flash(request, "error", "error.validation");
      return reply.redirect("/inbox/replies");
    }
    await createSavedReply(ctx.db, actorOf(request), { title, text });
    flash(request, "ok", "admin.savedReplies.added");
    return reply.redirect("/inbox/replies");
  });

  app.post("/inbox/replies/:id/delete", { onRequest: allow("inbox.savedReplies") }, async (request, reply) => {
    const id = idOf(request);
    if (!id) return reply.callNotFound();
    await deleteSavedReply(ctx.db, actorOf(request), id);
    flash(request, "ok", "admin.savedReplies.deleted");
    return reply.redirect("/inbox/replies");
  });
}
