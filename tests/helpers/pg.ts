import pg from "pg";

/** The server tests run against (its database name is replaced per test file). */
export const baseUrl = () => process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function withDb(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function adminClient(url: string) {
  const client = new pg.Client({ connectionString: withDb(url, "postgres") });
  await client.connect();
  return client;
}
