// First step of `npm run demo` and `npm test`: install dependencies when they are missing or
// stale, so both commands work on a fresh clone. Plain JS: it runs before tsx exists.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Sibina needs Node.js 20.19 or newer (this is ${process.versions.node}).`);
  process.exit(1);
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const installed = mtime("node_modules/.package-lock.json");
const stale = installed === 0 || mtime("package-lock.json") > installed || mtime("package.json") > installed;
if (stale) {
  console.log("Installing dependencies (npm ci)…");
  let r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (r.status !== 0) {
    // npm ci refuses a lock file that misses some platform's optional package (a registry mirror
    // may not serve them all); npm install still installs the locked versions.
    console.log("npm ci failed; trying npm install (same locked versions)…");
    r = spawnSync("npm", ["install", "--no-audit", "--no-fund"], { stdio: "inherit" });
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}
if (!existsSync("core/db/generated/client.ts") || mtime("prisma/schema.prisma") > mtime("core/db/generated/client.ts")) {
  const r = spawnSync("node", ["scripts/postinstall.mjs"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
