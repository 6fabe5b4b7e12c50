// Beranda (SPEKTRAL 4.1): counts, charts, the supervisor's queue and upcoming sessions.
import type { FastifyInstance } from "fastify";
import { dashboardData } from "../../core/dashboard/service.js";
import { missingDocumentationCount } from "../../core/documentation/admin.js";
import { AGENCY_LEVELS, labelOf, SERVICE_TYPES } from "../../core/reference/index.js";
import { barChart, columnChart } from "../http/charts.js";
import { dashboardCache } from "../http/dashboard-cache.js";
import { actorOf, allow } from "../http/guard.js";

const MONTHS = {
  id: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
  en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
};

export async function dashboardRoutes(app: FastifyInstance) {
  const { ctx, dashboardFreshMs } = app.panel;
  const aggregates = dashboardCache(ctx, dashboardFreshMs);

  const load = async (request: Parameters<typeof actorOf>[0]) => {
    const zone = request.staff!.office.timeZone;
    const now = new Date();
    return dashboardData(ctx.db, actorOf(request), zone, now, (ids) => aggregates(ids, zone, now));
  };

  app.get("/dashboard", { onRequest: allow("dashboard.view") }, async (request, reply) => {
    const data = await load(request);
    const locale = request.locale;
    const months = data.perMonth.map((m) => ({ label: `${MONTHS[locale][Number(m.month.slice(5)) - 1]}`, value: m.count }));
    const perMonth = columnChart(months);
    // On a phone the twelve columns would be too small to read: the same counts as bars, drawn at phone width.
    const perMonthPhone = barChart(months, 340);
    const byService = barChart(data.byServiceType.map((s) => ({ label: labelOf(SERVICE_TYPES, s.code, locale), value: s.count })));
    const byLevel = barChart(data.byAgencyLevel.map((s) => ({ label: labelOf(AGENCY_LEVELS, s.code, locale), value: s.count })));
    return reply.view("dashboard", {
      title: reply.locals?.t("admin.nav.dashboard"),
      data,
      charts: { perMonth, perMonthPhone, byService, byLevel },
      // A coach's home page flags the documentation they still owe.
      coachMissing: request.staff!.roles.includes("COACH") ? await missingDocumentationCount(ctx.db, request.staff!.id) : 0,
    });
  });

  // The same figures as JSON (for integrations, and the benchmark's template-free baseline).
  app.get("/dashboard.json", { onRequest: allow("dashboard.view") }, async (request) => load(request));
}
