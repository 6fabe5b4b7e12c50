// Runs once per `vitest` run: checks the real services (failing loudly, never skipping),
// then builds a migrated template database that each test file clones in milliseconds.
import type { TestProject } from "vitest/node";
import { serviceProblems } from "../../core/runtime/health.js";
import { createDatabaseIfMissing, dropDatabase, migrate } from "../../prisma/tools/migrations.js";
import { adminClient, baseUrl, withDb } from "./pg.js";

export default async function setup(project: TestProject) {
  const base = baseUrl();
  const problems = await serviceProblems(base, process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  if (problems.length) throw new Error(`The test suite needs the real services:\n${problems.join("\n")}`);
  const run = `sibina_t${Date.now().toString(36)}${process.pid}`;
  const template = withDb(base, `${run}_tpl`);
  await createDatabaseIfMissing(template);
  await migrate(template);
  project.provide("templateDb", `${run}_tpl`);
  project.provide("runId", run);
  return async () => {
    const admin = await adminClient(base);
    try {
      const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${run}%`]);
      for (const r of rows) await dropDatabase(withDb(base, r.datname));
    } finally {
      await admin.end();
    }
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    templateDb: string;
    runId: string;
  }
}
