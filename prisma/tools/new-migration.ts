// npm run db:migration -- <name>: write the next migration from changes to schema.prisma.
import { config } from "../../core/config.js";
import { createMigration } from "./migrations.js";

const name = process.argv.slice(2).join(" ").trim();
if (!name) {
  console.error("Usage: npm run db:migration -- <name>   (e.g. add_module_language)");
  process.exit(1);
}
const dir = await createMigration(config().DATABASE_URL, name);
console.log(dir ? `Created ${dir}/migration.sql. Review it, then run npm run db:migrate.` : "schema.prisma matches the migrations: nothing to create.");
