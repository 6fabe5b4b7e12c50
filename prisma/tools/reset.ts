// npm run db:reset: drop the database, migrate it from scratch and load the demo data.
import { config } from "../../core/config.js";
import { createDb } from "../../core/db/client.js";
import { seedDemo } from "../seed-data.js";
import { dropDatabase, migrate } from "./migrations.js";

const url = config().DATABASE_URL;
await dropDatabase(url);
await migrate(url);
const db = createDb(url);
await seedDemo(db);
await db.$disconnect();
console.log("Database reset and seeded.");
