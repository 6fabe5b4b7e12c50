// Daftar Pengajuan (SPEKTRAL 4.2.1 and 4.4): the list with filters and exports, the detail page
// with its trail, and the supervisor's and admin's actions on a request.

import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { getRequestForStaff, visibleOfficeIds, visibleOffices } from "../../core/access/index.js";
import type { RequestStatus } from "../../core/db/generated/enums.js";
import { isDomainError } from "../../core/errors.js";
import { hasMessage, type MessageKey, t } from "../../core/messages/index.js";
import { can } from "../../core/permissions.js";
import { AGENCY_LEVELS, codesOf, labelOf, MODES, SERVICE_TYPES, STATUSES, TOPICS } from "../../core/reference/index.js";
import {
  countRequests,
  decodeCursor,
  editRequest,
  exportRequests,
  listRequests,
  type RequestFilters,
  type RequestRow,
  requestDetail,
  softDeleteRequest,
} from "../../core/requests/admin.js";
import { askClarification } from "../../core/requests/clarification.js";
import { AWAITING_DECISION, nextStatuses } from "../../core/requests/lifecycle.js";
import { assignCoaches, changeStatus, coachConflicts, eligibleCoaches, escalate, findDuplicates, submitRequest } from "../../core/requests/service.js";
import { reachableChannels, runningChannels, unreachableReasons } from "../../core/users/reachability.js";
import { fromLocal, isDayDuration } from "../../core/validation/datetime.js";
import { LIMITS, oneLine } from "../../core/validation/text.js";
import { audit, flash } from "../http/audit.js";
import { type FormBody, list, queryOf, str } from "../http/forms.js";
import { actorOf, allow } from "../http/guard.js";
import { emptyRequestForm, formFromRequest, type RequestFormValues, readRequestForm, validateRequestForm } from "../http/request-form.js";
import { type Column, csvLines, separatorOf, xlsxOf } from "../http/spreadsheet.js";
import { readMultipart, storeFiles } from "../http/uploads.js";

const ymd = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const filterSchema = z.object({
  status: z.enum(codesOf(STATUSES)).optional().catch(undefined),
  office: z.uuid().optional().catch(undefined),
  service: z.enum(codesOf(SERVICE_TYPES)).optional().catch(undefined),
  from: ymd.optional().catch(undefined),
  to: ymd.optional().catch(undefined),
  agency: z.string().max(200).transform(oneLine).optional().catch(undefined),
  q: z.string().max(100).transform(oneLine).optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
});
type FilterQuery = z.infer<typeof filterSchema>;

const XLSX_LIMIT = 20_000;
const idParam = z.object({ id: z.uuid() });

function toFilters(q: FilterQuery, zone: Parameters<typeof fromLocal>[1]): RequestFilters {
  const day = (s: string | undefined, plus = 0) => {
    if (!s) return undefined;
    const [y, m, d] = s.split("-").map(Number);
    return fromLocal({ year: y!, month: m!, day: d! + plus, hour: 0, minute: 0 }, zone);
  };
  return {
    status: q.status,
    officeId: q.office,
    serviceType: q.service,
    from: day(q.from),
    to: day(q.to, 1),
    agency: q.agency || undefined,
    q: q.q || undefined,
  };
}

/** A request id from the URL, or a 404 before any query runs. */
function requestId(request: FastifyRequest): string | null {
  const parsed = idParam.safeParse(request.params);
  return parsed.success ? parsed.data.id : null;
}

