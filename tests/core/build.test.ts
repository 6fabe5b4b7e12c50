// npm start runs the built JavaScript (dist/), not TypeScript through tsx: the build compiles,
// the built product starts and answers /health, and nothing in its process loads tsx.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalDiskStorage } from "../../core/storage/index.js";
import { seedDemo } from "../../prisma/seed-data.js";
import { createTestDb, type TestDb, testRedisPrefix } from "../helpers/db.js";

const root = path.resolve(import.meta.dirname, "../..");
let t: TestDb;
let storage: string;
let child: ChildProcess | undefined;
let output = "";

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function waitForHealth(port: number, deadlineMs: number): Promise<Response> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fetch(`http://127.0.0.1:${port}/health`);
    } catch (e) {
      if (Date.now() > until || child?.exitCode != null) throw new Error(`the built product did not answer: ${output.slice(-2000)}`, { cause: e });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

beforeAll(async () => {
  t = await createTestDb(2);
  storage = await mkdtemp(path.join(tmpdir(), "sibina-build-"));
  await seedDemo(t.db, new LocalDiskStorage(storage));
});
afterAll(async () => {
  child?.kill("SIGKILL");
  await t.drop();
  await rm(storage, { recursive: true, force: true });
});

describe("npm start", () => {
  it("is plain node on the built output, no tsx", () => {
    const scripts = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe("node scripts/start.mjs");
    expect(readFileSync(path.join(root, "scripts/start.mjs"), "utf8")).not.toMatch(/tsx/);
  });

  it("builds when needed, starts from dist/ and answers /health; its process has no loader", async () => {
    const port = await freePort();
    child = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: "test",
        DATABASE_URL: t.url,
        REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
        REDIS_PREFIX: testRedisPrefix(),
        STORAGE_DIR: storage,
        PORT: String(port),
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d) => (output += d));
    child.stderr?.on("data", (d) => (output += d));
    const health = await waitForHealth(port, 150_000);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: "ok", redis: "ok" });
    // The running process: plain node, no --import/--loader, nothing from tsx in its environment.
    const cmdline = (await readFile(`/proc/${child.pid}/cmdline`, "utf8")).split("\0").filter(Boolean);
    expect(cmdline).toEqual([process.execPath, "scripts/start.mjs"]);
    const environ = await readFile(`/proc/${child.pid}/environ`, "utf8");
    expect(environ).not.toMatch(/tsx|--import|--loader|--experimental-loader/);
    expect(readFileSync(path.join(root, "dist/main.js"), "utf8")).toMatch(/export async function runFromCommandLine/);
  });
});
