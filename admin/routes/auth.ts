// Signing in (password, then TOTP when enabled), signing out, and the language switch.
// Failed attempts are throttled per (account, client address) with growing waits and never
// lock an account (core/auth/throttle.ts); known and unknown emails get the same answers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { writeAudit } from "../../core/audit/service.js";
import { clientNetwork } from "../../core/auth/client-network.js";
import { openSecret, totpKeyring } from "../../core/auth/secrets.js";
import { subjectOfEmail } from "../../core/auth/throttle.js";
import { isLocale, type MessageKey } from "../../core/messages/index.js";
import { authenticate, prepareAuthentication, setLocale } from "../../core/users/service.js";
import { verifyTotp } from "../../core/users/totp.js";
import { localPath } from "../http/audit.js";
import { type FormBody, str } from "../http/forms.js";
import { recordFailure as failed, waitSeconds as seconds } from "../http/guesses.js";
import { LOCALE_COOKIE, transportParams, transportProblem } from "../http/transport.js";

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
  const { ctx, loginLimit, throttle, cookie } = app.panel;
  // Each sign-in stage has its own limit per client (IPv4 address or IPv6 /64).
  const limitedPer = (stage: string) => ({ config: { rateLimit: { ...loginLimit, keyGenerator: (r: FastifyRequest) => `${stage}:${clientNetwork(r.ip)}` } } });
  void prepareAuthentication().catch((err) => ctx.log.warn({ err }, "could not prepare the sign-in decoy hash"));

  const loginPage = (request: FastifyRequest, reply: FastifyReply, form: { next: string; email: string }, error: { key: MessageKey; params?: object } | null) =>
    reply.view("login", {
      title: reply.locals?.t("admin.login.title"),
      ...form,
      error,
      transport: transportProblem(request, ctx.config.ALLOW_INSECURE_HTTP),
      transportParams: transportParams(request),
    });

  app.get("/", async (request, reply) => reply.redirect(!request.staff ? "/login" : request.staff.roles.length ? "/dashboard" : "/profile"));

  app.get("/login", async (request, reply) => {
    if (request.staff) return reply.redirect("/");
    return loginPage(request, reply, { next: str(request.query as FormBody, "next"), email: "" }, null);
  });

  app.post("/login", limitedPer("login"), async (request, reply) => {
    const body = request.body as FormBody;
    const email = str(body, "email").slice(0, 254);
    const password = str(body, "password").slice(0, 200);
    const next = str(body, "next");
    const subject = subjectOfEmail(email);
    // A client that keeps failing on this account waits; its password is not even checked.
    const wait = await throttle.waitFor("password", subject, request.ip);
    if (wait > 0) {
      reply.code(429).header("retry-after", String(seconds(wait)));
      return loginPage(request, reply, { next, email }, { key: "admin.login.wait", params: { seconds: seconds(wait) } });
    }
    const result = await authenticate(ctx.db, email, password);
    if (!result.ok) {
      await failed(request, "password", subject, result.userId);
      reply.code(401);
      return loginPage(request, reply, { next, email }, { key: "admin.login.invalid" });
    }
    await throttle.succeed("password", subject, request.ip);
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

  app.post("/login/totp", limitedPer("totp"), async (request, reply) => {
    const userId = pendingUser(request);
    if (!userId) return reply.redirect("/login");
    const wait = await throttle.waitFor("totp", userId, request.ip);
    if (wait > 0) {
      reply.code(429).header("retry-after", String(seconds(wait)));
      return reply.view("login-totp", { title: reply.locals?.t("admin.totp.title"), error: { key: "admin.totp.wait", params: { seconds: seconds(wait) } } });
    }
    const code = str(request.body as FormBody, "code").replace(/\s/g, "");
    const user = await ctx.db.user.findFirst({ where: { id: userId, deletedAt: null } });
    const tries = (request.session.totpTries ?? 0) + 1;
    request.session.totpTries = tries;
    const secret = user?.totpSecret ? openSecret(await totpKeyring(ctx.config), user.id, user.totpSecret) : null;
    if (user?.totpSecret && !secret) ctx.log.error({ userId }, "two-factor secret cannot be opened: is TOTP_ENCRYPTION_KEY the key it was sealed with?");
    // A code is accepted once: replaying an observed code fails.
    const fresh = secret && verifyTotp(secret, code) ? await ctx.redis.set(`${ctx.redisPrefix}:totp-used:${userId}:${code}`, "1", "EX", 120, "NX") : null;
    if (!user || fresh !== "OK") {
      await failed(request, "totp", userId, userId);
      if (tries >= MAX_TOTP_TRIES) {
        await request.session.destroy();
        reply.clearCookie(cookie.name, { path: "/" });
        return reply.redirect("/login");
      }
      reply.code(401);
      return reply.view("login-totp", { title: reply.locals?.t("admin.totp.title"), error: { key: "admin.totp.invalid" } });
    }
    await throttle.succeed("totp", userId, request.ip);
    return completeLogin(request, reply, userId, request.session.next, user.roles.length > 0);
  });

  app.post("/logout", async (request, reply) => {
    if (request.staff)
      await writeAudit(ctx.db, { actorUserId: request.staff.id, action: "auth.logout", entity: "User", entityId: request.staff.id, ip: request.ip });
    if (request.session) await request.session.destroy();
    reply.clearCookie(cookie.name, { path: "/", secure: cookie.secure, httpOnly: true, sameSite: "lax" });
    return reply.redirect("/login");
  });

  app.post("/locale", async (request, reply) => {
    const body = request.body as FormBody;
    const locale = str(body, "locale");
    if (!isLocale(locale)) return reply.redirect(localPath(str(body, "next")));
    reply.setCookie(LOCALE_COOKIE, locale, { path: "/", sameSite: "lax", secure: cookie.secure, httpOnly: true, maxAge: 365 * 24 * 3600 });
    if (request.staff) await setLocale(ctx.db, request.staff.id, locale);
    return reply.redirect(localPath(str(body, "next"), request.staff ? "/dashboard" : "/login"));
  });
}
