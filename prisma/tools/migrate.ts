// npm run db:migrate: apply pending migrations (offline, recorded in _prisma_migrations).
import { config } from "../../core/config.js";
import { migrate } from "./migrations.js";

const applied = await migrate(config().DATABASE_URL);
console.log(applied.length ? `Applied: ${applied.join(", ")}` : "Database is up to date.");
