// `npm ci` (fresh clones, CI, the Docker image) accepts package-lock.json only when it has an entry
// for every optional platform package, even those for other systems. A registry mirror that lacks
// some of them silently leaves them out; this catches it before a fresh clone does.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}

describe("package-lock.json", () => {
  it("locks every optional dependency, so npm ci accepts it on any platform", async () => {
    const lock = JSON.parse(await readFile(new URL("../../package-lock.json", import.meta.url), "utf8")) as { packages: Record<string, LockEntry> };
    const missing: string[] = [];
    for (const [location, entry] of Object.entries(lock.packages)) {
      for (const [dep, range] of Object.entries(entry.optionalDependencies ?? {})) {
        // Node resolves from the package's own node_modules upwards to the root.
        const parts = location ? location.split("/node_modules/") : [];
        const candidates = parts.map((_, i) => `${parts.slice(0, parts.length - i).join("/node_modules/")}/node_modules/${dep}`);
        candidates.push(`node_modules/${dep}`);
        if (!candidates.some((c) => lock.packages[c])) missing.push(`${dep}@${range} (needed by ${location || "the root"})`);
      }
    }
    expect(missing, "add them to package-lock.json (version, os, cpu, optional: true) or npm ci fails").toEqual([]);
  });
});
