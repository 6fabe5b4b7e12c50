// npm run offices:generate: writes core/offices/bps-offices.json, the bundled list of every BPS
// office (BPS RI, one per province, one per kabupaten/kota), from the idn-area-data package
// (Indonesia's administrative areas per Kepmendagri; data under ODbL 1.0, code MIT). BPS office
// codes follow the same province and regency codes: province 14 → 1400, regency 14.71 → 1471.
// Run it again after updating idn-area-data; the output is committed, so the product needs no
// dev dependency at run time.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve("idn-area-data/package.json"));
const pkg = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8")) as { version: string };

// Provinces in UTC+8 (WITA) and UTC+9 (WIT), by province code (Keppres 41/1987 and later splits).
const WITA = new Set(["51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"]);
const WIT = new Set(["81", "82", "91", "92", "93", "94", "95", "96"]);
const zoneOf = (province: string) => (WIT.has(province) ? "WIT" : WITA.has(province) ? "WITA" : "WIB");

function rows(file: string): string[][] {
  const text = readFileSync(path.join(pkgDir, "data", file), "utf8").trim();
  return text
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(",").map((c) => c.trim()));
}

// Names as BPS writes them ("BPS Provinsi DKI Jakarta", "BPS Kabupaten Aceh Selatan").
const BPS_NAMES: Record<string, string> = {
  "Daerah Khusus Ibukota Jakarta": "DKI Jakarta",
  "Daerah Istimewa Yogyakarta": "DI Yogyakarta",
};
const titled = (name: string) => BPS_NAMES[name] ?? name;

const offices: { code: string; name: string; level: string; parent: string | null; timeZone: string }[] = [
  { code: "0000", name: "BPS RI", level: "NATIONAL", parent: null, timeZone: "WIB" },
];
for (const [code = "", name = ""] of rows("provinces.csv"))
  offices.push({ code: `${code}00`, name: `BPS Provinsi ${titled(name)}`, level: "PROVINCE", parent: "0000", timeZone: zoneOf(code) });
for (const [code = "", province = "", name = ""] of rows("regencies.csv"))
  offices.push({ code: code.replace(".", ""), name: `BPS ${titled(name)}`, level: "REGENCY", parent: `${province}00`, timeZone: zoneOf(province) });

const out = {
  source: `idn-area-data ${pkg.version} (https://github.com/fityannugroho/idn-area-data), provinces.csv and regencies.csv`,
  license: "Open Database License (ODbL) 1.0; this derived list is offered under the same licence",
  generatedBy: "npm run offices:generate (scripts/generate-offices.ts)",
  offices,
};
writeFileSync(
  path.join(ROOT, "core/offices/bps-offices.json"),
  `${JSON.stringify({ ...out, offices: [] }, null, 2).replace(
    '"offices": []',
    `"offices": [\n${offices
      .map(
        (o) =>
          `    { ${Object.entries(o)
            .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
            .join(", ")} }`,
      )
      .join(",\n")}\n  ]`,
  )}\n`,
);
console.log(`${offices.length} offices written to core/offices/bps-offices.json`);
