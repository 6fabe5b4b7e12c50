// npm test: lint, type-check, then the whole vitest suite against the real PostgreSQL,
// Redis, Telegram emulator and Chromium. Fails loudly when a service is missing; never skips.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { START_HINTS, serviceProblems } from "../core/runtime/health.js";

const run = (label: string, cmd: string, args: string[]) => {
  const started = Date.now();
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, NODE_ENV: "test" } });
  console.log(`  ${label}: ${r.status === 0 ? "ok" : "FAILED"} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (r.status !== 0) process.exit(r.status ?? 1);
};

console.log(`npm test on Node ${process.version} (${process.platform}-${process.arch})`);
const problems = await serviceProblems(
  process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
  process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
);
if (problems.length) {
  console.error("The test suite needs PostgreSQL and Redis running:");
  for (const p of problems) console.error(`✗ ${p}`);
  console.error(`\n${START_HINTS.both}`);
  process.exit(1);
}

// Browser tests drive Debian's Chromium; install it when missing and we are allowed to.
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  if (process.getuid?.() === 0) {
    run("install Chromium (apt)", "bash", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null"]);
  } else {
    console.error(
      `Chromium is needed for the browser tests and was not found at ${chromium}. Install it (sudo apt-get install chromium) or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
}

run("lint and format (biome)", "npx", ["--no-install", "biome", "check", "."]);
run("type-check (tsc)", "npx", ["--no-install", "tsc", "--noEmit"]);
// A JSON report beside the console one gives the closing "N passed, N failed" line.
const reportDir = mkdtempSync(path.join(tmpdir(), "sibina-vitest-"));
const report = path.join(reportDir, "report.json");
const summarise = () => {
  if (!existsSync(report)) return;
  const r = JSON.parse(readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
  rmSync(reportDir, { recursive: true, force: true });
};
process.on("exit", summarise);
run("tests (vitest)", "npx", [
  "--no-install",
  "vitest",
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
]);
