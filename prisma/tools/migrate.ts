// npm run db:migrate: apply pending migrations (offline, recorded in _prisma_migrations).
import { config } from "../../core/config.js";
import { exitUnlessServicesUp } from "../../core/runtime/health.js";
import { migrate } from "./migrations.js";

const { DATABASE_URL } = config();
await exitUnlessServicesUp(DATABASE_URL, null, "npm run db:migrate");
const applied = await migrate(DATABASE_URL);
console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
