// The bundled list of every BPS office (BPS RI, 38 provinces, every kabupaten/kota), generated
// from idn-area-data by scripts/generate-offices.ts (ODbL 1.0; provenance inside the file).
import { readFileSync } from "node:fs";
import { z } from "zod";

const entrySchema = z.object({
  code: z.string().regex(/^\d{4}$/),
  name: z.string().min(3),
  level: z.enum(["NATIONAL", "PROVINCE", "REGENCY"]),
  parent: z
    .string()
    .regex(/^\d{4}$/)
    .nullable(),
  timeZone: z.enum(["WIB", "WITA", "WIT"]),
});
export type CatalogOffice = z.infer<typeof entrySchema>;

const fileSchema = z.object({ source: z.string(), license: z.string(), offices: z.array(entrySchema).min(1) });

let cached: { source: string; license: string; offices: CatalogOffice[]; byCode: Map<string, CatalogOffice> } | undefined;

export function officeCatalog() {
  if (!cached) {
    const file = fileSchema.parse(JSON.parse(readFileSync(new URL("./bps-offices.json", import.meta.url), "utf8")));
    cached = { ...file, byCode: new Map(file.offices.map((o) => [o.code, o])) };
  }
  return cached;
}

export const catalogOffice = (code: string): CatalogOffice | undefined => officeCatalog().byCode.get(code);

/** The office and its ancestors, top first (BPS RI, the province, the office itself). */
export function catalogChain(code: string): CatalogOffice[] {
  const chain: CatalogOffice[] = [];
  for (let o = catalogOffice(code); o; o = o.parent ? catalogOffice(o.parent) : undefined) chain.unshift(o);
  return chain;
}

/** Offices directly or indirectly below the given code. */
export function catalogDescendants(code: string): CatalogOffice[] {
  const { offices } = officeCatalog();
  const below = new Set([code]);
  const out: CatalogOffice[] = [];
  // The list is ordered top-down (national, provinces, regencies), so one pass suffices.
  for (const o of offices)
    if (o.parent && below.has(o.parent)) {
      below.add(o.code);
      out.push(o);
    }
  return out;
}
