// Small run-time settings kept in the Setting table (admins change them in the panel).
import { z } from "zod";
import type { Db } from "../db/client.js";
import type { Role } from "../db/generated/enums.js";
import { ROLES } from "../reference/index.js";

const TOTP_ROLES_KEY = "security.totpRequiredRoles";
const roleList = z.array(z.enum(ROLES.map((r) => r.code) as [Role, ...Role[]]));

/** Roles whose members must use two-factor sign-in. */
export async function totpRequiredRoles(db: Db): Promise<Role[]> {
  const row = await db.setting.findUnique({ where: { key: TOTP_ROLES_KEY } });
  const parsed = roleList.safeParse(row?.value ?? []);
  return parsed.success ? parsed.data : [];
}

export async function setTotpRequiredRoles(db: Db, roles: readonly Role[]): Promise<Role[]> {
  const value = [...new Set(roleList.parse(roles))];
  await db.setting.upsert({ where: { key: TOTP_ROLES_KEY }, create: { key: TOTP_ROLES_KEY, value }, update: { value } });
  return value;
}

/** True when any of the user's roles requires two-factor sign-in. */
export const totpRequiredFor = (userRoles: readonly Role[], required: readonly Role[]) => userRoles.some((r) => required.includes(r));