/** The export's columns: typed (dates, numbers), phone numbers and codes as text. */
function exportColumns(locale: "id" | "en"): Column<RequestRow>[] {
  const L = (key: MessageKey) => t(locale, key);
  return [
    { header: L("admin.col.code"), width: 16, get: (r) => r.code },
    { header: L("admin.col.createdAt"), width: 17, get: (r) => r.createdAt },
    { header: L("admin.col.requesterName"), width: 24, get: (r) => r.requesterName },
    { header: L("admin.col.nip"), width: 20, get: (r) => r.requesterNip ?? "" },
    { header: L("admin.col.phone"), width: 16, get: (r) => r.requesterPhone },
    { header: L("admin.col.email"), width: 26, get: (r) => r.requesterEmail },
    { header: L("admin.col.agency"), width: 36, get: (r) => r.agencyName },
    { header: L("admin.col.level"), width: 22, get: (r) => labelOf(AGENCY_LEVELS, r.agencyLevel, locale) },
    { header: L("admin.col.dataProducer"), width: 10, get: (r) => L(r.isDataProducer ? "admin.yes" : "admin.no") },
    { header: L("admin.col.service"), width: 22, get: (r) => labelOf(SERVICE_TYPES, r.serviceType, locale) },
    { header: L("admin.col.topics"), width: 30, get: (r) => r.topics.map((c) => labelOf(TOPICS, c, locale)).join("; ") },
    { header: L("admin.col.description"), width: 50, get: (r) => r.description },
    { header: L("admin.col.location"), width: 30, get: (r) => r.location },
    { header: L("admin.col.mode"), width: 14, get: (r) => labelOf(MODES, r.mode, locale) },
    { header: L("admin.col.start"), width: 17, get: (r) => r.startAt },
    { header: L("admin.col.end"), width: 17, get: (r) => r.endAt },
    { header: L("admin.col.picName"), width: 24, get: (r) => r.picName },
    { header: L("admin.col.picPhone"), width: 16, get: (r) => r.picPhone },
    { header: L("admin.col.status"), width: 18, get: (r) => labelOf(STATUSES, r.status, locale) },
    { header: L("admin.col.coaches"), width: 30, get: (r) => r.assignments.map((a) => a.coach.name).join("; ") },
    { header: L("admin.col.office"), width: 26, get: (r) => r.office.name },
    { header: L("admin.col.attachments"), width: 10, get: (r) => r.attachments.length },
    { header: L("admin.col.rejectionReason"), width: 30, get: (r) => r.rejectionReason ?? "" },
  ];
}

const OUTBOX_STATE: Record<string, MessageKey> = {
  PENDING: "admin.outbox.pending",
  QUEUED: "admin.outbox.queued",
  SENT: "admin.outbox.sent",
  FAILED: "admin.outbox.failed",
  CANCELLED: "admin.outbox.cancelled",
  UNREACHABLE: "admin.outbox.unreachable",
};

