// npm run db:seed: load the demo data (only into an empty database).
import { config } from "../core/config.js";
import { createDb } from "../core/db/client.js";
import { seedDemo } from "./seed-data.js";

const db = createDb(config().DATABASE_URL);
const result = await seedDemo(db);
await db.$disconnect();
console.log(result.seeded ? "Demo data loaded." : "Database already has data: seeding skipped.");
