// Offices (admin): the offices this deployment serves, their contacts shown to PICs by
// "Kontak kantor", time zone and whether they take requests; offices below added from the
// bundled list of BPS offices.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { isDomainError } from "../../core/errors.js";
import type { MessageKey } from "../../core/messages/index.js";
import { addableOffices, addOffices, getOffice, listOffices, officeInputSchema, updateOffice } from "../../core/offices/service.js";
import { flash } from "../http/audit.js";
import { type FormBody, fieldErrors, list, str } from "../http/forms.js";
import { actorOf, allow } from "../http/guard.js";

const readForm = (body: FormBody) => ({
  name: str(body, "name"),
  address: str(body, "address"),
  phone: str(body, "phone"),
  email: str(body, "email"),
  whatsapp: str(body, "whatsapp"),
  website: str(body, "website"),
  timeZone: str(body, "timeZone"),
  active: str(body, "active") === "on",
});

export async function officeRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  const officeId = (request: FastifyRequest) => z.uuid().safeParse((request.params as { id: string }).id);
  const actor = (request: FastifyRequest) => ({ ...actorOf(request), ip: request.ip });

  app.get("/offices", { onRequest: allow("office.manage") }, async (request, reply) => {
    const rows = await listOffices(ctx.db, actorOf(request));
    const addable = await addableOffices(ctx.db, actorOf(request));
    return reply.view("offices/list", { title: reply.locals?.t("office.title"), rows, addable });
  });

  async function renderForm(reply: FastifyReply, id: string, code: string, form: ReturnType<typeof readForm>, errors: Record<string, MessageKey>) {
    return reply.view("offices/form", { title: reply.locals?.t("office.edit"), id, code, form, errors });
  }

  app.get("/offices/:id/edit", { onRequest: allow("office.manage") }, async (request, reply) => {
    const id = officeId(request);
    if (!id.success) return reply.callNotFound();
    const o = await getOffice(ctx.db, actorOf(request), id.data);
    const form = {
      name: o.name,
      address: o.address ?? "",
      phone: o.phone ?? "",
      email: o.email ?? "",
      whatsapp: o.whatsapp ?? "",
      website: o.website ?? "",
      timeZone: o.timeZone,
      active: o.active,
    };
    return renderForm(reply, o.id, o.code, form, {});
  });

  app.post("/offices/:id/edit", { onRequest: allow("office.manage") }, async (request, reply) => {
    const id = officeId(request);
    if (!id.success) return reply.callNotFound();
    const o = await getOffice(ctx.db, actorOf(request), id.data);
    const form = readForm(request.body as FormBody);
    const parsed = officeInputSchema.safeParse(form);
    if (!parsed.success) {
      reply.code(422);
      return renderForm(reply, o.id, o.code, form, fieldErrors(parsed.error));
    }
    try {
      const after = await updateOffice(ctx.db, actor(request), o.id, parsed.data);
      flash(request, "ok", "office.saved", { name: after.name });
      return reply.redirect("/offices");
    } catch (e) {
      if (!isDomainError(e) || e.code === "NOT_FOUND") throw e;
      reply.code(409);
      return renderForm(reply, o.id, o.code, form, { active: e.messageKey });
    }
  });

  app.post("/offices/add", { onRequest: allow("office.manage") }, async (request, reply) => {
    try {
      const added = await addOffices(ctx.db, actor(request), list(request.body as FormBody, "codes"));
      flash(request, "ok", "office.added", { n: added.length });
    } catch (e) {
      if (!isDomainError(e)) throw e;
      flash(request, "error", e.messageKey);
    }
    return reply.redirect("/offices");
  });
}
