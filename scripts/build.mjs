// npm run build: compiles the product to plain JavaScript in dist/ (tsc), and copies what the
// code reads from disk beside it (views, browser assets, migrations, data files), so that
// `npm start` and the Docker image run without tsx. Plain JS: it runs before anything is built.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist");
/** Folders compiled into dist/; their non-TypeScript files are copied as they are. */
export const SOURCE_DIRS = ["admin", "bot", "core", "prisma"];
export const STAMP = path.join(out, ".built");

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

/** Newest modification time of anything the build reads. */
export function newestSource() {
  let newest = 0;
  for (const f of ["main.ts", "package-lock.json", "tsconfig.json", "tsconfig.build.json"]) newest = Math.max(newest, statSync(path.join(root, f)).mtimeMs);
  for (const dir of SOURCE_DIRS) for (const f of files(path.join(root, dir))) newest = Math.max(newest, statSync(f).mtimeMs);
  return newest;
}

export const isFresh = () => existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSource();

export function build() {
  const started = Date.now();
  rmSync(out, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-p", path.join(root, "tsconfig.build.json")], {
    stdio: "inherit",
  });
  if (tsc.status !== 0) throw new Error("the TypeScript build failed (see above)");
  for (const dir of SOURCE_DIRS) {
    for (const f of files(path.join(root, dir))) {
      if (f.endsWith(".ts")) continue;
      const target = path.join(out, path.relative(root, f));
      mkdirSync(path.dirname(target), { recursive: true });
      cpSync(f, target);
    }
  }
  writeFileSync(STAMP, new Date().toISOString());
  return Date.now() - started;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ms = build();
  console.log(`Built dist/ in ${(ms / 1000).toFixed(1)} s.`);
}
