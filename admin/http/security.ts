// The panel's security stack: Redis sessions behind a __Host- cookie (a plain one only with
// ALLOW_INSECURE_HTTP=true), CSRF on every form, and loopback treated as a secure context as
// browsers do (see transport.ts). Rate limits are registered app-wide in server.ts.
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import session from "@fastify/session";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { sessionSecret } from "../../core/auth/secrets.js";
import type { AppContext } from "../../core/runtime/context.js";
import { RedisSessionStore } from "./session-store.js";
import { sessionCookieFor, treatLoopbackAsSecure } from "./transport.js";

export const SESSION_TTL_SECONDS = 8 * 3600;

export async function registerSecurity(app: FastifyInstance, ctx: AppContext, opts: { sessionSecret?: string }) {
  app.addHook("onRequest", async (request) => treatLoopbackAsSecure(request));

  // Kept across restarts: without SESSION_SECRET, development and the demo use one generated into STORAGE_DIR.
  const secret = opts.sessionSecret ?? (await sessionSecret(ctx.config));
  const sessionCookie = sessionCookieFor(ctx.config.ALLOW_INSECURE_HTTP);
  const store = new RedisSessionStore(ctx.redis, ctx.redisPrefix, SESSION_TTL_SECONDS);
  await app.register(cookie);
  await app.register(session, {
    secret,
    cookieName: sessionCookie.name,
    store,
    saveUninitialized: false,
    rolling: false,
    cookie: { secure: sessionCookie.secure, httpOnly: true, sameSite: "lax", path: "/", maxAge: SESSION_TTL_SECONDS * 1000 },
  });
  await app.register(csrf, {
    sessionPlugin: "@fastify/session",
    // Multipart forms are read by admin/http/uploads.ts, which puts the fields seen so far here.
    getToken: (req: FastifyRequest) => {
      const body = req.body as Record<string, unknown> | undefined;
      const field = body?._csrf as unknown;
      if (typeof field === "string") return field;
      return (req.headers["x-csrf-token"] as string | undefined) ?? "";
    },
  });
  return { store, sessionCookie };
}
