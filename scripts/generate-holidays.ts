// npm run holidays:generate: writes core/calendar/holidays-id.json, Indonesia's national public
// holidays (libur nasional) for the years below, from the date-holidays package (holiday data
// CC-BY-3.0, code ISC; a development dependency only). Cuti bersama is set by decree each year
// and kept by admins in the panel instead. Islamic holidays follow the package's calendar
// computation; when the government's decree differs, add the day as cuti bersama or regenerate.
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import Holidays from "date-holidays";

const FIRST = 2024;
const LAST = 2040;
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(import.meta.url);
const pkg = require("date-holidays/package.json") as { version: string };

const hd = new Holidays("ID");
const days = new Map<string, string>();
// The package's Indonesian names, corrected where they are wrong (3.37.0 calls Isra Mi'raj "Maulid Nabi Muhammad").
const NAME_FIXES: Record<string, string> = { "Laylat al-Mi'raj": "Isra Mi'raj Nabi Muhammad" };
for (let year = FIRST; year <= LAST; year++) {
  const english = hd.getHolidays(year, "en");
  for (const [i, h] of hd.getHolidays(year, "id").entries()) {
    if (h.type !== "public") continue;
    const date = h.date.slice(0, 10); // the wall-clock day in Indonesia (Islamic days begin at sunset before)
    const name = NAME_FIXES[english[i]?.name ?? ""] ?? h.name;
    days.set(date, days.has(date) ? `${days.get(date)} / ${name}` : name);
  }
}
const holidays = [...days].sort(([a], [b]) => a.localeCompare(b)).map(([date, name]) => ({ date, name }));
const out = {
  source: `date-holidays ${pkg.version} (https://github.com/commenthol/date-holidays), country ID, type "public"`,
  license: "Holiday data CC-BY-3.0 (date-holidays contributors); code ISC",
  generatedBy: "npm run holidays:generate (scripts/generate-holidays.ts)",
  years: `${FIRST}-${LAST}`,
  holidays,
};
const lines = holidays.map((h) => `    { "date": ${JSON.stringify(h.date)}, "name": ${JSON.stringify(h.name)} }`).join(",\n");
const json = JSON.stringify({ ...out, holidays: [] }, null, 2).replace('"holidays": []', `"holidays": [\n${lines}\n  ]`);
writeFileSync(`${ROOT}core/calendar/holidays-id.json`, `${json}\n`);
console.log(`${holidays.length} holidays ${FIRST}–${LAST} written to core/calendar/holidays-id.json`);
