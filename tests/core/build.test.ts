// npm start runs the built JavaScript (dist/), not TypeScript through tsx: the build compiles,
// the built product starts and answers /health, and nothing in its process loads tsx. With
// PostgreSQL or Redis down it exits non-zero within 10 s, with one clear message naming only the
// service that is down at its real port: no Prisma stack trace, no ioredis error spam.
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

/** Runs a node script to its end; resolves with its exit code and how long it took. */
const runNode = (args: string[]) =>
  new Promise<{ code: number | null; ms: number; output: string }>((resolve) => {
    const started = Date.now();
    const proc = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    proc.stdout?.on("data", (d) => (out += d));
    proc.stderr?.on("data", (d) => (out += d));
    proc.on("exit", (code) => resolve({ code, ms: Date.now() - started, output: out }));
  });

/** How long loading the built product's modules takes on this machine right now (busy or not). */
let loadMs = 0;

// The build (tsc) is done here, with a deadline for a machine whose cores are all busy, so that
// the tests below time the product's own start, not the compiler.
beforeAll(async () => {
  t = await createTestDb(2);
  storage = await mkdtemp(path.join(tmpdir(), "sibina-build-"));
  await seedDemo(t.db, new LocalDiskStorage(storage));
  const built = await runNode(["--input-type=module", "-e", 'const b = await import("./scripts/build.mjs"); if (!b.isFresh()) b.build();']);
  expect(built.code, built.output).toBe(0);
  const loaded = await runNode(["--input-type=module", "-e", 'await import("./dist/main.js");']);
  expect(loaded.code, loaded.output).toBe(0);
  loadMs = loaded.ms;
}, 900_000);
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

  it("starts from the fresh dist/ without building again, answers /health; its process has no loader", async () => {
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
    const health = await waitForHealth(port, 240_000);
    expect(output).not.toContain("Building Sibina");
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: "ok", redis: "ok", channels: { telegram: "off", whatsapp: "off" } });
    // The running process: plain node, no --import/--loader, nothing from tsx in its environment.
    const cmdline = (await readFile(`/proc/${child.pid}/cmdline`, "utf8")).split("\0").filter(Boolean);
    expect(cmdline).toEqual([process.execPath, "scripts/start.mjs"]);
    const environ = await readFile(`/proc/${child.pid}/environ`, "utf8");
    expect(environ).not.toMatch(/tsx|--import|--loader|--experimental-loader/);
    expect(readFileSync(path.join(root, "dist/main.js"), "utf8")).toMatch(/export async function runFromCommandLine/);
  }, 300_000);
});

/** npm start (the built product) with the given services; resolves when it exits. */
function startWith(env: Record<string, string>): Promise<{ code: number | null; ms: number; output: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const proc = spawn(process.execPath, ["scripts/start.mjs"], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "test", STORAGE_DIR: storage, LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    proc.stdout?.on("data", (d) => (out += d));
    proc.stderr?.on("data", (d) => (out += d));
    // A hang guard well past the requirement, so a hang fails with what was printed.
    const guard = setTimeout(() => proc.kill("SIGKILL"), 90_000);
    proc.on("exit", (code) => {
      clearTimeout(guard);
      resolve({ code, ms: Date.now() - started, output: out });
    });
  });
}

// After the test above, dist/ is built: this measures the product's own start, not the build.
describe("npm start with a service down", () => {
  it("Redis down: names Redis and its port only, exits non-zero within 10 s", async () => {
    const redisPort = await freePort();
    const r = await startWith({ DATABASE_URL: t.url, REDIS_URL: `redis://127.0.0.1:${redisPort}`, PORT: String(await freePort()) });
    expect(r.code, r.output).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.output).toContain(`Redis is not reachable at 127.0.0.1:${redisPort} (REDIS_URL)`);
    expect(r.output).toContain("--appendonly yes");
    expect(r.output).not.toContain("PostgreSQL is not reachable");
    expect(r.output).not.toContain("Unhandled error event");
    // 10 s for the check itself, beside the time this machine needs to load the modules at all
    // (about a second when quiet; far more while other work keeps every core busy).
    expect(r.ms, `${r.output}\nmodules load in ${loadMs} ms`).toBeLessThan(10_000 + loadMs);
  });

  it("PostgreSQL down: names PostgreSQL and its port only, no stack trace, exits non-zero within 10 s", async () => {
    const pgPort = await freePort();
    const r = await startWith({
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${pgPort}/sibina`,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      PORT: String(await freePort()),
    });
    expect(r.code, r.output).not.toBe(0);
    expect(r.code).not.toBeNull();
    expect(r.output).toContain(`PostgreSQL is not reachable at 127.0.0.1:${pgPort} (DATABASE_URL)`);
    expect(r.output).not.toContain("Redis is not reachable");
    expect(r.output).not.toMatch(/\n\s+at /); // no stack trace
    // 10 s for the check itself, beside the time this machine needs to load the modules at all
    // (about a second when quiet; far more while other work keeps every core busy).
    expect(r.ms, `${r.output}\nmodules load in ${loadMs} ms`).toBeLessThan(10_000 + loadMs);
  });
});
