// Daftar Pembinaan, the coach's own assignments and documentation upload (SPEKTRAL 4.2.2, 4.3.2),
// and the documentation list.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { visibleOfficeIds } from "../../core/access/index.js";
import type { DocumentationKind } from "../../core/db/generated/enums.js";
import { deleteDocumentation, documentationWorkspace, listCoachings, listDocumentation, myAssignments } from "../../core/documentation/admin.js";
import { addDocumentationSet, removeOwnDocumentation } from "../../core/documentation/service.js";
import { DomainError, isDomainError } from "../../core/errors.js";
import { type MessageKey, t } from "../../core/messages/index.js";
import { codesOf, DOCUMENTATION_KINDS, type Locale, labelOf, SERVICE_TYPES } from "../../core/reference/index.js";
import { ACCEPTED_TYPES, VIDEO_TYPES } from "../../core/storage/index.js";
import { oneLine } from "../../core/validation/text.js";
import { audit, flash } from "../http/audit.js";
import { renderError } from "../http/errors.js";
import { queryOf, str } from "../http/forms.js";
import { actorOf, allow } from "../http/guard.js";
import { type Column, csvLines, separatorOf, xlsxOf } from "../http/spreadsheet.js";
import { readMultipart, storeFiles } from "../http/uploads.js";

const PAGE = 50;
const listQuery = z.object({
  q: z.string().max(100).transform(oneLine).optional().catch(undefined),
  missing: z.enum(["1"]).optional().catch(undefined),
  kind: z.enum(codesOf(DOCUMENTATION_KINDS)).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});
const linkSchema = z.url({ protocol: /^https?$/ }).max(1000);
const idOf = (request: FastifyRequest) => z.uuid().safeParse((request.params as { id?: string }).id);

