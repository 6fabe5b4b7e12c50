// The audit log (ADMIN): read-only, newest first.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { listAudit } from "../../core/audit/service.js";
import { decodeCursor, encodeCursor } from "../../core/requests/admin.js";
import { queryOf } from "../http/forms.js";
import { allow } from "../http/guard.js";

const query = z.object({
  action: z
    .string()
    .max(60)
    .regex(/^[\w.]*$/)
    .optional()
    .catch(undefined),
  entity: z.string().max(60).regex(/^\w*$/).optional().catch(undefined),
  after: z.string().max(200).optional().catch(undefined),
});

export async function auditRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  app.get("/audit", { onRequest: allow("audit.view") }, async (request, reply) => {
    const q = query.parse(queryOf(request.query));
    const { rows, next } = await listAudit(ctx.db, { action: q.action, entity: q.entity, cursor: decodeCursor(q.after), take: 50 });
    return reply.view("audit", {
      title: reply.locals?.t("admin.nav.audit"),
      rows: rows.map((r) => ({ ...r, changesText: JSON.stringify(r.changes, null, 1) })),
      next: next ? encodeCursor(next) : null,
      query: q,
    });
  });
}
