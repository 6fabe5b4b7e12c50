// Modul Pembinaan (SPEKTRAL 4.3.1): everyone lists and downloads every office's modules;
// operators upload, and delete their own office's (core/permissions OFFICE_SCOPE).
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { MessageKey } from "../../core/messages/index.js";
import { canManageModule, createModule, deleteModule, getModuleToManage, listModules, type ModuleInput, moduleInputSchema } from "../../core/modules/admin.js";
import { codesOf, TOPICS } from "../../core/reference/index.js";
import { oneLine } from "../../core/validation/text.js";
import { flash } from "../http/audit.js";
import { fieldErrors, queryOf, str } from "../http/forms.js";
import { actorOf, allow } from "../http/guard.js";
import { readMultipart, storeFiles } from "../http/uploads.js";

const listQuery = z.object({
  q: z.string().max(100).transform(oneLine).optional().catch(undefined),
  topic: z.enum(codesOf(TOPICS)).optional().catch(undefined),
});

export async function moduleRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;

  app.get("/modules", { onRequest: allow("module.view") }, async (request, reply) => {
    const q = listQuery.parse(queryOf(request.query));
    const actor = actorOf(request);
    const rows = (await listModules(ctx.db, { keyword: q.q, topic: q.topic })).map((m) => ({ ...m, manageable: canManageModule(actor, m) }));
    return reply.view("modules/list", { title: reply.locals?.t("admin.nav.modules"), rows, query: q });
  });

  const emptyForm = { title: "", category: "", topic: "", description: "" };

  app.get("/modules/new", { onRequest: allow("module.manage") }, async (_request, reply) =>
    reply.view("modules/form", { title: reply.locals?.t("admin.module.new"), form: emptyForm, errors: {}, maxMb: ctx.config.MAX_UPLOAD_MB }),
  );

  app.post("/modules", { onRequest: allow("module.manage"), config: { multipart: true } }, async (request, reply) => {
    const { body, files: staged } = await readMultipart(request, ["file"]);
    const form = { title: str(body, "title"), category: str(body, "category"), topic: str(body, "topic"), description: str(body, "description") };
    const render = (errors: Record<string, MessageKey>, code: number) => {
      reply.code(code);
      return reply.view("modules/form", { title: reply.locals?.t("admin.module.new"), form, errors, maxMb: ctx.config.MAX_UPLOAD_MB });
    };
    const parsed = moduleInputSchema.safeParse(form);
    const files = staged.file ?? [];
    if (!parsed.success || files.length !== 1) {
      const errors: Record<string, MessageKey> = parsed.success ? {} : fieldErrors(parsed.error);
      if (files.length !== 1) errors.file = "admin.module.oneFile";
      return render(errors, 422);
    }
    const stored = await storeFiles(ctx, request, files, { uploadedById: request.staff!.id });
    if (!stored.ok) return render({ file: `admin.upload.${stored.reason}` as MessageKey }, stored.reason === "too_large" ? 413 : 415);
    const _mod = await createModule(ctx.db, actorOf(request), parsed.data as ModuleInput, {
      attachmentId: stored.attachmentIds[0]!,
      fileType: stored.labels[0] ?? "",
    });
    flash(request, "ok", "admin.module.created");
    return reply.redirect("/modules");
  });

  app.get("/modules/:id/delete", { onRequest: allow("module.manage") }, async (request, reply) => {
    const id = z.uuid().safeParse((request.params as { id: string }).id);
    if (!id.success) return reply.callNotFound();
    const mod = await getModuleToManage(ctx.db, actorOf(request), id.data);
    return reply.view("confirm", {
      title: reply.locals?.t("admin.module.delete"),
      question: { key: "admin.module.deleteConfirm", params: { title: mod.title } },
      action: `/modules/${mod.id}/delete`,
      cancel: "/modules",
    });
  });

  app.post("/modules/:id/delete", { onRequest: allow("module.manage") }, async (request, reply) => {
    const id = z.uuid().safeParse((request.params as { id: string }).id);
    if (!id.success) return reply.callNotFound();
    await deleteModule(ctx.db, actorOf(request), id.data);
    flash(request, "ok", "admin.module.deleted");
    return reply.redirect("/modules");
  });
}
