// The product's HTTP server in a process of its own, so a test can watch its memory (RSS)
// while clients post to it. Not a test file: tests/admin/upload-memory.test.ts starts it with
// its database, storage and Redis prefix, and asks for memory figures over IPC.

import { parseConfig } from "../../../core/config.js";
import { createContext } from "../../../core/runtime/context.js";
import { buildApp } from "../../../main.js";

const env = process.env;
const ctx = await createContext(parseConfig({ ...env, NODE_ENV: "test", LOG_LEVEL: env.PANEL_LOG ?? "silent" }), { redisPrefix: env.PANEL_PREFIX! });
const app = await buildApp(ctx);
await app.listen({ host: "127.0.0.1", port: 0 });

// RSS sampled often, so a short spike between two questions is not missed.
let peak = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 10);

process.on("message", (msg: { type: string }) => {
  if (msg.type === "settle") {
    // A collection before the baseline, so garbage from warming up is not counted against us.
    (globalThis as { gc?: () => void }).gc?.();
    peak = process.memoryUsage().rss;
    process.send?.({ type: "memory", rss: peak, peak });
  } else if (msg.type === "memory") {
    const rss = process.memoryUsage().rss;
    process.send?.({ type: "memory", rss, peak: Math.max(peak, rss) });
  } else if (msg.type === "stop") {
    clearInterval(sampler);
    void app.close().then(async () => {
      ctx.redis.disconnect();
      await ctx.db.$disconnect();
      process.exit(0);
    });
  }
});
process.send?.({ type: "ready", port: (app.server.address() as { port: number }).port });
