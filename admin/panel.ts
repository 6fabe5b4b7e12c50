// The back office (SPEKTRAL section 4): server-rendered pages for supervisors, admins,
// operators and coaches. Everything here is one encapsulated Fastify plugin.
import path from "node:path";
import { fileURLToPath } from "node:url";
import formbody from "@fastify/formbody";
import multipart from "@fastify/multipart";
import fastifyStatic from "@fastify/static";
import view from "@fastify/view";
import { Eta } from "eta";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type SignInThrottle, signInThrottle } from "../core/auth/throttle.js";
import type { ChannelOperations } from "../core/channels/operations.js";
import { DomainError } from "../core/errors.js";
import { isLocale } from "../core/messages/index.js";
import { unreadCount } from "../core/notifications/panel.js";
import type { AppContext } from "../core/runtime/context.js";
import { totpRequiredFor } from "../core/settings/service.js";
import { loadStaff } from "../core/users/service.js";
import { makeErrorHandler, renderError } from "./http/errors.js";
import { buildLocals } from "./http/locals.js";
import { registerSecurity } from "./http/security.js";
import { settingCache } from "./http/totp-setting.js";
import { LOCALE_COOKIE, type SessionCookie, transportParams, transportProblem } from "./http/transport.js";
import "./http/types.js";
import { discardStaged, FORM_OVERHEAD_BYTES, tooLarge, type UploadLimits, uploadLimitsFor } from "./http/uploads.js";
import { auditRoutes } from "./routes/audit.js";
import { authRoutes } from "./routes/auth.js";
import { calendarRoutes } from "./routes/calendar.js";
import { channelRoutes } from "./routes/channels.js";
import { coachingRoutes } from "./routes/coachings.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { fileRoutes } from "./routes/files.js";
import { importRoutes } from "./routes/imports.js";
import { inboxRoutes } from "./routes/inbox.js";
import { moduleRoutes } from "./routes/modules.js";
import { notificationRoutes } from "./routes/notifications.js";
import { officeRoutes } from "./routes/offices.js";
import { profileRoutes } from "./routes/profile.js";
import { programmeRoutes } from "./routes/programme/index.js";
import { requestRoutes } from "./routes/requests.js";
import { testimonialRoutes } from "./routes/testimonials.js";
import { userRoutes } from "./routes/users.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A body that declares itself multipart (whatever its method: GET with a body counts too). */
const isMultipart = (request: FastifyRequest) =>
  String(request.headers["content-type"] ?? "")
    .trimStart()
    .toLowerCase()
    .startsWith("multipart/");

export interface PanelOptions {
  ctx: AppContext;
  /** The running channels and queues, as the Channels page needs them (wired in main.ts). */
  channels: ChannelOperations;
  /** Fixed secret (tests, several instances); otherwise SESSION_SECRET or a random one. */
  sessionSecret?: string;
  /** Login attempts per IP per window. */
  loginLimit?: { max: number; timeWindow: number };
  /** How long dashboard counts stay fresh in the cache (0: always computed). */
  dashboardFreshSeconds?: number;
  /** The clock of sign-in throttling (tests move it instead of sleeping). */
  now?: () => number;
  /**
   * Benchmark only (bench:admin): a GET with `x-bench-view: data` answers the data its page would
   * render, as JSON, without the template: the same route, session and queries, so HTML/JSON
   * throughput isolates the rendering. Never set in the product; pages' data is not an API.
   */
  viewDataForBench?: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    panel: PanelServices;
  }
}
export interface PanelServices {
  ctx: AppContext;
  channels: ChannelOperations;
  store: Awaited<ReturnType<typeof registerSecurity>>["store"];
  /** The session cookie in use (__Host-, Secure; or plain with ALLOW_INSECURE_HTTP=true). */
  cookie: SessionCookie;
  maxUploadBytes: number;
  uploadLimits: UploadLimits;
  loginLimit: { max: number; timeWindow: number };
  dashboardFreshMs: number;
  throttle: SignInThrottle;
}

