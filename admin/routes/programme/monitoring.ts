// Monitoring dan evaluasi per semester: the page, its XLSX and PDF, and what the Tim Monev records
// (capacity-building events with attendance, IPS scores).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { DomainError } from "../../../core/errors.js";
import type { MessageKey } from "../../../core/messages/index.js";
import { officesFor } from "../../../core/programme/access.js";
import { addCapacityEvent, importIpsScores, listCapacityEvents, setIpsScore } from "../../../core/programme/monev.js";
import { ratios, type Semester, semesterReport } from "../../../core/programme/monitoring.js";
import { REPORT_KINDS } from "../../../core/programme/reference.js";
import { reportFileName, reportPdf, reportXlsx, semesterLabel } from "../../../core/programme/reports.js";
import { lociOf } from "../../../core/programme/teams.js";
import { ACCEPTED_TYPES } from "../../../core/storage/index.js";
import { toLocal } from "../../../core/validation/datetime.js";
import { flash } from "../../http/audit.js";
import { type FormBody, list, queryOf, str } from "../../http/forms.js";
import { allow } from "../../http/guard.js";
import { readMultipart, storeFiles } from "../../http/uploads.js";
import { currentYear, officeChoice, programmeActor } from "./request.js";

async function reportFor(request: FastifyRequest) {
  const q = queryOf(request.query);
  const { offices, chosen } = await officeChoice(request, "monitoring.view", q.office);
  if (!chosen) return null;
  const nowLocal = toLocal(new Date(), chosen.timeZone);
  const year = z.coerce
    .number()
    .int()
    .min(2020)
    .max(2100)
    .catch(currentYear(request))
    .parse(q.year ?? "");
  const semester = z.coerce
    .number()
    .int()
    .min(1)
    .max(2)
    .catch(nowLocal.month <= 6 ? 1 : 2)
    .parse(q.semester ?? "") as Semester;
  const report = await semesterReport(request.server.panel.ctx.db, programmeActor(request), chosen.id, year, semester);
  return { offices, chosen, year, semester, report };
}

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export async function monitoringRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  const db = ctx.db;

  app.get("/monitoring", { onRequest: allow("monitoring.view") }, async (request, reply) => {
    const r = await reportFor(request);
    if (!r) return reply.callNotFound();
    const actor = programmeActor(request);
    const canManage = (await officesFor(db, actor, "monitoring.manage")).has(r.chosen.id);
    const [events, loci, members] = await Promise.all([
      listCapacityEvents(db, r.chosen.id, r.year),
      canManage ? lociOf(db, [r.chosen.id], r.year) : [],
      canManage
        ? db.user.findMany({
            where: { deletedAt: null, teamMemberships: { some: { team: { officeId: r.chosen.id, year: r.year } } } },
            orderBy: { name: "asc" },
            select: { id: true, name: true },
          })
        : [],
    ]);
    return reply.view("programme/monitoring", {
      title: reply.locals?.t("admin.monitoring.title", { semester: r.semester === 1 ? "I" : "II", year: r.year }),
      ...r,
      kinds: REPORT_KINDS,
      ratiosOwn: ratios(r.report.office.own),
      ratiosAll: ratios(r.report.rollup),
      semesterText: semesterLabel(r.semester, request.locale),
      canManage,
      events,
      loci,
      members,
      downloadQuery: `?office=${r.chosen.id}&year=${r.year}&semester=${r.semester}`,
    });
  });

  app.get("/monitoring/report.xlsx", { onRequest: allow("monitoring.view") }, async (request, reply) => {
    const r = await reportFor(request);
    if (!r) return reply.callNotFound();
    const bytes = await reportXlsx(r.report, request.locale);
    return reply
      .header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
      .header("content-disposition", `attachment; filename="${reportFileName(r.report.office, "xlsx")}"`)
      .send(bytes);
  });

  app.get("/monitoring/report.pdf", { onRequest: allow("monitoring.view") }, async (request, reply) => {
    const r = await reportFor(request);
    if (!r) return reply.callNotFound();
    const office = await db.office.findUniqueOrThrow({ where: { id: r.chosen.id } });
    const bytes = await reportPdf(r.report, office, request.locale);
    return reply
      .header("content-type", "application/pdf")
      .header("content-disposition", `attachment; filename="${reportFileName(r.report.office, "pdf")}"`)
      .send(bytes);
  });

  app.post("/monitoring/capacity", { onRequest: allow("monitoring.view") }, async (request, reply) => {
    const b = request.body as FormBody;
    const back = `/monitoring?office=${encodeURIComponent(str(b, "officeId"))}`;
    try {
      await addCapacityEvent(db, programmeActor(request), {
        officeId: str(b, "officeId"),
        title: str(b, "title"),
        heldOn: str(b, "heldOn"),
        internalisation: str(b, "internalisation") === "on",
        attendeeIds: list(b, "attendeeIds"),
      });
      flash(request, "ok", "admin.programme.saved");
    } catch (e) {
      if (!(e instanceof z.ZodError)) throw e;
      flash(request, "error", "error.validation");
    }
    return reply.redirect(back);
  });

  app.post("/monitoring/ips/import", { onRequest: allow("monitoring.view"), config: { multipart: true } }, async (request, reply) => {
    const actor = programmeActor(request);
    const { body, files } = await readMultipart(request, ["file"]);
    const officeId = z.uuid().parse(str(body, "officeId"));
    const year = z.coerce.number().int().min(2020).max(2100).parse(str(body, "year"));
    const back = `/monitoring?office=${officeId}&year=${year}`;
    const staged = files.file ?? [];
    if (staged.length !== 1) {
      flash(request, "error", "admin.module.oneFile");
      return reply.redirect(back);
    }
    const stored = await storeFiles(ctx, request, staged, { uploadedById: actor.userId, allowed: { [XLSX]: ACCEPTED_TYPES[XLSX]! } });
    if (!stored.ok) {
      flash(request, "error", `admin.upload.${stored.reason}` as MessageKey);
      return reply.redirect(back);
    }
    const attachment = await db.attachment.findUniqueOrThrow({ where: { id: stored.attachmentIds[0]! } });
    try {
      const count = await importIpsScores(db, actor, officeId, year, await ctx.storage.get(attachment.storageKey));
      flash(request, "ok", "admin.monitoring.ips.imported", { count });
    } catch (e) {
      if (!(e instanceof DomainError && e.code === "VALIDATION")) throw e;
      flash(request, "error", e.messageKey, e.params);
    }
    return reply.redirect(back);
  });

  app.post("/monitoring/ips", { onRequest: allow("monitoring.view") }, async (request, reply) => {
    const b = request.body as FormBody;
    const back = `/monitoring?office=${encodeURIComponent(str(b, "officeId"))}&year=${encodeURIComponent(str(b, "year"))}`;
    try {
      await setIpsScore(db, programmeActor(request), { agencyId: str(b, "agencyId"), year: str(b, "year"), score: str(b, "score").replace(",", ".") });
      flash(request, "ok", "admin.programme.saved");
    } catch (e) {
      if (!(e instanceof z.ZodError)) throw e;
      flash(request, "error", "error.validation");
    }
    return reply.redirect(back);
  });
}
