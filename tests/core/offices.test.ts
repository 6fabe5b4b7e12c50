// The bundled list of BPS offices (generated from idn-area-data): codes, parents and time zones.
import { describe, expect, it } from "vitest";
import { catalogChain, catalogDescendants, catalogOffice, officeCatalog } from "../../core/offices/catalog.js";

describe("bundled BPS offices", () => {
  it("has BPS RI, the 38 provinces and every kabupaten/kota, with their source recorded", () => {
    const { offices, source, license } = officeCatalog();
    expect(offices.filter((o) => o.level === "NATIONAL").map((o) => o.code)).toEqual(["0000"]);
    expect(offices.filter((o) => o.level === "PROVINCE")).toHaveLength(38);
    expect(offices.filter((o) => o.level === "REGENCY").length).toBe(514);
    expect(source).toContain("idn-area-data");
    expect(license).toContain("ODbL");
    expect(new Set(offices.map((o) => o.code)).size).toBe(offices.length);
    for (const o of offices) if (o.parent) expect(catalogOffice(o.parent), o.code).toBeDefined();
  });

  it("knows known codes, names and time zones", () => {
    expect(catalogOffice("1400")).toMatchObject({ name: "BPS Provinsi Riau", level: "PROVINCE", parent: "0000", timeZone: "WIB" });
    expect(catalogOffice("1471")).toMatchObject({ name: "BPS Kota Pekanbaru", level: "REGENCY", parent: "1400", timeZone: "WIB" });
    expect(catalogOffice("9100")).toMatchObject({ name: "BPS Provinsi Papua", timeZone: "WIT" });
    expect(catalogOffice("9171")).toMatchObject({ name: "BPS Kota Jayapura", parent: "9100", timeZone: "WIT" });
    expect(catalogOffice("5100")).toMatchObject({ name: "BPS Provinsi Bali", timeZone: "WITA" });
    expect(catalogOffice("5171")).toMatchObject({ name: "BPS Kota Denpasar", timeZone: "WITA" });
    expect(catalogOffice("7300")).toMatchObject({ name: "BPS Provinsi Sulawesi Selatan", timeZone: "WITA" });
    expect(catalogOffice("8100")).toMatchObject({ name: "BPS Provinsi Maluku", timeZone: "WIT" });
    expect(catalogOffice("3100")).toMatchObject({ name: "BPS Provinsi DKI Jakarta", timeZone: "WIB" });
    expect(catalogOffice("6100")).toMatchObject({ name: "BPS Provinsi Kalimantan Barat", timeZone: "WIB" });
    expect(catalogOffice("6400")).toMatchObject({ name: "BPS Provinsi Kalimantan Timur", timeZone: "WITA" });
    expect(catalogOffice("9999")).toBeUndefined();
  });

  it("walks up and down the tree", () => {
    expect(catalogChain("1471").map((o) => o.code)).toEqual(["0000", "1400", "1471"]);
    const riau = catalogDescendants("1400").map((o) => o.code);
    expect(riau).toContain("1471");
    expect(riau).toContain("1472"); // Kota Dumai by the Kemendagri code (BPS writes 1473; see the README)
    expect(riau.every((c) => c.startsWith("14"))).toBe(true);
    expect(catalogDescendants("0000")).toHaveLength(552);
  });
});