export async function adminPanel(app: FastifyInstance, opts: PanelOptions) {
  const { ctx } = opts;
  const uploadLimits = uploadLimitsFor(ctx.config.MAX_UPLOAD_MB);
  // Multipart only where a route reads it: refused before the session is even looked up, and
  // before a byte of the body is read (pre-auth bodies are the cheapest attack there is).
  app.addHook("onRequest", async (request) => {
    if (isMultipart(request) && !request.routeOptions.config.multipart) throw new DomainError("VALIDATION", "admin.error.multipartNotHere");
  });
  const { store, sessionCookie } = await registerSecurity(app, ctx, { sessionSecret: opts.sessionSecret });
  app.decorate("panel", {
    ctx,
    channels: opts.channels,
    store,
    cookie: sessionCookie,
    maxUploadBytes: uploadLimits.fileBytes,
    uploadLimits,
    loginLimit: opts.loginLimit ?? { max: 10, timeWindow: 60_000 },
    dashboardFreshMs: (opts.dashboardFreshSeconds ?? 30) * 1000,
    throttle: signInThrottle(ctx.redis, ctx.redisPrefix, opts.now),
  });

  await app.register(formbody, { bodyLimit: 256 * 1024 });
  // Multipart is parsed only by the upload routes themselves, as a stream (http/uploads.ts).
  await app.register(multipart, {
    limits: { fileSize: uploadLimits.fileBytes, files: uploadLimits.files, fields: 60, fieldSize: 64 * 1024, parts: 80 },
  });
  await app.register(fastifyStatic, { root: path.join(here, "public"), prefix: "/assets/", decorateReply: false, maxAge: "1h" });
  await app.register(view, {
    engine: { eta: new Eta({ autoEscape: true, cache: true, views: path.join(here, "views") }) },
    root: path.join(here, "views"),
    production: true,
  });

  const totpSetting = settingCache(ctx);
  app.decorateRequest("staff", null);
  app.decorateRequest("locale", "id");
  app.decorateRequest("mustSetupTotp", false);
  app.decorateRequest("stagedUploads", null);
  app.decorateRequest("handlerReached", false);

  // Who is asking: the session's user, fresh from the database (deleted users are signed out).
  app.addHook("onRequest", async (request, reply) => {
    const userId = request.session?.userId;
    if (userId) {
      const staff = await loadStaff(ctx.db, userId);
      if (staff) {
        request.staff = staff;
        request.mustSetupTotp = !staff.totpEnabled && totpRequiredFor(staff.roles, await totpSetting.roles());
      } else {
        await request.session.destroy();
      }
    }
    const cookieLocale = request.cookies[LOCALE_COOKIE];
    request.locale = request.staff && isLocale(request.staff.locale) ? request.staff.locale : isLocale(cookieLocale) ? cookieLocale : "id";
    reply.locals = buildLocals(request, reply);
    // The bell's count on every page (the live stream keeps it current afterwards).
    if (request.staff && request.method === "GET" && !request.url.startsWith("/assets/"))
      (reply.locals as ReturnType<typeof buildLocals>).unread = await unreadCount(ctx.db, request.staff.id);
  });

  // Bodies are judged after the route's own session check (onRequest guards) and before a byte
  // of them is read: no form without the session that issued its CSRF token, no upload beyond
  // the limits. Refusals are thrown to the error page.
  app.addHook("preParsing", async (request, _reply, payload) => {
    if (SAFE_METHODS.has(request.method)) return payload;
    if (!request.session?._csrf) {
      const problem = transportProblem(request, ctx.config.ALLOW_INSECURE_HTTP);
      if (problem) throw new DomainError("VALIDATION", `admin.transport.${problem}`, transportParams(request));
      throw new DomainError("FORBIDDEN", "admin.error.csrf");
    }
    if (isMultipart(request) && Number(request.headers["content-length"] ?? 0) > uploadLimits.totalBytes + FORM_OVERHEAD_BYTES) throw tooLarge();
    return payload;
  });

  // CSRF on every state-changing request. Multipart forms are checked by readMultipart as they
  // are read (before the first file is stored), since their token arrives inside the body.
  app.addHook("preHandler", (request, reply, done) => {
    if (SAFE_METHODS.has(request.method) || (request.isMultipart() && request.routeOptions.config.multipart)) return done();
    app.csrfProtection(request, reply, done);
  });

  app.addHook("onSend", async (request, reply, payload) => {
    // Uploads not recorded (refused form, error) are removed before the answer goes out.
    await discardStaged(ctx, request);
    // Pages and downloads of a session are never kept by browsers or proxies (static assets are).
    if (!request.url.startsWith("/assets/")) reply.header("cache-control", "no-store");
    return payload;
  });
  // And when no answer could be sent (the client went away).
  app.addHook("onResponse", async (request) => discardStaged(ctx, request));

  if (opts.viewDataForBench)
    app.addHook("preHandler", async (request, reply) => {
      if (request.method !== "GET" || request.headers["x-bench-view"] !== "data") return;
      reply.view = ((_page: string, data?: object) => reply.send(data ?? {})) as unknown as typeof reply.view;
    });

  // A one-time notice from the previous page.
  app.addHook("preHandler", async (request, reply) => {
    const flash = request.session?.flash;
    if (flash && request.method === "GET" && reply.locals) {
      (reply.locals as ReturnType<typeof buildLocals>).flash = flash as ReturnType<typeof buildLocals>["flash"];
      request.session.flash = undefined;
    }
  });

  // Last of the panel's own hooks: from here on the route's handler may have saved something.
  app.addHook("preHandler", async (request) => {
    request.handlerReached = true;
  });

  app.setErrorHandler(makeErrorHandler(ctx.config.MAX_UPLOAD_MB));
  app.setNotFoundHandler(async (request, reply) => renderError(request, reply, 404, "error.notFound"));

  await app.register(authRoutes);
  await app.register(dashboardRoutes);
  await app.register(requestRoutes);
  await app.register(fileRoutes);
  await app.register(coachingRoutes);
  await app.register(moduleRoutes);
  await app.register(programmeRoutes);
  await app.register(testimonialRoutes);
  await app.register(userRoutes, { totpSetting });
  await app.register(profileRoutes);
  await app.register(officeRoutes);
  await app.register(importRoutes);
  await app.register(notificationRoutes);
  await app.register(calendarRoutes);
  await app.register(channelRoutes);
  await app.register(auditRoutes);
  await app.register(inboxRoutes);
}
