// User (SPEKTRAL 4.2.4): the staff list, add/edit/delete, role changes, password resets, and the
// security setting that requires two-factor sign-in per role. ADMIN only.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { visibleOfficeIds } from "../../core/access/index.js";
import { subjectOfEmail } from "../../core/auth/throttle.js";
import type { Role } from "../../core/db/generated/enums.js";
import { isDomainError } from "../../core/errors.js";
import type { MessageKey } from "../../core/messages/index.js";
import { codesOf, ROLES } from "../../core/reference/index.js";
import { readBotUsername } from "../../core/runtime/channel-status.js";
import { setTotpRequiredRoles, totpRequiredRoles } from "../../core/settings/service.js";
import { reachableChannels, runningChannels } from "../../core/users/reachability.js";
import {
  createUser,
  deleteUser,
  getUserForAdmin,
  listUsers,
  resetPassword,
  setRoles,
  temporaryPassword,
  updateUser,
  userInputSchema,
} from "../../core/users/service.js";
import { oneLine } from "../../core/validation/text.js";
import { flash } from "../http/audit.js";
import { type FormBody, fieldErrors, list, queryOf, str } from "../http/forms.js";
import { actorOf, allow } from "../http/guard.js";
import { telegramLinkFor } from "../http/telegram-link.js";
import type { TotpSettingCache } from "../http/totp-setting.js";

const PAGE = 100;
const roleList = (body: FormBody) => list(body, "roles").filter((r): r is Role => ROLES.some((x) => x.code === r));
const listQuery = z.object({
  q: z.string().max(100).transform(oneLine).optional().catch(undefined),
  role: z.enum(codesOf(ROLES)).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).optional().catch(undefined),
});

interface UserForm {
  name: string;
  email: string;
  nip: string;
  position: string;
  officeId: string;
  whatsapp: string;
  roles: string[];
  locale: string;
}

const readForm = (body: FormBody): UserForm => ({
  name: str(body, "name"),
  email: str(body, "email"),
  nip: str(body, "nip"),
  position: str(body, "position"),
  officeId: str(body, "officeId"),
  whatsapp: str(body, "whatsapp"),
  roles: roleList(body),
  locale: str(body, "locale") || "id",
});

