// Daftar Testimoni (SPEKTRAL 4.2.3): list with rating and request; admins delete with confirmation.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { deleteTestimonial, getTestimonial, listTestimonials } from "../../core/testimonials/admin.js";
import { flash } from "../http/audit.js";
import { queryOf } from "../http/forms.js";
import { actorOf, allow } from "../http/guard.js";

const PAGE = 50;

export async function testimonialRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;

  app.get("/testimonials", { onRequest: allow("testimonial.view") }, async (request, reply) => {
    const page = z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .catch(1)
      .parse(queryOf(request.query).page ?? 1);
    const { rows, more } = await listTestimonials(ctx.db, actorOf(request), { skip: (page - 1) * PAGE, take: PAGE });
    return reply.view("testimonials/list", { title: reply.locals?.t("admin.nav.testimonials"), rows, more, page });
  });

  app.get("/testimonials/:id/delete", { onRequest: allow("testimonial.manage") }, async (request, reply) => {
    const id = z.uuid().safeParse((request.params as { id: string }).id);
    if (!id.success) return reply.callNotFound();
    const row = await getTestimonial(ctx.db, actorOf(request), id.data);
    return reply.view("confirm", {
      title: reply.locals?.t("admin.testimonial.delete"),
      question: { key: "admin.testimonial.deleteConfirm", params: { author: row.authorName, code: row.request.code } },
      action: `/testimonials/${row.id}/delete`,
      cancel: "/testimonials",
    });
  });

  app.post("/testimonials/:id/delete", { onRequest: allow("testimonial.manage") }, async (request, reply) => {
    const id = z.uuid().safeParse((request.params as { id: string }).id);
    if (!id.success) return reply.callNotFound();
    await deleteTestimonial(ctx.db, actorOf(request), id.data);
    flash(request, "ok", "admin.testimonial.deleted");
    return reply.redirect("/testimonials");
  });
}
