// The Fastify app: the admin panel, the web chat simulator and the health endpoint.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { simulatorPlugin } from "../bot/channels/web/plugin.js";
import type { AppContext } from "../core/runtime/context.js";
import { healthReport } from "../core/runtime/health.js";

export async function buildServer(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: ctx.log as unknown as FastifyBaseLogger, trustProxy: true, bodyLimit: 1024 * 1024 });

  // Probes with a deadline: a Redis that went away must read "down", not hang the request.
  app.get("/health", async (_req, reply) => {
    const report = await healthReport(ctx);
    return reply.code(report.status === "ok" ? 200 : 503).send(report);
  });

  await app.register(simulatorPlugin, { ctx });

  return app;
}