export async function requestRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;

  async function listData(request: FastifyRequest, officeIds: readonly string[]) {
    const query = filterSchema.parse(queryOf(request.query));
    const filters = toFilters(query, request.staff!.office.timeZone);
    const actor = actorOf(request);
    const [page, count] = await Promise.all([
      listRequests(ctx.db, actor, filters, { cursor: decodeCursor(query.after), take: 50, officeIds }),
      countRequests(ctx.db, actor, filters, { officeIds }),
    ]);
    return { query, page, count };
  }

  app.get("/requests", { onRequest: allow("request.view") }, async (request, reply) => {
    const offices = await visibleOffices(ctx.db, actorOf(request));
    const { query, page, count } = await listData(
      request,
      offices.map((o) => o.id),
    );
    return reply.view("requests/list", { title: reply.locals?.t("admin.nav.requests"), query, rows: page.rows, next: page.next, count, offices });
  });

  // The same page as JSON, without a template (integrations; the benchmark's baseline).
  app.get("/requests.json", { onRequest: allow("request.view") }, async (request) => {
    const { page, count } = await listData(request, await visibleOfficeIds(ctx.db, actorOf(request)));
    return { rows: page.rows, next: page.next, count };
  });

  app.get("/requests/export.csv", { onRequest: allow("request.export") }, async (request, reply) => {
    const query = filterSchema.parse(queryOf(request.query));
    const zone = request.staff!.office.timeZone;
    const filters = toFilters(query, zone);
    const actor = actorOf(request);
    let rows = 0;
    async function* counted() {
      for await (const r of exportRequests(ctx.db, actor, filters)) {
        rows++;
        yield r;
      }
      await audit(request, "request.export", "CoachingRequest", null, { format: "csv", filters: query, rows });
    }
    const { Readable } = await import("node:stream");
    reply.header("content-type", "text/csv; charset=utf-8").header("content-disposition", 'attachment; filename="pengajuan.csv"');
    return reply.send(Readable.from(csvLines(exportColumns(request.locale), counted(), separatorOf(request.query), zone)));
  });

  app.get("/requests/export.xlsx", { onRequest: allow("request.export") }, async (request, reply) => {
    const query = filterSchema.parse(queryOf(request.query));
    const zone = request.staff!.office.timeZone;
    const filters = toFilters(query, zone);
    const rows: RequestRow[] = [];
    for await (const r of exportRequests(ctx.db, actorOf(request), filters, XLSX_LIMIT)) rows.push(r);
    const buffer = await xlsxOf(t(request.locale, "admin.nav.requests"), exportColumns(request.locale), rows, zone);
    await audit(request, "request.export", "CoachingRequest", null, { format: "xlsx", filters: query, rows: rows.length });
    return reply
      .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
      .header("content-disposition", 'attachment; filename="pengajuan.xlsx"')
      .send(buffer);
  });

  // ----- add on behalf of an agency (ADMIN)
  const agencyNames = () => ctx.db.agency.findMany({ orderBy: { name: "asc" }, select: { name: true }, take: 1000 });

  async function renderForm(reply: FastifyReply, mode: "new" | "edit", form: RequestFormValues, errors: Record<string, MessageKey>, extra: object = {}) {
    return reply.view("requests/form", {
      title: reply.locals?.t(mode === "new" ? "admin.request.new" : "admin.request.edit"),
      mode,
      form,
      errors,
      agencies: await agencyNames(),
      ...extra,
    });
  }

  app.get("/requests/new", { onRequest: allow("request.create") }, async (_request, reply) => renderForm(reply, "new", emptyRequestForm(), {}));

  app.post("/requests", { onRequest: allow("request.create"), config: { multipart: true } }, async (request, reply) => {
    const { body, files: staged } = await readMultipart(request, ["attachments"]);
    const form = readRequestForm(body);
    const staff = request.staff!;
    const result = await validateRequestForm(ctx.db, form, staff.office.timeZone);
    if (!result.ok) {
      reply.code(422);
      return renderForm(reply, "new", form, result.errors);
    }
    const stored = await storeFiles(ctx, request, staged.attachments ?? [], { uploadedById: staff.id });
    if (!stored.ok) {
      reply.code(stored.reason === "too_large" ? 413 : 415);
      return renderForm(reply, "new", form, { attachments: `admin.upload.${stored.reason}` as MessageKey });
    }
    // Files kept from the duplicate warning's first post: only this staff member's, not yet attached.
    const keptIds = list(body, "keptAttachments").filter((v) => z.uuid().safeParse(v).success);
    const kept = keptIds.length
      ? await ctx.db.attachment.findMany({ where: { id: { in: keptIds }, uploadedById: staff.id, requestId: null }, select: { id: true, fileName: true } })
      : [];
    const attachmentIds = [...kept.map((k) => k.id), ...stored.attachmentIds];
    // The same duplicate check as the chat: an open request of this agency and service within 7 days.
    const duplicates = str(body, "confirmDuplicate") === "yes" ? [] : await findDuplicates(ctx.db, result.input);
    // "1 hari" may mean a working day or a full day: the end it gives is shown and saved only when confirmed.
    const endToConfirm = isDayDuration(form.end) && str(body, "endConfirmed") !== form.end.trim() ? result.input.endAt : null;
    if (duplicates.length > 0 || endToConfirm) {
      reply.code(409);
      const files = await ctx.db.attachment.findMany({ where: { id: { in: attachmentIds } }, select: { id: true, fileName: true } });
      return renderForm(reply, "new", form, {}, { duplicates: duplicates.map((d) => d.code), kept: files, endToConfirm, zone: staff.office.timeZone });
    }
    const { request: created } = await submitRequest(ctx.db, result.input, {
      channel: "web",
      defaultOfficeId: staff.officeId,
      actorUserId: staff.id,
      actorIp: request.ip,
      attachmentIds,
      locale: "id",
    });
    flash(request, "ok", "admin.request.created", { code: created.code });
    // The new request may route to an office the admin does not see (e.g. a central agency).
    const visible = await visibleOfficeIds(ctx.db, actorOf(request));
    return reply.redirect(visible.includes(created.officeId) ? `/requests/${created.id}` : "/requests");
  });

  // ----- detail
  async function detailView(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    extra: { clarifyText?: string; clarifyError?: MessageKey; completeEarlyReason?: string; completeEarlyError?: MessageKey } = {},
  ) {
    const actor = actorOf(request);
    const r = await requestDetail(ctx.db, actor, id);
    // Who was not notified, and why (per channel), for staff recipients.
    const unreachableIds = r.outbox.filter((o) => o.status === "UNREACHABLE" && o.recipientUserId).map((o) => o.recipientUserId!);
    const why = new Map(
      (
        await ctx.db.user.findMany({ where: { id: { in: unreachableIds } }, select: { id: true, whatsapp: true, identities: { select: { channel: true } } } })
      ).map((u) => [u.id, unreachableReasons(u, runningChannels(ctx.config))]),
    );
    const outbox = r.outbox.map((o) => ({
      ...o,
      why: o.status === "UNREACHABLE" && o.recipientUserId ? (why.get(o.recipientUserId) ?? []) : [],
      kindKey: (hasMessage(`admin.outbox.kind.${o.kind}`) ? `admin.outbox.kind.${o.kind}` : "admin.outbox.kind.other") as MessageKey,
      stateKey: OUTBOX_STATE[o.status] ?? "admin.outbox.pending",
      notNotified: o.status === "UNREACHABLE" || o.status === "FAILED",
    }));
    const staffCanSee = can(actor.roles, "request.view");
    // The handling office had no active supervisor: say whose supervisors were alerted instead.
    const submitted = r.outbox.filter((o) => o.kind === "request.submitted");
    const viaId = submitted.map((o) => (o.payload as { viaOfficeId?: unknown } | null)?.viaOfficeId).find((v): v is string => typeof v === "string");
    const alertedVia = viaId ? await ctx.db.office.findUnique({ where: { id: viaId }, select: { name: true } }) : null;
    return reply.view("requests/detail", {
      supervisorNote: alertedVia
        ? { key: "reach.viaParent", params: { office: r.office.name, parent: alertedVia.name } }
        : submitted.length === 0
          ? { key: "reach.noSupervisor", params: { office: r.office.name } }
          : null,
      title: r.code,
      r,
      outbox,
      // Coaches who only see their own assignment get the request, not the office's internals.
      showInternals: staffCanSee,
      next: can(actor.roles, "request.changeStatus") ? nextStatuses(r.status, "SUPERVISOR") : [],
      canEscalate: can(actor.roles, "request.escalate") && AWAITING_DECISION.includes(r.status) && !!r.office.parentId,
      clarifyText: extra.clarifyText ?? "",
      clarifyError: extra.clarifyError ?? null,
      // The chat this request came from, in the Inbox.
      conversation:
        can(actor.roles, "inbox.view") && r.identityId
          ? await ctx.db.conversation.findUnique({ where: { identityId: r.identityId }, select: { id: true, state: true } })
          : null,
      completeEarly: can(actor.roles, "request.completeEarly") && r.status === "APPROVED" && r.startAt > new Date(),
      completeEarlyError: extra.completeEarlyError ?? null,
      completeEarlyReason: extra.completeEarlyReason ?? "",
    });
  }

  app.get("/requests/:id", { onRequest: allow() }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    return detailView(request, reply, id);
  });

  app.get("/requests/:id/json", { onRequest: allow("request.view") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    return requestDetail(ctx.db, actorOf(request), id);
  });

  // ----- change status (SUPERVISOR)
  async function statusView(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    form: { to?: string; coachIds?: string[]; reason?: string; note?: string },
    error?: { key: MessageKey; params?: Record<string, string | number> },
  ) {
    const actor = actorOf(request);
    const r = await getRequestForStaff(ctx.db, actor, id);
    const coaches = await eligibleCoaches(ctx.db, r.officeId);
    const conflicts = await coachConflicts(
      ctx.db,
      coaches.map((c) => c.id),
      r.startAt,
      r.endAt,
      r.id,
    );
    const assigned = new Set((await ctx.db.assignment.findMany({ where: { requestId: r.id }, select: { coachId: true } })).map((a) => a.coachId));
    const office = await ctx.db.office.findUniqueOrThrow({ where: { id: r.officeId }, select: { timeZone: true, name: true } });
    const reach = await reachableChannels(
      ctx.db,
      coaches.map((c) => c.id),
      runningChannels(ctx.config),
    );
    return reply.view("requests/status", {
      title: `${r.code}: ${reply.locals?.t("admin.status.title")}`,
      r,
      zone: office.timeZone,
      next: nextStatuses(r.status, "SUPERVISOR"),
      coaches: coaches.map((c) => ({
        id: c.id,
        name: c.name,
        position: c.position,
        assigned: assigned.has(c.id),
        // Warned before approval: nobody could deliver this coach's assignment notice.
        unreachable: (reach.get(c.id) ?? []).length === 0,
        conflicts: conflicts.filter((x) => x.coachId === c.id).map((x) => ({ code: x.request.code, startAt: x.request.startAt, endAt: x.request.endAt })),
      })),
      form: { to: form.to ?? "", coachIds: form.coachIds ?? [], reason: form.reason ?? "", note: form.note ?? "" },
      error: error ?? null,
    });
  }

  app.get("/requests/:id/status", { onRequest: allow("request.changeStatus") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    return statusView(request, reply, id, {});
  });

  app.post("/requests/:id/status", { onRequest: allow("request.changeStatus") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    const body = request.body as FormBody;
    const form = {
      to: str(body, "to"),
      coachIds: list(body, "coachIds"),
      reason: str(body, "reason").slice(0, LIMITS.reason * 2),
      note: str(body, "note").slice(0, 1000),
    };
    const to = z.enum(codesOf(STATUSES)).safeParse(form.to);
    if (!to.success) {
      reply.code(422);
      return statusView(request, reply, id, form, { key: "admin.status.choose" });
    }
    const coachIds = form.coachIds.filter((c) => z.uuid().safeParse(c).success);
    try {
      const { request: after } = await changeStatus(ctx.db, actorOf(request), {
        requestId: id,
        to: to.data as RequestStatus,
        coachIds,
        reason: form.reason || null,
        note: form.note || null,
      });
      flash(request, "ok", "admin.status.changed", { code: after.code });
      return reply.redirect(`/requests/${id}`);
    } catch (e) {
      if (!isDomainError(e) || e.code === "NOT_FOUND" || e.code === "FORBIDDEN") throw e;
      reply.code(409);
      return statusView(request, reply, id, form, { key: e.messageKey, params: statusParams(e.params, request.locale) });
    }
  });

  // ----- Selesai before the coaching's start (ADMIN, with a written reason; audited in the same transaction)
  app.post("/requests/:id/complete-early", { onRequest: allow("request.completeEarly") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    const reason = str(request.body as FormBody, "reason").slice(0, LIMITS.reason * 2);
    if (!reason.trim()) {
      reply.code(422);
      return detailView(request, reply, id, { completeEarlyReason: reason, completeEarlyError: "error.overrideReasonRequired" });
    }
    try {
      const { request: after } = await changeStatus(ctx.db, actorOf(request), { requestId: id, to: "DONE", override: reason });
      flash(request, "ok", "admin.completeEarly.done", { code: after.code });
      return reply.redirect(`/requests/${id}`);
    } catch (e) {
      if (!isDomainError(e) || e.code === "NOT_FOUND" || e.code === "FORBIDDEN") throw e;
      flash(request, "error", e.messageKey, statusParams(e.params, request.locale));
      return reply.redirect(`/requests/${id}`);
    }
  });

  // ----- add coaches to an approved request (SUPERVISOR)
  app.post("/requests/:id/coaches", { onRequest: allow("request.assignCoaches") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    const coachIds = list(request.body as FormBody, "coachIds").filter((c) => z.uuid().safeParse(c).success);
    try {
      const added = await assignCoaches(ctx.db, actorOf(request), id, coachIds);
      flash(request, "ok", "admin.status.coachesAdded", { n: added.length });
      return reply.redirect(`/requests/${id}`);
    } catch (e) {
      if (!isDomainError(e) || e.code === "NOT_FOUND" || e.code === "FORBIDDEN") throw e;
      reply.code(409);
      return statusView(request, reply, id, { coachIds }, { key: e.messageKey, params: statusParams(e.params, request.locale) });
    }
  });

  // ----- escalate to the parent office (SUPERVISOR)
  app.post("/requests/:id/escalate", { onRequest: allow("request.escalate") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    const note = str(request.body as FormBody, "note").slice(0, 1000) || null;
    try {
      const change = await escalate(ctx.db, actorOf(request), id, note);
      flash(request, "ok", "admin.escalate.done");
      // Still visible when the parent office is in scope; otherwise back to the list.
      const visible = await visibleOfficeIds(ctx.db, actorOf(request));
      return reply.redirect(change.toOfficeId && visible.includes(change.toOfficeId) ? `/requests/${id}` : "/requests");
    } catch (e) {
      if (!isDomainError(e) || e.code === "NOT_FOUND" || e.code === "FORBIDDEN") throw e;
      flash(request, "error", e.messageKey, statusParams(e.params, request.locale));
      return reply.redirect(`/requests/${id}`);
    }
  });

  // ----- clarification question to the requester (SUPERVISOR)
  app.post("/requests/:id/clarify", { onRequest: allow("request.clarify") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    const question = str(request.body as FormBody, "question").slice(0, LIMITS.message * 2);
    try {
      const _message = await askClarification(ctx.db, actorOf(request), id, question);
      flash(request, "ok", "admin.clarify.sent");
      return reply.redirect(`/requests/${id}#messages`);
    } catch (e) {
      if (e instanceof z.ZodError) {
        reply.code(422);
        return detailView(request, reply, id, { clarifyText: question, clarifyError: "admin.clarify.tooShort" });
      }
      throw e;
    }
  });

  // ----- edit (ADMIN)
  app.get("/requests/:id/edit", { onRequest: allow("request.edit") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    const r = await getRequestForStaff(ctx.db, actorOf(request), id);
    const zone = (await ctx.db.office.findUniqueOrThrow({ where: { id: r.officeId } })).timeZone;
    return renderForm(reply, "edit", formFromRequest(r, zone), {}, { r });
  });

  app.post("/requests/:id/edit", { onRequest: allow("request.edit") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    const actor = actorOf(request);
    const r = await getRequestForStaff(ctx.db, actor, id);
    const zone = (await ctx.db.office.findUniqueOrThrow({ where: { id: r.officeId } })).timeZone;
    const form = readRequestForm(request.body as FormBody);
    const result = await validateRequestForm(ctx.db, form, zone, { startAt: r.startAt, endAt: r.endAt });
    if (!result.ok) {
      reply.code(422);
      return renderForm(reply, "edit", form, result.errors, { r });
    }
    const { changes } = await editRequest(ctx.db, actor, id, result.input);
    flash(request, "ok", Object.keys(changes).length ? "admin.request.saved" : "admin.request.unchanged");
    return reply.redirect(`/requests/${id}`);
  });

  // ----- soft delete with a confirmation step (ADMIN)
  app.get("/requests/:id/delete", { onRequest: allow("request.delete") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    const r = await getRequestForStaff(ctx.db, actorOf(request), id);
    return reply.view("confirm", {
      title: reply.locals?.t("admin.request.delete"),
      question: { key: "admin.request.deleteConfirm", params: { code: r.code, agency: r.agencyName } },
      action: `/requests/${r.id}/delete`,
      cancel: `/requests/${r.id}`,
    });
  });

  app.post("/requests/:id/delete", { onRequest: allow("request.delete") }, async (request, reply) => {
    const id = requestId(request);
    if (!id) return reply.callNotFound();
    const r = await softDeleteRequest(ctx.db, actorOf(request), id);
    flash(request, "ok", "admin.request.deleted", { code: r.code });
    return reply.redirect("/requests");
  });
}

/** Status codes in domain error params, shown as labels. */
function statusParams(params: Record<string, string | number>, locale: "id" | "en") {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params))
    out[k] = typeof v === "string" && STATUSES.some((s) => s.code === v) ? labelOf(STATUSES, v as RequestStatus, locale) : v;
  return out;
}
