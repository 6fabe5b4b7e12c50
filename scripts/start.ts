// npm start (and the Docker command): the product only. Checks PostgreSQL and Redis first, as
// npm run demo does, so a service that is down gives one clear message and a non-zero exit
// within seconds, before the product (and its reconnecting clients) is even loaded.
import { ConfigError, config } from "../core/config.js";
import { exitUnlessServicesUp } from "../core/runtime/health.js";

try {
  const cfg = config();
  await exitUnlessServicesUp(cfg.DATABASE_URL, cfg.REDIS_URL, process.env.npm_lifecycle_event === "start" ? "npm start" : "the app");
  const { start } = await import("../main.js");
  const running = await start();
  console.log(`Sibina is running at ${running.url}`);
  for (const n of running.notes) console.log(n);
  const shutdown = () => running.stop().then(() => process.exit(0));
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
