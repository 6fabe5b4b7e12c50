// Small run-time settings kept in the Setting table (admins change them in the panel).
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { StaffActor } from "../access/index.js";
import { auditIn } from "../audit/service.js";
import type { Db } from "../db/client.js";
import type { Role } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { can } from "../permissions.js";
import { ROLES } from "../reference/index.js";

const TOTP_ROLES_KEY = "security.totpRequiredRoles";
const roleList = z.array(z.enum(ROLES.map((r) => r.code) as [Role, ...Role[]]));

/** Roles whose members must use two-factor sign-in. */
export async function totpRequiredRoles(db: Db): Promise<Role[]> {
  const row = await db.setting.findUnique({ where: { key: TOTP_ROLES_KEY } });
  const parsed = roleList.safeParse(row?.value ?? []);
  return parsed.success ? parsed.data : [];
}

export async function setTotpRequiredRoles(db: Db, actor: StaffActor, roles: readonly Role[]): Promise<Role[]> {
  if (!can(actor.roles, "user.manage")) throw new DomainError("FORBIDDEN", "error.forbidden");
  const value = [...new Set(roleList.parse(roles))];
  return db.$transaction(async (tx) => {
    const before = roleList.safeParse((await tx.setting.findUnique({ where: { key: TOTP_ROLES_KEY } }))?.value ?? []);
    await tx.setting.upsert({ where: { key: TOTP_ROLES_KEY }, create: { key: TOTP_ROLES_KEY, value }, update: { value } });
    await auditIn(tx, actor, "settings.totpRoles", "Setting", TOTP_ROLES_KEY, { totpRequiredRoles: { from: before.success ? before.data : [], to: value } });
    return value;
  });
}

/** True when any of the user's roles requires two-factor sign-in. */
export const totpRequiredFor = (userRoles: readonly Role[], required: readonly Role[]) => userRoles.some((r) => required.includes(r));

const INSTANCE_KEY = "instance.id";

/**
 * This database's own identity: a random id written by a migration (created here if missing)
 * and PostgreSQL's object id of the database, which a copy (CREATE DATABASE ... TEMPLATE, a
 * restore into a new database) or a drop-and-recreate never keeps. Caches outside the database
 * (Redis) put it in their keys, so another or a reset database never sees figures of other data.
 */
export async function databaseInstanceId(db: Db): Promise<string> {
  const read = () =>
    db.$queryRaw<{ value: unknown; oid: number }[]>`
      SELECT s."value", d."oid"::int AS "oid" FROM "Setting" s, pg_database d
      WHERE s."key" = ${INSTANCE_KEY} AND d."datname" = current_database()`;
  let rows = await read();
  if (rows.length === 0) {
    await db.setting.createMany({ data: [{ key: INSTANCE_KEY, value: randomUUID() }], skipDuplicates: true });
    rows = await read();
  }
  return `${String(rows[0]!.value)}.${rows[0]!.oid}`;
}
