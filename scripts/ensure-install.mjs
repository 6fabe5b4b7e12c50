// First step of `npm run demo` and `npm test`: install dependencies when they are missing or
// stale, so both commands work on a fresh clone. Plain JS: it runs before tsx exists.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";

const [major, minor] = process.versions.node.split(".").map(Number);
// Same range as "engines" in package.json (require() of ES modules works from these on).
if (major < 20 || (major === 20 && minor < 19) || major === 21 || (major === 22 && minor < 12)) {
  console.error(`Sibina needs Node.js 20.19+ or 22.12+ (this is ${process.versions.node}).`);
  process.exit(1);
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const installed = mtime("node_modules/.package-lock.json");
const stale = installed === 0 || mtime("package-lock.json") > installed || mtime("package.json") > installed;
if (stale) {
  console.log("Installing dependencies (npm ci)…");
  // npm ci only: it installs exactly the lock or fails. Falling back to npm install would
  // rewrite package-lock.json behind the developer's (or CI's) back.
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(
      "npm ci failed. If it says package.json and package-lock.json are out of sync, run npm install, review and commit the lock (README: Dependencies).",
    );
    process.exit(r.status ?? 1);
  }
}
if (!existsSync("core/db/generated/client.ts") || mtime("prisma/schema.prisma") > mtime("core/db/generated/client.ts")) {
  const r = spawnSync("node", ["scripts/postinstall.mjs"], { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
