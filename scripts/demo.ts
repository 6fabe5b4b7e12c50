// npm run demo: check services, create and migrate the database, seed it when empty,
// then start the product and print where to find it and how to log in.
import { ConfigError, config } from "../core/config.js";
import { createDb } from "../core/db/client.js";
import { exitUnlessServicesUp } from "../core/runtime/health.js";
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from "../prisma/seed-data.js";
import { migrate } from "../prisma/tools/migrations.js";

try {
  const cfg = config();
  await exitUnlessServicesUp(cfg.DATABASE_URL, cfg.REDIS_URL, "npm run demo");
  const applied = await migrate(cfg.DATABASE_URL);
  if (applied.length) console.log(`Migrated: ${applied.join(", ")}`);
  const db = createDb(cfg.DATABASE_URL);
  const seeded = await seedDemo(db);
  await db.$disconnect();
  if (seeded.seeded) console.log("Demo data loaded.");

  const { start } = await import("../main.js");
  const running = await start();
  console.log(`\nSibina is running at ${running.url}`);
  console.log(`  Health:     ${running.url}/health`);
  for (const n of running.notes) console.log(`  ${n}`);
  console.log(`\nDemo logins (password for all: ${DEMO_PASSWORD}; demo only, never use in production):`);
  for (const u of DEMO_USERS) console.log(`  ${u.roles.join("+").padEnd(18)} ${u.email}`);
  console.log("\nPress Ctrl+C to stop.");
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
