// Each test file gets its own real PostgreSQL database, cloned from the migrated template.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { createDb, type Db } from "../../core/db/client.js";
import { dropDatabase } from "../../prisma/tools/migrations.js";
import { adminClient, baseUrl, withDb } from "./pg.js";

export interface TestDb {
  db: Db;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDb(poolSize = 10): Promise<TestDb> {
  const template = inject("templateDb");
  const name = `${inject("runId")}_${randomBytes(4).toString("hex")}`;
  const admin = await adminClient(baseUrl());
  try {
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const url = withDb(baseUrl(), name);
  const db = createDb(url, poolSize);
  return {
    db,
    url,
    async drop() {
      await db.$disconnect();
      await dropDatabase(url);
    },
  };
}

/** A unique Redis key prefix per test file, so parallel files never share queues or locks. */
export const testRedisPrefix = () => `sibina-test:${inject("runId")}:${randomBytes(3).toString("hex")}`;
