// npm start (the Docker command) with PostgreSQL or Redis down: one clear message naming only
// the service that is down, at its real port, and a non-zero exit within 10 s; no Prisma stack
// trace and no "[ioredis] Unhandled error event" repeated forever.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { spareTcpPort } from "../helpers/redis-server.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const DATABASE_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function npmStart(env: Record<string, string>, port: number): Promise<{ code: number | null; ms: number; output: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn("npm", ["start", "--silent"], {
      cwd: new URL("../..", import.meta.url),
      env: { ...process.env, LOG_LEVEL: "warn", PORT: String(port), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      output += c.toString();
    });
    // A hang guard well past the requirement, so a hang fails with the output seen.
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, ms: Date.now() - started, output });
    });
  });
}

describe("npm start with a service down", () => {
  it("Redis down: names Redis and its port only, exits non-zero within 10 s", async () => {
    const port = await spareTcpPort();
    const r = await npmStart({ DATABASE_URL, REDIS_URL: `redis://127.0.0.1:${port}` }, await spareTcpPort());
    expect(r.code, r.output).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.output).toContain(`Redis is not reachable at 127.0.0.1:${port} (REDIS_URL)`);
    expect(r.output).toContain("--appendonly yes");
    expect(r.output).not.toContain("PostgreSQL is not reachable");
    expect(r.output).not.toContain("Unhandled error event");
    expect(r.ms, r.output).toBeLessThan(10_000);
  });

  it("PostgreSQL down: names PostgreSQL and its port only, no stack trace, exits non-zero within 10 s", async () => {
    const port = await spareTcpPort();
    const r = await npmStart({ DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/sibina`, REDIS_URL }, await spareTcpPort());
    expect(r.code, r.output).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.output).toContain(`PostgreSQL is not reachable at 127.0.0.1:${port} (DATABASE_URL)`);
    expect(r.output).not.toContain("Redis is not reachable");
    expect(r.output).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.ms, r.output).toBeLessThan(10_000);
  });
});
