// Licences: Sibina loads libsignal (GPL-3.0) through Baileys, so the whole is GPL-3.0-or-later and
// every dependency must be combinable with that. A new dependency with an unknown or incompatible
// licence fails here, and so does a THIRD_PARTY_LICENSES.md that no longer matches the tree.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { installedLicences, NOTICE_FILE, problems, renderNotice } from "../../scripts/licenses.js";

const root = new URL("../../", import.meta.url);
const packages = installedLicences();

describe("licences", () => {
  it("every installed package declares a licence that may be combined with GPL-3.0-or-later", () => {
    expect(packages.length).toBeGreaterThan(100);
    expect(packages.find((p) => p.name === "libsignal")).toMatchObject({ license: "GPL-3.0", dev: false });
    expect(problems(packages), "review the licence, then add it to COMBINABLE or REVIEWED in scripts/licenses.ts").toEqual([]);
  });

  it("rejects unknown, unparsable and GPL-incompatible licences, and accepts a compatible choice", () => {
    const pkg = (license: string, dev = false) => ({ name: "x", version: "1.0.0", license, dev });
    const rejected = ["EPL-2.0", "GPL-2.0-only", "SSPL-1.0", "UNKNOWN", "MIT and ??", "CC-BY-4.0", "MIT AND EPL-2.0"];
    expect(problems(rejected.map((l) => pkg(l)))).toHaveLength(rejected.length);
    expect(problems([pkg("MIT OR EPL-2.0"), pkg("Apache-2.0 AND LGPL-3.0-or-later"), pkg("CC-BY-3.0", true)])).toEqual([]);
  });

  it(`${NOTICE_FILE} matches the installed tree (npm run licenses regenerates it)`, async () => {
    expect(await readFile(new URL(NOTICE_FILE, root), "utf8")).toBe(renderNotice(packages));
  });

  it("the project itself is GPL-3.0-or-later, with the licence text beside it", async () => {
    const manifest = JSON.parse(await readFile(new URL("package.json", root), "utf8")) as { license: string };
    expect(manifest.license).toBe("GPL-3.0-or-later");
    const text = await readFile(new URL("LICENSE", root), "utf8");
    expect(text).toContain("GNU GENERAL PUBLIC LICENSE");
    expect(text).toContain("Version 3, 29 June 2007");
  });
});