export async function userRoutes(app: FastifyInstance, opts: { totpSetting: TotpSettingCache }) {
  const { ctx, store, throttle } = app.panel;

  const offices = async (request: FastifyRequest) =>
    ctx.db.office.findMany({
      where: { id: { in: await visibleOfficeIds(ctx.db, actorOf(request)) } },
      orderBy: { code: "asc" },
      select: { id: true, name: true, code: true },
    });
  const userId = (request: FastifyRequest) => z.uuid().safeParse((request.params as { id: string }).id);

  async function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    mode: "new" | "edit",
    form: UserForm,
    errors: Record<string, MessageKey>,
    id?: string,
  ) {
    return reply.view("users/form", {
      title: reply.locals?.t(mode === "new" ? "admin.user.new" : "admin.user.edit"),
      mode,
      form,
      errors,
      id: id ?? null,
      offices: await offices(request),
    });
  }

  app.get("/users", { onRequest: allow("user.manage") }, async (request, reply) => {
    const q = listQuery.parse(queryOf(request.query));
    const page = q.page ?? 1;
    const { rows, total } = await listUsers(ctx.db, actorOf(request), { q: q.q, role: q.role, skip: (page - 1) * PAGE, take: PAGE });
    const reach = await reachableChannels(
      ctx.db,
      rows.map((u) => u.id),
      runningChannels(ctx.config),
    );
    return reply.view("users/list", { title: reply.locals?.t("admin.nav.users"), rows, reach, total, page, more: page * PAGE < total, query: q });
  });

  app.get("/users/new", { onRequest: allow("user.manage") }, async (request, reply) =>
    renderForm(
      request,
      reply,
      "new",
      { name: "", email: "", nip: "", position: "", officeId: request.staff!.officeId, whatsapp: "", roles: ["COACH"], locale: "id" },
      {},
    ),
  );

  app.post("/users", { onRequest: allow("user.manage") }, async (request, reply) => {
    const form = readForm(request.body as FormBody);
    const parsed = userInputSchema.safeParse(form);
    if (!parsed.success) {
      reply.code(422);
      return renderForm(request, reply, "new", form, fieldErrors(parsed.error));
    }
    const password = temporaryPassword();
    try {
      const user = await createUser(ctx.db, actorOf(request), parsed.data, password, {
        send: Boolean(ctx.config.SMTP_URL),
        telegramBot: await readBotUsername(ctx.redis, ctx.redisPrefix),
      });
      const telegram = await telegramLinkFor(ctx, actorOf(request), user.id);
      return reply.view("users/password", { title: reply.locals?.t("admin.user.created"), user, password, created: true, telegram });
    } catch (e) {
      if (isDomainError(e) && e.code !== "NOT_FOUND") {
        reply.code(409);
        return renderForm(request, reply, "new", form, { [e.code === "ALREADY_EXISTS" ? "email" : "officeId"]: e.messageKey });
      }
      throw e;
    }
  });

  app.get("/users/:id/edit", { onRequest: allow("user.manage") }, async (request, reply) => {
    const id = userId(request);
    if (!id.success) return reply.callNotFound();
    const u = await getUserForAdmin(ctx.db, actorOf(request), id.data);
    const form: UserForm = {
      name: u.name,
      email: u.email,
      nip: u.nip ?? "",
      position: u.position ?? "",
      officeId: u.officeId,
      whatsapp: u.whatsapp ?? "",
      roles: u.roles,
      locale: u.locale,
    };
    return renderForm(request, reply, "edit", form, {}, u.id);
  });

  app.post("/users/:id/edit", { onRequest: allow("user.manage") }, async (request, reply) => {
    const id = userId(request);
    if (!id.success) return reply.callNotFound();
    const form = readForm(request.body as FormBody);
    const parsed = userInputSchema.safeParse(form);
    if (!parsed.success) {
      reply.code(422);
      return renderForm(request, reply, "edit", form, fieldErrors(parsed.error), id.data);
    }
    try {
      const { after, changes } = await updateUser(ctx.db, actorOf(request), id.data, parsed.data);
      // New roles or office take effect now: the user signs in again.
      if (changes.roles || changes.officeId) await store.destroyAllFor(id.data, request.session.sessionId);
      flash(request, "ok", "admin.user.saved", { name: after.name });
      return reply.redirect("/users");
    } catch (e) {
      if (isDomainError(e) && e.code !== "NOT_FOUND") {
        reply.code(409);
        return renderForm(request, reply, "edit", form, { [e.code === "ALREADY_EXISTS" ? "email" : "roles"]: e.messageKey }, id.data);
      }
      throw e;
    }
  });

  // The list's quick "Ubah Role" form.
  app.post("/users/:id/roles", { onRequest: allow("user.manage") }, async (request, reply) => {
    const id = userId(request);
    if (!id.success) return reply.callNotFound();
    try {
      const { after } = await setRoles(ctx.db, actorOf(request), id.data, roleList(request.body as FormBody));
      await store.destroyAllFor(id.data, request.session.sessionId);
      flash(request, "ok", "admin.user.rolesChanged", { name: after.name });
    } catch (e) {
      if (!isDomainError(e) || e.code === "NOT_FOUND") throw e;
      flash(request, "error", e.messageKey);
    }
    return reply.redirect(`/users${str(request.body as FormBody, "back").startsWith("?") ? str(request.body as FormBody, "back") : ""}`);
  });

  app.get("/users/:id/delete", { onRequest: allow("user.manage") }, async (request, reply) => {
    const id = userId(request);
    if (!id.success) return reply.callNotFound();
    const u = await getUserForAdmin(ctx.db, actorOf(request), id.data);
    return reply.view("confirm", {
      title: reply.locals?.t("admin.user.delete"),
      question: { key: "admin.user.deleteConfirm", params: { name: u.name } },
      action: `/users/${u.id}/delete`,
      cancel: "/users",
    });
  });

  app.post("/users/:id/delete", { onRequest: allow("user.manage") }, async (request, reply) => {
    const id = userId(request);
    if (!id.success) return reply.callNotFound();
    try {
      const before = await deleteUser(ctx.db, actorOf(request), id.data);
      await store.destroyAllFor(id.data);
      flash(request, "ok", "admin.user.deleted", { name: before.name });
    } catch (e) {
      if (!isDomainError(e) || e.code === "NOT_FOUND") throw e;
      flash(request, "error", e.messageKey);
    }
    return reply.redirect("/users");
  });

  app.get("/users/:id/reset-password", { onRequest: allow("user.manage") }, async (request, reply) => {
    const id = userId(request);
    if (!id.success) return reply.callNotFound();
    const u = await getUserForAdmin(ctx.db, actorOf(request), id.data);
    return reply.view("confirm", {
      title: reply.locals?.t("admin.user.resetPassword"),
      question: { key: "admin.user.resetConfirm", params: { name: u.name } },
      action: `/users/${u.id}/reset-password`,
      cancel: "/users",
    });
  });

  app.post("/users/:id/reset-password", { onRequest: allow("user.manage") }, async (request, reply) => {
    const id = userId(request);
    if (!id.success) return reply.callNotFound();
    const { password, email } = await resetPassword(ctx.db, actorOf(request), id.data);
    // The owner starts afresh: no wait left over from anyone's failed attempts.
    await throttle.clear([
      { stage: "password", subject: subjectOfEmail(email) },
      { stage: "totp", subject: id.data },
    ]);
    await store.destroyAllFor(id.data, id.data === request.staff!.id ? request.session.sessionId : undefined);
    const user = await getUserForAdmin(ctx.db, actorOf(request), id.data);
    // Shown once on this page, never stored or logged.
    reply.header("cache-control", "no-store");
    return reply.view("users/password", { title: reply.locals?.t("admin.user.resetPassword"), user, password, created: false });
  });

  app.get("/settings", { onRequest: allow("user.manage") }, async (_request, reply) =>
    reply.view("settings", { title: reply.locals?.t("admin.nav.settings"), totpRoles: await totpRequiredRoles(ctx.db) }),
  );

  app.post("/settings", { onRequest: allow("user.manage") }, async (request, reply) => {
    await setTotpRequiredRoles(ctx.db, actorOf(request), roleList(request.body as FormBody));
    opts.totpSetting.clear();
    flash(request, "ok", "admin.settings.saved");
    return reply.redirect("/settings");
  });
}
