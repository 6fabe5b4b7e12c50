// The Fastify app: the admin panel, the web chat simulator and the health endpoint.
// Other parts of the product register their routes here, one line each.
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { simulatorPlugin } from "../bot/channels/web/plugin.js";
import type { AppContext } from "../core/runtime/context.js";
import { healthReport } from "../core/runtime/health.js";
import { adminPanel, type PanelOptions } from "./panel.js";

export interface ServerOptions {
  panel?: Omit<PanelOptions, "ctx">;
}

export async function buildServer(ctx: AppContext, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: ctx.log as unknown as FastifyBaseLogger, trustProxy: true, bodyLimit: 1024 * 1024 });

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
    // HSTS only where TLS is terminated in front of us (production).
    strictTransportSecurity: ctx.config.NODE_ENV === "production",
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: "same-origin" },
  });

  // Rate limits live in Redis (shared by every instance); only routes that ask for one are limited.
  await app.register(rateLimit, { global: false, redis: ctx.redis, nameSpace: `${ctx.redisPrefix}:rl:` });

  // Probes with a deadline: a Redis that went away must read "down", not hang the request.
  app.get("/health", async (_req, reply) => {
    const report = await healthReport(ctx);
    return reply.code(report.status === "ok" ? 200 : 503).send(report);
  });

  await app.register(adminPanel, { ctx, ...opts.panel });
  await app.register(simulatorPlugin, { ctx });

  return app;
}
