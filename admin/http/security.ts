// The panel's security stack: Redis sessions behind a __Host- cookie, CSRF on every form,
// and a secure-context shim for local development. (Rate limits are registered app-wide in server.ts.)
import { randomBytes } from "node:crypto";
import cookie from "@fastify/cookie";
import csrf from "@fastify/csrf-protection";
import session from "@fastify/session";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { AppContext } from "../../core/runtime/context.js";
import { RedisSessionStore } from "./session-store.js";

export const SESSION_COOKIE = "__Host-sibina";
export const SESSION_TTL_SECONDS = 8 * 3600;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Browsers treat http://localhost and http://127.0.0.1 as secure contexts and accept Secure
 * (and __Host-) cookies there. @fastify/session only sends a Secure cookie over HTTPS, so a
 * plain-HTTP request to a loopback host is marked as HTTPS. Elsewhere, TLS (or a proxy's
 * X-Forwarded-Proto) is required, and without it no session cookie is set at all.
 */
export function isLoopbackHost(hostHeader: string | undefined): boolean {
  const host = (hostHeader ?? "").toLowerCase().replace(/:\d+$/, "");
  return LOOPBACK.has(host);
}

export async function registerSecurity(app: FastifyInstance, ctx: AppContext, opts: { sessionSecret?: string }) {
  app.addHook("onRequest", async (request) => {
    const raw = request.raw;
    if (!raw.headers["x-forwarded-proto"] && !(raw.socket as { encrypted?: boolean }).encrypted && isLoopbackHost(raw.headers.host)) {
      raw.headers["x-forwarded-proto"] = "https";
    }
  });

  const secret = opts.sessionSecret ?? ctx.config.SESSION_SECRET ?? randomBytes(32).toString("hex");
  if (!opts.sessionSecret && !ctx.config.SESSION_SECRET && ctx.config.NODE_ENV === "production") {
    ctx.log.warn("SESSION_SECRET is not set: sessions will not survive a restart and cannot be shared between instances");
  }
  const store = new RedisSessionStore(ctx.redis, ctx.redisPrefix, SESSION_TTL_SECONDS);
  await app.register(cookie);
  await app.register(session, {
    secret,
    cookieName: SESSION_COOKIE,
    store,
    saveUninitialized: false,
    rolling: false,
    cookie: { secure: true, httpOnly: true, sameSite: "lax", path: "/", maxAge: SESSION_TTL_SECONDS * 1000 },
  });
  await app.register(csrf, {
    sessionPlugin: "@fastify/session",
    // Multipart fields arrive as { value } objects.
    getToken: (req: FastifyRequest) => {
      const body = req.body as Record<string, unknown> | undefined;
      const field = body?._csrf as unknown;
      if (typeof field === "string") return field;
      if (field && typeof field === "object" && "value" in field) return String((field as { value: unknown }).value);
      return (req.headers["x-csrf-token"] as string | undefined) ?? "";
    },
  });
  return { store };
}
