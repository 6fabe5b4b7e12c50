// The audit log (ADMIN): read-only, newest first, written for people: actions in words, the
// ticket or person it is about (linked), before and after in words, filters by person, action and date.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { listAudit } from "../../core/audit/service.js";
import { decodeCursor, encodeCursor } from "../../core/requests/admin.js";
import { fromLocal } from "../../core/validation/datetime.js";
import { AUDIT_ACTIONS, actionLabel, describeChanges, idsIn, type Names, subjectOf } from "../http/audit-view.js";
import { queryOf } from "../http/forms.js";
import { allow } from "../http/guard.js";

const ymd = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const query = z.object({
  action: z
    .string()
    .max(60)
    .regex(/^[\w.]*$/)
    .optional()
    .catch(undefined),
  entity: z.string().max(60).regex(/^\w*$/).optional().catch(undefined),
  person: z.uuid().optional().catch(undefined),
  from: ymd.optional().catch(undefined),
  to: ymd.optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
});

export async function auditRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  app.get("/audit", { onRequest: allow("audit.view") }, async (request, reply) => {
    const q = query.parse(queryOf(request.query));
    const zone = request.staff!.office.timeZone;
    const day = (s: string | undefined, plus = 0) => {
      if (!s) return undefined;
      const [y, m, d] = s.split("-").map(Number);
      return fromLocal({ year: y!, month: m!, day: d! + plus, hour: 0, minute: 0 }, zone);
    };
    const { rows, next } = await listAudit(ctx.db, {
      action: q.action,
      entity: q.entity,
      actorUserId: q.person,
      from: day(q.from),
      to: day(q.to, 1),
      cursor: decodeCursor(q.after),
      take: 50,
    });
    // Names for the ids the page mentions, one query per kind.
    const ids = new Set<string>();
    for (const r of rows) {
      if (r.entityId) ids.add(r.entityId);
      idsIn(r.changes, ids);
    }
    const list = [...ids];
    const [requests, users, offices, people] = await Promise.all([
      ctx.db.coachingRequest.findMany({ where: { id: { in: list } }, select: { id: true, code: true } }),
      ctx.db.user.findMany({ where: { id: { in: list } }, select: { id: true, name: true } }),
      ctx.db.office.findMany({ where: { id: { in: list } }, select: { id: true, name: true } }),
      ctx.db.user.findMany({ where: { auditLogs: { some: {} } }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
    ]);
    const names: Names = {
      requests: new Map(requests.map((r) => [r.id, r])),
      users: new Map(users.map((u) => [u.id, u])),
      offices: new Map(offices.map((o) => [o.id, o.name])),
    };
    const locale = request.locale;
    const fmt = reply.locals!.fmt.dt;
    return reply.view("audit", {
      title: reply.locals?.t("admin.nav.audit"),
      rows: rows.map((r) => ({
        ...r,
        actionText: actionLabel(r.action, locale),
        subject: subjectOf(r, names, locale),
        lines: describeChanges(r.changes, names, locale, (d) => fmt(d)),
      })),
      actions: AUDIT_ACTIONS.map((a) => ({ code: a, label: actionLabel(a, locale) })),
      people,
      next: next ? encodeCursor(next) : null,
      query: q,
    });
  });
}
