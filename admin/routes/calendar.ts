// Working-day calendar (admin): national holidays of the year (bundled, read-only) and the
// cuti bersama days, which change by decree each year and are kept here.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { addLeaveDay, listYear, removeLeaveDay } from "../../core/calendar/leave.js";
import { isDomainError } from "../../core/errors.js";
import { flash } from "../http/audit.js";
import { type FormBody, str } from "../http/forms.js";
import { actorOf, allow } from "../http/guard.js";

const yearOf = (v: unknown) => z.coerce.number().int().min(2000).max(2100).catch(new Date().getUTCFullYear()).parse(v);

export async function calendarRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  const actor = (request: Parameters<typeof actorOf>[0]) => ({ userId: actorOf(request).userId, ip: request.ip });

  app.get("/calendar", { onRequest: allow("calendar.manage") }, async (request, reply) => {
    const year = yearOf((request.query as { year?: string }).year);
    return reply.view("calendar", { title: reply.locals?.t("calendar.title"), year, ...(await listYear(ctx.db, year)) });
  });

  app.post("/calendar/leave", { onRequest: allow("calendar.manage") }, async (request, reply) => {
    const body = request.body as FormBody;
    const date = str(body, "date");
    try {
      await addLeaveDay(ctx.db, actor(request), { date, name: str(body, "name") });
      flash(request, "ok", "calendar.added", { date });
    } catch (e) {
      if (isDomainError(e)) flash(request, "error", e.messageKey, e.params);
      else if (e instanceof z.ZodError) flash(request, "error", "calendar.invalid");
      else throw e;
    }
    return reply.redirect(`/calendar?year=${yearOf(date.slice(0, 4))}`);
  });

  app.post("/calendar/leave/delete", { onRequest: allow("calendar.manage") }, async (request, reply) => {
    const date = str(request.body as FormBody, "date");
    try {
      await removeLeaveDay(ctx.db, actor(request), date);
      flash(request, "ok", "calendar.removed", { date });
    } catch (e) {
      if (!isDomainError(e) && !(e instanceof z.ZodError)) throw e;
      flash(request, "error", "calendar.invalid");
    }
    return reply.redirect(`/calendar?year=${yearOf(date.slice(0, 4))}`);
  });
}
