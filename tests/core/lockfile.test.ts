// `npm ci` (fresh clones, CI, the Docker image) accepts package-lock.json only when it has an entry
// for every optional platform package, even those for other systems. A registry mirror that lacks
// one makes npm leave it out silently; these checks catch it before a fresh clone does.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

interface LockEntry {
  version?: string;
  integrity?: string;
  link?: boolean;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(await readFile(new URL("../../package-lock.json", import.meta.url), "utf8")) as { packages: Record<string, LockEntry> };

describe("package-lock.json", () => {
  it("locks every optional dependency, so npm ci accepts it on any platform", () => {
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
    expect(missing, "the registry lacks these optional packages: pin the parent with an override (README: Dependencies)").toEqual([]);
  });

  it("was written by npm: every package has an integrity hash (no hand-added entries)", () => {
    const handMade = Object.entries(lock.packages)
      .filter(([location, entry]) => location !== "" && !entry.link && !entry.integrity)
      .map(([location]) => location);
    expect(handMade, "regenerate the lock: rm -rf node_modules package-lock.json && npm install").toEqual([]);
  });
});
