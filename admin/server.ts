// The Fastify app: the admin panel, the web chat simulator and the health endpoint.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { simulatorPlugin } from "../bot/channels/web/plugin.js";
import type { AppContext } from "../core/runtime/context.js";

export async function buildServer(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: ctx.log as unknown as FastifyBaseLogger, trustProxy: true, bodyLimit: 1024 * 1024 });

  app.get("/health", async (_req, reply) => {
    const [database, redis] = await Promise.all([
      ctx.db.$queryRaw`SELECT 1`.then(
        () => "ok" as const,
        () => "down" as const,
      ),
      ctx.redis.ping().then(
        () => "ok" as const,
        () => "down" as const,
      ),
    ]);
    const ok = database === "ok" && redis === "ok";
    return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "degraded", database, redis });
  });

  await app.register(simulatorPlugin, { ctx });

  return app;
}
