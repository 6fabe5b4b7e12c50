// Small builders for test data, on top of the demo offices (seeded per test database).

import type { StaffActor } from "../../core/access/index.js";
import { hashPassword } from "../../core/auth/password.js";
import type { Db } from "../../core/db/client.js";
import type { Role } from "../../core/db/generated/enums.js";
import { DomainError } from "../../core/errors.js";
import type { RequestInput } from "../../core/validation/request.js";

export async function seedOffices(db: Db) {
  const ri = await db.office.create({ data: { code: "0000", name: "BPS RI", level: "NATIONAL", timeZone: "WIB" } });
  const riau = await db.office.create({ data: { code: "1400", name: "BPS Provinsi Riau", level: "PROVINCE", parentId: ri.id, timeZone: "WIB" } });
  const pekanbaru = await db.office.create({ data: { code: "1471", name: "BPS Kota Pekanbaru", level: "REGENCY", parentId: riau.id, timeZone: "WIB" } });
  const sulsel = await db.office.create({
    data: { code: "7300", name: "BPS Provinsi Sulawesi Selatan", level: "PROVINCE", parentId: ri.id, timeZone: "WITA" },
  });
  const papua = await db.office.create({ data: { code: "9400", name: "BPS Provinsi Papua", level: "PROVINCE", parentId: ri.id, timeZone: "WIT" } });
  return { ri, riau, pekanbaru, sulsel, papua };
}

let passwordHash: string | undefined;
export async function makeUser(db: Db, officeId: string, roles: Role[], name = roles.join("-").toLowerCase()) {
  passwordHash ??= await hashPassword("test-password-123");
  const email = `${name}-${Math.random().toString(36).slice(2, 8)}@test.local`;
  return db.user.create({ data: { email, name, roles, officeId, passwordHash } });
}

export const actorOf = (u: { id: string; roles: Role[]; officeId: string }): StaffActor => ({ userId: u.id, roles: u.roles, officeId: u.officeId });

export function requestInput(overrides: Partial<RequestInput> = {}): RequestInput {
  const start = new Date(Date.now() + 10 * 24 * 3600_000);
  return {
    requesterName: "Siddik Pratama",
    requesterPhone: "0812-3456-7890",
    requesterEmail: "siddik@riau.go.id",
    agencyName: "Dinas Kominfo Provinsi Riau",
    agencyLevel: "PROVINCE",
    isDataProducer: true,
    serviceType: "DIKLAT_BIMTEK",
    topics: ["SATU_DATA"],
    description: "Bimbingan teknis metadata statistik sektoral.",
    location: "Aula Diskominfo, Pekanbaru",
    mode: "OFFLINE",
    startAt: start,
    endAt: new Date(start.getTime() + 3 * 3600_000),
    picName: "Siddik Pratama",
    picPhone: "0812-3456-7890",
    ...overrides,
  };
}

/** The DomainError code a call fails with, or "OK" when it succeeds (other errors propagate). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return "OK";
}
