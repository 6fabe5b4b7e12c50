// The Fastify app: the admin panel and the health endpoint. main.ts adds the chat parts
// (the web simulator) and passes in the channel operations the panel may use.
import { isIP } from "node:net";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import { clientNetwork } from "../core/auth/client-network.js";
import type { ChannelOperations } from "../core/channels/operations.js";
import { transportWarning } from "../core/config.js";
import type { AppContext } from "../core/runtime/context.js";
import { healthReport } from "../core/runtime/health.js";
import { REDIS_REQUEST_TIMEOUT_MS } from "../core/runtime/outage.js";
import { reportRedisOutages } from "../core/runtime/redis.js";
import { closeIfBodyUnread } from "./http/early-answer.js";
import { adminPanel, type PanelOptions } from "./panel.js";

export interface ServerOptions {
  channels: ChannelOperations;
  panel?: Omit<PanelOptions, "ctx" | "channels">;
}

function clientAddressOrSocket(request: FastifyRequest): void {
  if (isIP(request.ip)) return;
  Object.defineProperty(request, "ip", { value: request.socket.remoteAddress ?? "", configurable: true });
}

export async function buildServer(ctx: AppContext, opts: ServerOptions): Promise<FastifyInstance> {
  // Forwarding headers (X-Forwarded-For/-Proto/-Host) count only when they come from a configured
  // proxy; otherwise request.ip is the socket's address, for rate limits and the audit log alike.
  const trustProxy = ctx.config.TRUST_PROXY?.length ? ctx.config.TRUST_PROXY : false;
  const app = Fastify({ loggerInstance: ctx.log as unknown as FastifyBaseLogger, trustProxy, bodyLimit: 1024 * 1024 });
  // A trusted proxy that passes on a malformed X-Forwarded-For ("unknown", "999.1.1.1", a
  // client's own junk) would make any string the client address of every rate limit, throttle
  // and audit row. Such a request is taken as coming from the proxy itself: throttled together
  // with everything else the proxy could not vouch for, and never under an invented name.
  if (trustProxy) app.addHook("onRequest", async (request) => clientAddressOrSocket(request));
  // Refused before its body was read (anywhere: panel, simulator, webhook): close, do not read on.
  app.addHook("onSend", closeIfBodyUnread);
  const warning = transportWarning(ctx.config);
  if (warning) ctx.log.warn(warning);

  // Strict headers for every page: no inline scripts or styles, no framing, nothing from elsewhere.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // HSTS only where TLS is terminated in front of us (production without the plain-HTTP opt-in).
    strictTransportSecurity: ctx.config.NODE_ENV === "production" && !ctx.config.ALLOW_INSECURE_HTTP,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: "same-origin" },
  });

  // Redis on a request path (sessions, rate limits, throttles, caches) gets its own connection
  // whose commands fail after a second: while Redis is down or restarting, staff get the
  // "briefly disturbed" page at once instead of a page that hangs for as long as the outage.
  const requestRedis = reportRedisOutages(ctx.redis.duplicate({ commandTimeout: REDIS_REQUEST_TIMEOUT_MS }), ctx.log, "requests");
  app.addHook("onClose", async () => {
    await requestRedis.quit().catch(() => requestRedis.disconnect());
  });
  // Everything else is read through to the app's context (not copied), so it stays one context.
  const requestCtx: AppContext = Object.create(ctx, { redis: { value: requestRedis, enumerable: true } });

  // Rate limits live in Redis (shared by every instance); only routes that ask for one are limited.
  // While Redis is unreachable they are skipped rather than holding every request.
  // Every limit counts a client by its IPv4 address or IPv6 /64, as the sign-in throttle does.
  await app.register(rateLimit, {
    global: false,
    redis: requestRedis,
    nameSpace: `${ctx.redisPrefix}:rl:`,
    skipOnError: true,
    keyGenerator: (r) => clientNetwork(r.ip),
  });

  // Probes with a deadline: a Redis that went away must read "down", not hang the request.
  app.get("/health", async (_req, reply) => {
    const report = await healthReport(ctx, undefined, {
      redisPrefix: ctx.redisPrefix,
      telegram: Boolean(ctx.config.TELEGRAM_BOT_TOKEN),
      whatsapp: ctx.config.WHATSAPP_ENABLED,
    });
    return reply.code(report.status === "ok" ? 200 : 503).send(report);
  });

  await app.register(adminPanel, { ctx: requestCtx, channels: opts.channels, ...opts.panel });

  return app;
}
