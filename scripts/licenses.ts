// npm run licenses: writes THIRD_PARTY_LICENSES.md from the installed dependency tree (every
// package in package-lock.json, its licence read from its installed package.json, or from the
// lock for platform packages not installed here). `-- --check` only verifies: the file is current
// and every licence may be combined with Sibina's GPL-3.0-or-later. A test runs the same check.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import satisfies from "spdx-satisfies";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const NOTICE_FILE = "THIRD_PARTY_LICENSES.md";

/**
 * Licences whose code may become part of a GPL-3.0-or-later program (FSF's compatibility list).
 * An "-or-later" entry also accepts that version's "-only" (spdx-satisfies reads it as a range), so
 * GPL-2.0-or-later is left out: GPL-2.0-only cannot be combined with GPL-3.0. Review such a package.
 */
export const COMBINABLE = [
  "0BSD",
  "Apache-2.0",
  "BlueOak-1.0.0",
  "BSD-2-Clause",
  "BSD-3-Clause",
  "BSL-1.0",
  "CC0-1.0",
  "ISC",
  "MIT",
  "MIT-0",
  "MPL-2.0",
  "Unlicense",
  "Zlib",
  "LGPL-2.1-or-later",
  "LGPL-3.0-or-later",
  "GPL-3.0-or-later",
  "AGPL-3.0-or-later",
];
/** Development tools never ship with the product; their data files may carry documentation licences. */
const DEV_ONLY = [...COMBINABLE, "CC-BY-3.0", "CC-BY-4.0"];

/** Reviewed by hand. Keyed by name@version, so a new version is reviewed again. */
export const REVIEWED: Record<string, { license: string; why: string }> = {
  "seq-queue@0.0.5": { license: "MIT", why: "no licence field in package.json; its LICENSE file is the MIT licence" },
  "buffers@0.1.1": {
    license: "MIT",
    why: "no licence field; the author's (James Halliday) packages of that era are MIT/X11, the same as chainsaw's; only under exceljs's zip reader",
  },
  "png-js@2.0.0": { license: "MIT", why: "no licence field in package.json; its LICENSE file is the MIT licence (PNG decoder under pdfkit)" },
  "chainsaw@0.1.0": { license: "MIT", why: 'declares "MIT/X11", which is the MIT licence under its older name' },
  "argparse@3.0.4": {
    license: "PSF-2.0",
    why: "the Python Software Foundation licence (GPL-compatible per the FSF); development only, under js-yaml in date-holidays, which generates the bundled holiday calendar",
  },
  "elkjs@0.11.1": {
    license: "EPL-2.0",
    why: "only in Prisma Studio inside the prisma CLI, a separate program used to generate the client; never loaded by Sibina",
  },
};

export interface PackageLicence {
  name: string;
  version: string;
  license: string;
  dev: boolean;
  note?: string;
}

interface LockEntry {
  version?: string;
  license?: string;
  dev?: boolean;
  link?: boolean;
}

type Declared = string | { type?: string } | { type?: string }[] | undefined;

function declared(value: Declared): string | undefined {
  if (!value) return undefined;
  if (typeof value === "string") return value;
  if (Array.isArray(value))
    return (
      value
        .map((v) => v.type)
        .filter(Boolean)
        .join(" OR ") || undefined
    );
  return value.type;
}

/** Every package npm installs for this project, with the licence it declares. */
export function installedLicences(root = ROOT): PackageLicence[] {
  const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> };
  const seen = new Map<string, PackageLicence>();
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (!location || entry.link) continue;
    const name = location.slice(location.lastIndexOf("node_modules/") + "node_modules/".length);
    const manifest = path.join(root, location, "package.json");
    const installed = existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as { license?: Declared; licenses?: Declared }) : undefined;
    const version = entry.version ?? "?";
    let license = declared(installed?.license) ?? declared(installed?.licenses) ?? entry.license ?? "UNKNOWN";
    // Some manifests write "MIT and ISC"; SPDX operators are upper case.
    license = license.replace(/ (and|or|with) /gi, (_, op: string) => ` ${op.toUpperCase()} `);
    const reviewed = REVIEWED[`${name}@${version}`];
    const key = `${name}@${version}`;
    const previous = seen.get(key);
    const dev = entry.dev === true && (previous?.dev ?? true);
    seen.set(key, { name, version, license: reviewed?.license ?? license, dev, ...(reviewed ? { note: reviewed.why } : {}) });
  }
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** Packages whose licence is unknown or cannot be combined with GPL-3.0-or-later (and was not reviewed). */
export function problems(packages: readonly PackageLicence[]): string[] {
  return packages
    .filter((p) => !p.note)
    .filter((p) => {
      try {
        return !satisfies(p.license, p.dev ? DEV_ONLY : COMBINABLE);
      } catch {
        return true; // not a valid SPDX expression
      }
    })
    .map((p) => `${p.name}@${p.version}: ${p.license}${p.dev ? " (development only)" : ""}`);
}

function section(title: string, packages: readonly PackageLicence[]): string[] {
  const byLicence = new Map<string, PackageLicence[]>();
  for (const p of packages) byLicence.set(p.license, [...(byLicence.get(p.license) ?? []), p]);
  const lines = [`## ${title} (${packages.length} packages)`, ""];
  for (const [licence, list] of [...byLicence].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))) {
    lines.push(`### ${licence} (${list.length})`, "");
    for (const p of list) lines.push(`- ${p.name} ${p.version}${p.note ? `: ${p.note}` : ""}`);
    lines.push("");
  }
  return lines;
}

export function renderNotice(packages: readonly PackageLicence[]): string {
  return [
    "# Third-party licences",
    "",
    "Generated by `npm run licenses` from package-lock.json and the installed packages; do not edit by hand.",
    "Each package's own licence text is in its folder under `node_modules/`.",
    "",
    "Sibina is GPL-3.0-or-later (see LICENSE) because it loads `libsignal` (GPL-3.0) through Baileys.",
    "Every runtime package below may be combined with it; `npm run licenses -- --check` and",
    "tests/core/licenses.test.ts fail when one may not.",
    "",
    ...section(
      "Runtime",
      packages.filter((p) => !p.dev),
    ),
    ...section(
      "Development tools (not part of the product)",
      packages.filter((p) => p.dev),
    ),
  ].join("\n");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const packages = installedLicences();
  const found = problems(packages);
  const text = renderNotice(packages);
  const file = path.join(ROOT, NOTICE_FILE);
  if (process.argv.includes("--check")) {
    const current = existsSync(file) && readFileSync(file, "utf8") === text;
    if (!current) console.error(`${NOTICE_FILE} is out of date: run npm run licenses and commit it.`);
    for (const p of found) console.error(`✗ licence not combinable with GPL-3.0-or-later: ${p}`);
    process.exit(current && found.length === 0 ? 0 : 1);
  }
  writeFileSync(file, text);
  console.log(`${NOTICE_FILE}: ${packages.length} packages (${packages.filter((p) => !p.dev).length} runtime)`);
  for (const p of found) console.error(`✗ licence not combinable with GPL-3.0-or-later: ${p}`);
  process.exit(found.length ? 1 : 0);
}
