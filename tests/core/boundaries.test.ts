// The architecture's import rules (.dependency-cruiser.cjs): admin/ and bot/ never import each
// other, core/ stays free of frameworks, nothing imports main.ts, and there are no cycles.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

function cruise(): Violation[] {
  const r = spawnSync(
    process.execPath,
    [
      "node_modules/dependency-cruiser/bin/dependency-cruise.mjs",
      "--config",
      ".dependency-cruiser.cjs",
      "--output-type",
      "json",
      "main.ts",
      "admin",
      "bot",
      "core",
    ],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0 && !r.stdout) throw new Error(`dependency-cruiser did not run: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { summary: { violations: Violation[]; totalCruised: number } };
  expect(out.summary.totalCruised).toBeGreaterThan(100);
  return out.summary.violations;
}

describe("import boundaries", () => {
  it("has no arrow between admin/ and bot/, none out of core/, none into main.ts, and no cycles", () => {
    const violations = cruise().map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(violations).toEqual([]);
  });
});
