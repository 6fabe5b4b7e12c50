// Signing in (password, then TOTP when enabled), signing out, and the language switch.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { writeAudit } from "../../core/audit/service.js";
import { isLocale } from "../../core/messages/index.js";
import { authenticate, setLocale } from "../../core/users/service.js";
import { verifyTotp } from "../../core/users/totp.js";
import { formatTime } from "../../core/validation/datetime.js";
import { localPath } from "../http/audit.js";
import { type FormBody, str } from "../http/forms.js";
import { SESSION_COOKIE } from "../http/security.js";
import { LOCALE_COOKIE } from "../panel.js";

const PENDING_MS = 5 * 60_000;
const MAX_TOTP_TRIES = 5;

declare module "fastify" {
  interface Session {
    totpTries?: number;
    next?: string;
  }
}

async function completeLogin(request: FastifyRequest, reply: FastifyReply, userId: string, next: string | undefined, hasRoles: boolean) {
  // A new session id on every sign-in: a planted (fixated) session id is worthless.
  await request.session.regenerate();
  request.session.userId = userId;
  request.session.loginAt = Date.now();
  await writeAudit(request.server.panel.ctx.db, { actorUserId: userId, action: "auth.login", entity: "User", entityId: userId, ip: request.ip });
  // Staff without a role yet can only see their profile (and ask an admin for a role).
  return reply.redirect(localPath(next, hasRoles ? "/dashboard" : "/profile"));
}

export async function authRoutes(app: FastifyInstance) {
  const { ctx, loginLimit } = app.panel;

  app.get("/", async (request, reply) => reply.redirect(!request.staff ? "/login" : request.staff.roles.length ? "/dashboard" : "/profile"));

  app.get("/login", async (request, reply) => {
    if (request.staff) return reply.redirect("/");
    const next = str(request.query as FormBody, "next");
    return reply.view("login", { title: reply.locals?.t("admin.login.title"), next, email: "", error: null });
  });

  app.post("/login", { config: { rateLimit: { ...loginLimit, keyGenerator: (r: FastifyRequest) => `login:${r.ip}` } } }, async (request, reply) => {
    const body = request.body as FormBody;
    const email = str(body, "email").slice(0, 254);
    const password = str(body, "password").slice(0, 200);
    const next = str(body, "next");
    const result = await authenticate(ctx.db, email, password);
    if (!result.ok) {
      if (result.reason === "locked") {
        await writeAudit(ctx.db, { actorUserId: null, action: "auth.locked", entity: "User", ip: request.ip });
        const until = result.lockedUntil ? formatTime(result.lockedUntil, "WIB") : "";
        reply.code(423);
        return reply.view("login", { title: reply.locals?.t("admin.login.title"), next, email, error: { key: "admin.login.locked", params: { until } } });
      }
      reply.code(401);
      return reply.view("login", { title: reply.locals?.t("admin.login.title"), next, email, error: { key: "admin.login.invalid" } });
    }
    if (result.user.totpEnabled && result.user.totpSecret) {
      await request.session.regenerate();
      request.session.pendingUserId = result.user.id;
      request.session.pendingAt = Date.now();
      request.session.totpTries = 0;
      request.session.next = next;
      return reply.redirect("/login/totp");
    }
    return completeLogin(request, reply, result.user.id, next, result.user.roles.length > 0);
  });

  const pendingUser = (request: FastifyRequest) => {
    const s = request.session;
    return s?.pendingUserId && s.pendingAt && Date.now() - s.pendingAt < PENDING_MS ? s.pendingUserId : null;
  };

  app.get("/login/totp", async (request, reply) => {
    if (!pendingUser(request)) return reply.redirect("/login");
    return reply.view("login-totp", { title: reply.locals?.t("admin.totp.title"), error: null });
  });

  app.post("/login/totp", { config: { rateLimit: { ...loginLimit, keyGenerator: (r: FastifyRequest) => `totp:${r.ip}` } } }, async (request, reply) => {
    const userId = pendingUser(request);
    if (!userId) return reply.redirect("/login");
    const code = str(request.body as FormBody, "code").replace(/\s/g, "");
    const user = await ctx.db.user.findFirst({ where: { id: userId, deletedAt: null } });
    const tries = (request.session.totpTries ?? 0) + 1;
    request.session.totpTries = tries;
    // A code is accepted once: replaying an observed code fails.
    const fresh =
      user?.totpSecret && verifyTotp(user.totpSecret, code)
        ? await ctx.redis.set(`${ctx.redisPrefix}:totp-used:${userId}:${code}`, "1", "EX", 120, "NX")
        : null;
    if (!user || fresh !== "OK") {
      if (tries >= MAX_TOTP_TRIES) {
        await request.session.destroy();
        reply.clearCookie(SESSION_COOKIE, { path: "/" });
        return reply.redirect("/login");
      }
      reply.code(401);
      return reply.view("login-totp", { title: reply.locals?.t("admin.totp.title"), error: "admin.totp.invalid" });
    }
    return completeLogin(request, reply, userId, request.session.next, user.roles.length > 0);
  });

  app.post("/logout", async (request, reply) => {
    if (request.staff)
      await writeAudit(ctx.db, { actorUserId: request.staff.id, action: "auth.logout", entity: "User", entityId: request.staff.id, ip: request.ip });
    if (request.session) await request.session.destroy();
    reply.clearCookie(SESSION_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "lax" });
    return reply.redirect("/login");
  });

  app.post("/locale", async (request, reply) => {
    const body = request.body as FormBody;
    const locale = str(body, "locale");
    if (!isLocale(locale)) return reply.redirect(localPath(str(body, "next")));
    reply.setCookie(LOCALE_COOKIE, locale, { path: "/", sameSite: "lax", secure: true, httpOnly: true, maxAge: 365 * 24 * 3600 });
    if (request.staff) await setLocale(ctx.db, request.staff.id, locale);
    return reply.redirect(localPath(str(body, "next"), request.staff ? "/dashboard" : "/login"));
  });
}