export async function coachingRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;

  app.get("/coachings", { onRequest: allow("coaching.view") }, async (request, reply) => {
    const q = listQuery.parse(queryOf(request.query));
    const page = q.page ?? 1;
    const { rows, more } = await listCoachings(ctx.db, actorOf(request), { q: q.q, missingOnly: q.missing === "1" }, { skip: (page - 1) * PAGE, take: PAGE });
    return reply.view("coachings/list", { title: reply.locals?.t("admin.nav.coachings"), rows, more, page, query: q });
  });

  // ----- exports, scoped like the pages (a coach gets their own coachings)
  const EXPORT_LIMIT = 20_000;
  type CoachingRow = Awaited<ReturnType<typeof listCoachings>>["rows"][number];
  type DocumentationRow = Awaited<ReturnType<typeof listDocumentation>>["rows"][number];
  const coachingColumns = (locale: Locale): Column<CoachingRow>[] => {
    const L = (key: MessageKey) => t(locale, key);
    const kinds = (ks: readonly DocumentationKind[]) => ks.map((k) => labelOf(DOCUMENTATION_KINDS, k, locale)).join("; ");
    return [
      { header: L("admin.col.code"), width: 16, get: (r) => r.code },
      { header: L("admin.col.agency"), width: 36, get: (r) => r.agencyName },
      { header: L("admin.col.service"), width: 22, get: (r) => labelOf(SERVICE_TYPES, r.serviceType, locale) },
      { header: L("admin.col.start"), width: 17, get: (r) => r.startAt },
      { header: L("admin.col.end"), width: 17, get: (r) => r.endAt },
      { header: L("admin.col.location"), width: 30, get: (r) => r.location },
      { header: L("admin.col.coaches"), width: 30, get: (r) => r.assignments.map((a) => a.coach.name).join("; ") },
      { header: L("admin.export.docStatus"), width: 16, get: (r) => L(r.missing.length ? "admin.export.docIncomplete" : "admin.export.docComplete") },
      { header: L("admin.export.docPresent"), width: 30, get: (r) => kinds(r.kinds) },
      { header: L("admin.export.docMissing"), width: 30, get: (r) => kinds(r.missing) },
    ];
  };
  const documentationColumns = (locale: Locale): Column<DocumentationRow>[] => {
    const L = (key: MessageKey) => t(locale, key);
    return [
      { header: L("admin.col.code"), width: 16, get: (d) => d.request.code },
      { header: L("admin.col.agency"), width: 36, get: (d) => d.request.agencyName },
      { header: L("admin.col.service"), width: 22, get: (d) => labelOf(SERVICE_TYPES, d.request.serviceType, locale) },
      { header: L("admin.col.start"), width: 17, get: (d) => d.request.startAt },
      { header: L("admin.doc.kind"), width: 18, get: (d) => labelOf(DOCUMENTATION_KINDS, d.kind, locale) },
      { header: L("admin.doc.fileOrLinkCol"), width: 36, get: (d) => d.attachment?.fileName ?? d.link ?? "" },
      { header: L("admin.export.size"), width: 12, get: (d) => d.attachment?.size ?? null },
      { header: L("admin.doc.uploader"), width: 24, get: (d) => d.uploadedBy.name },
      { header: L("admin.export.uploadedAt"), width: 17, get: (d) => d.createdAt },
      { header: L("admin.status.note"), width: 30, get: (d) => d.note ?? "" },
    ];
  };
  async function sendExport<R>(
    request: FastifyRequest,
    reply: FastifyReply,
    what: { name: string; sheet: string; columns: Column<R>[]; rows: R[]; format: "csv" | "xlsx"; entity: string },
  ) {
    const zone = request.staff!.office.timeZone;
    await audit(request, `${what.entity === "Documentation" ? "documentation" : "coaching"}.export`, what.entity, null, {
      format: what.format,
      rows: what.rows.length,
    });
    if (what.format === "xlsx") {
      return reply
        .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .header("content-disposition", `attachment; filename="${what.name}.xlsx"`)
        .send(await xlsxOf(what.sheet, what.columns, what.rows, zone));
    }
    let body = "";
    for await (const line of csvLines(what.columns, what.rows, separatorOf(request.query), zone)) body += line;
    return reply.header("content-type", "text/csv; charset=utf-8").header("content-disposition", `attachment; filename="${what.name}.csv"`).send(body);
  }
  const formatOf = (request: FastifyRequest) => ((request.params as { format?: string }).format === "xlsx" ? "xlsx" : "csv");

  app.get("/coachings/export.:format", { onRequest: allow("coaching.view") }, async (request, reply) => {
    const q = listQuery.parse(queryOf(request.query));
    const { rows } = await listCoachings(ctx.db, actorOf(request), { q: q.q, missingOnly: q.missing === "1" }, { take: EXPORT_LIMIT });
    const sheet = t(request.locale, "admin.nav.coachings");
    return sendExport(request, reply, {
      name: "pembinaan",
      sheet,
      columns: coachingColumns(request.locale),
      rows,
      format: formatOf(request),
      entity: "CoachingRequest",
    });
  });

  app.get("/documentation/export.:format", { onRequest: allow("documentation.view") }, async (request, reply) => {
    const q = listQuery.parse(queryOf(request.query));
    const { rows } = await listDocumentation(ctx.db, actorOf(request), { kind: q.kind, q: q.q }, { take: EXPORT_LIMIT });
    const sheet = t(request.locale, "admin.nav.documentation");
    return sendExport(request, reply, {
      name: "dokumentasi",
      sheet,
      columns: documentationColumns(request.locale),
      rows,
      format: formatOf(request),
      entity: "Documentation",
    });
  });

  app.get("/my/assignments", { onRequest: allow("documentation.upload") }, async (request, reply) => {
    const rows = await myAssignments(ctx.db, request.staff!.id);
    return reply.view("coachings/mine", { title: reply.locals?.t("admin.nav.myAssignments"), rows, now: new Date() });
  });

  /** The upload workspace, or 403 (logged) when this coach may not document this request. */
  async function workspace(request: FastifyRequest, reply: FastifyReply, id: string) {
    try {
      return await documentationWorkspace(ctx.db, actorOf(request), id);
    } catch (e) {
      if (isDomainError(e) && (e.code === "FORBIDDEN" || e.code === "NOT_DONE")) {
        await audit(request, "documentation.denied", "CoachingRequest", id, { reason: e.code, method: request.method });
        await renderError(request, reply, 403, e.messageKey);
        return null;
      }
      throw e;
    }
  }

  async function uploadView(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: { kind?: string; link?: string; note?: string } = {},
    error?: MessageKey,
  ) {
    const ws = await workspace(request, reply, id);
    if (!ws) return reply;
    return reply.view("coachings/upload", {
      title: `${ws.request.code}: ${reply.locals?.t("admin.doc.upload")}`,
      ws,
      form: { kind: form.kind ?? "", link: form.link ?? "", note: form.note ?? "" },
      error: error ?? null,
      maxMb: ctx.config.MAX_UPLOAD_MB,
    });
  }

  app.get("/coachings/:id/documentation", { onRequest: allow("documentation.upload") }, async (request, reply) => {
    const id = idOf(request);
    if (!id.success) return reply.callNotFound();
    return uploadView(request, reply, id.data);
  });

  app.post("/coachings/:id/documentation", { onRequest: allow("documentation.upload"), config: { multipart: true } }, async (request, reply) => {
    const id = idOf(request);
    if (!id.success) return reply.callNotFound();
    // Who may document this coaching is settled before the body is read.
    const ws = await workspace(request, reply, id.data);
    if (!ws) return reply;
    const { body, files: staged } = await readMultipart(request, ["files"]);
    const form = { kind: str(body, "kind"), link: str(body, "link").trim(), note: oneLine(str(body, "note")).slice(0, 500) };
    const kind = z.enum(codesOf(DOCUMENTATION_KINDS)).safeParse(form.kind);
    if (!kind.success) {
      reply.code(422);
      return uploadView(request, reply, id.data, form, "admin.doc.chooseKind");
    }
    const files = staged.files ?? [];
    if (files.length === 0 && !form.link) {
      reply.code(422);
      return uploadView(request, reply, id.data, form, "admin.doc.fileOrLink");
    }
    const link = form.link ? linkSchema.safeParse(form.link) : null;
    if (link && !link.success) {
      reply.code(422);
      return uploadView(request, reply, id.data, form, "admin.doc.badLink");
    }
    const allowed = kind.data === "VIDEO" ? { ...ACCEPTED_TYPES, ...VIDEO_TYPES } : ACCEPTED_TYPES;
    const stored = await storeFiles(ctx, request, files, { requestId: id.data, uploadedById: request.staff!.id, allowed });
    if (!stored.ok) {
      reply.code(stored.reason === "too_large" ? 413 : 415);
      return uploadView(request, reply, id.data, form, `admin.upload.${stored.reason}` as MessageKey);
    }
    const created = await addDocumentationSet(ctx.db, actorOf(request), {
      requestId: id.data,
      kind: kind.data as DocumentationKind,
      attachmentIds: stored.attachmentIds,
      link: link?.success ? link.data : null,
      note: form.note || null,
    });
    flash(request, "ok", "admin.doc.uploaded", { n: created.length });
    return reply.redirect(`/coachings/${id.data}/documentation`);
  });

  // ----- a coach deletes or replaces their own upload, until the reporting deadline (audited)
  const docParams = z.object({ id: z.uuid(), docId: z.uuid() });
  app.post("/coachings/:id/documentation/:docId/delete", { onRequest: allow("documentation.upload") }, async (request, reply) => {
    const p = docParams.safeParse(request.params);
    if (!p.success) return reply.callNotFound();
    try {
      await removeOwnDocumentation(ctx.db, actorOf(request), p.data.docId);
      flash(request, "ok", "admin.doc.removed");
    } catch (e) {
      if (!isDomainError(e) || e.code !== "DEADLINE_PASSED") throw e;
      flash(request, "error", e.messageKey);
    }
    return reply.redirect(`/coachings/${p.data.id}/documentation`);
  });

  app.post("/coachings/:id/documentation/:docId/replace", { onRequest: allow("documentation.upload"), config: { multipart: true } }, async (request, reply) => {
    const p = docParams.safeParse(request.params);
    if (!p.success) return reply.callNotFound();
    const ws = await workspace(request, reply, p.data.id);
    if (!ws) return reply;
    const old = ws.request.documentation.find((d) => d.id === p.data.docId && d.uploadedById === request.staff!.id);
    if (!old) throw new DomainError("NOT_FOUND", "error.notFound");
    if (!ws.open) {
      flash(request, "error", "error.doc.deadlinePassed");
      return reply.redirect(`/coachings/${p.data.id}/documentation`);
    }
    const { files: staged } = await readMultipart(request, ["file"]);
    const files = staged.file ?? [];
    if (files.length === 0) {
      reply.code(422);
      return uploadView(request, reply, p.data.id, {}, "admin.doc.fileOrLink");
    }
    const allowed = old.kind === "VIDEO" ? { ...ACCEPTED_TYPES, ...VIDEO_TYPES } : ACCEPTED_TYPES;
    const stored = await storeFiles(ctx, request, files, { requestId: p.data.id, uploadedById: request.staff!.id, allowed });
    if (!stored.ok) {
      reply.code(stored.reason === "too_large" ? 413 : 415);
      return uploadView(request, reply, p.data.id, {}, `admin.upload.${stored.reason}` as MessageKey);
    }
    const created = await addDocumentationSet(ctx.db, actorOf(request), {
      requestId: p.data.id,
      kind: old.kind,
      attachmentIds: stored.attachmentIds,
      note: old.note,
    });
    await removeOwnDocumentation(ctx.db, actorOf(request), old.id, { replacedBy: created.map((c) => c.id) });
    flash(request, "ok", "admin.doc.replaced");
    return reply.redirect(`/coachings/${p.data.id}/documentation`);
  });

  app.get("/documentation", { onRequest: allow("documentation.view") }, async (request, reply) => {
    const q = listQuery.parse(queryOf(request.query));
    const page = q.page ?? 1;
    const { rows, more } = await listDocumentation(ctx.db, actorOf(request), { kind: q.kind, q: q.q }, { skip: (page - 1) * PAGE, take: PAGE });
    return reply.view("documentation/list", { title: reply.locals?.t("admin.nav.documentation"), rows, more, page, query: q });
  });

  app.get("/documentation/:id/delete", { onRequest: allow("documentation.manage") }, async (request, reply) => {
    const id = idOf(request);
    if (!id.success) return reply.callNotFound();
    const doc = await ctx.db.documentation.findFirst({
      where: { id: id.data, deletedAt: null },
      include: { request: { select: { code: true, officeId: true } } },
    });
    if (!doc || !(await visibleOfficeIds(ctx.db, actorOf(request))).includes(doc.request.officeId)) throw new DomainError("NOT_FOUND", "error.notFound");
    return reply.view("confirm", {
      title: reply.locals?.t("admin.doc.delete"),
      question: { key: "admin.doc.deleteConfirm", params: { code: doc.request.code } },
      action: `/documentation/${doc.id}/delete`,
      cancel: "/documentation",
    });
  });

  app.post("/documentation/:id/delete", { onRequest: allow("documentation.manage") }, async (request, reply) => {
    const id = idOf(request);
    if (!id.success) return reply.callNotFound();
    await deleteDocumentation(ctx.db, actorOf(request), id.data);
    flash(request, "ok", "admin.doc.deleted");
    return reply.redirect("/documentation");
  });
}
