// Staff accounts: sign-in with lockout, and the admin's user management (SPEKTRAL 4.2.4).
import { randomInt } from "node:crypto";
import { z } from "zod";
import { hashPassword, verifyPassword } from "../auth/password.js";
import type { Db } from "../db/client.js";
import type { Role } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { ROLES } from "../reference/index.js";
import { visibleOfficeIds } from "../requests/service.js";
import { emailSchema, nipSchema, phoneSchema } from "../validation/identity.js";
import { LIMITS, lineText } from "../validation/text.js";

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MS = 15 * 60_000;
export const MIN_PASSWORD = 10;

const roleCodes = ROLES.map((r) => r.code) as [Role, ...Role[]];
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());

export const userInputSchema = z.object({
  name: lineText(3, LIMITS.name),
  email: emailSchema,
  nip: optional(nipSchema),
  position: optional(lineText(2, 150)),
  officeId: z.uuid(),
  whatsapp: optional(phoneSchema),
  roles: z.array(z.enum(roleCodes)).max(roleCodes.length),
  locale: z.enum(["id", "en"]).default("id"),
});
export type UserInput = z.infer<typeof userInputSchema>;

export const passwordSchema = z.string().min(MIN_PASSWORD, { message: "too_short" }).max(200, { message: "too_long" });

// A real hash of a random password, so unknown emails take as long as wrong passwords.
let decoyHash: Promise<string> | undefined;
const decoy = () => {
  decoyHash ??= hashPassword(`decoy-${randomInt(1e9)}`);
  return decoyHash;
};

export type AuthResult =
  | { ok: true; user: { id: string; roles: Role[]; totpEnabled: boolean; totpSecret: string | null; locale: string } }
  | { ok: false; reason: "invalid" | "locked"; lockedUntil?: Date };

/** Checks email and password, counting failures; five in a row lock the account for 15 minutes. */
export async function authenticate(db: Db, emailInput: string, password: string, now = new Date()): Promise<AuthResult> {
  const email = emailSchema.safeParse(emailInput);
  const user = email.success ? await db.user.findFirst({ where: { email: email.data, deletedAt: null } }) : null;
  if (!user) {
    await verifyPassword(await decoy(), password);
    return { ok: false, reason: "invalid" };
  }
  if (user.lockedUntil && user.lockedUntil > now) return { ok: false, reason: "locked", lockedUntil: user.lockedUntil };
  if (!(await verifyPassword(user.passwordHash, password))) {
    // Counted in the database so every instance sees the same count.
    const updated = await db.user.update({ where: { id: user.id }, data: { failedLogins: { increment: 1 } } });
    if (updated.failedLogins >= MAX_FAILED_LOGINS) {
      const lockedUntil = new Date(now.getTime() + LOCK_MS);
      await db.user.update({ where: { id: user.id }, data: { lockedUntil, failedLogins: 0 } });
      return { ok: false, reason: "locked", lockedUntil };
    }
    return { ok: false, reason: "invalid" };
  }
  await db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null, lastLoginAt: now } });
  return { ok: true, user: { id: user.id, roles: user.roles, totpEnabled: user.totpEnabled, totpSecret: user.totpSecret, locale: user.locale } };
}

/** The signed-in staff member, fresh from the database on every request (roles may have changed). */
export async function loadStaff(db: Db, userId: string) {
  return db.user.findFirst({
    where: { id: userId, deletedAt: null },
    select: {
      id: true,
      name: true,
      email: true,
      roles: true,
      officeId: true,
      locale: true,
      totpEnabled: true,
      office: { select: { id: true, name: true, code: true, timeZone: true } },
    },
  });
}
export type Staff = NonNullable<Awaited<ReturnType<typeof loadStaff>>>;

/** A readable temporary password (no look-alike characters). */
export function temporaryPassword(length = 14): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
}

async function assertManageable(db: Db, actor: { officeId: string }, userId: string) {
  const user = await db.user.findFirst({ where: { id: userId, deletedAt: null } });
  if (!user || !(await visibleOfficeIds(db, actor)).includes(user.officeId)) throw new DomainError("NOT_FOUND", "error.notFound");
  return user;
}

async function assertOfficeInScope(db: Db, actor: { officeId: string }, officeId: string) {
  if (!(await visibleOfficeIds(db, actor)).includes(officeId)) throw new DomainError("FORBIDDEN", "error.forbidden");
}

export interface UserListQuery {
  q?: string;
  role?: Role;
  take?: number;
  skip?: number;
}

/** Users of the actor's office and the offices below it. */
export async function listUsers(db: Db, actor: { officeId: string }, query: UserListQuery = {}) {
  const officeIds = await visibleOfficeIds(db, actor);
  const q = query.q?.trim();
  const where = {
    deletedAt: null,
    officeId: { in: officeIds },
    roles: query.role ? { has: query.role } : undefined,
    OR: q
      ? [
          { name: { contains: q, mode: "insensitive" as const } },
          { email: { contains: q, mode: "insensitive" as const } },
          { nip: { contains: q.replace(/\s/g, "") } },
        ]
      : undefined,
  };
  const [rows, total] = await Promise.all([
    db.user.findMany({
      where,
      orderBy: [{ name: "asc" }, { id: "asc" }],
      take: query.take ?? 100,
      skip: query.skip ?? 0,
      include: { office: { select: { name: true, code: true, level: true } } },
    }),
    db.user.count({ where }),
  ]);
  return { rows, total };
}

export async function getUserForAdmin(db: Db, actor: { officeId: string }, userId: string) {
  await assertManageable(db, actor, userId);
  return db.user.findUniqueOrThrow({ where: { id: userId }, include: { office: true, identities: { select: { channel: true, displayName: true } } } });
}

export async function createUser(db: Db, actor: { officeId: string }, input: UserInput, password: string) {
  const data = userInputSchema.parse(input);
  const pw = passwordSchema.parse(password);
  await assertOfficeInScope(db, actor, data.officeId);
  if (await db.user.findUnique({ where: { email: data.email } })) throw new DomainError("ALREADY_EXISTS", "error.emailTaken");
  return db.user.create({
    data: { ...data, nip: data.nip ?? null, position: data.position ?? null, whatsapp: data.whatsapp ?? null, passwordHash: await hashPassword(pw) },
  });
}

export async function updateUser(db: Db, actor: { userId: string; officeId: string }, userId: string, input: UserInput) {
  const data = userInputSchema.parse(input);
  const before = await assertManageable(db, actor, userId);
  await assertOfficeInScope(db, actor, data.officeId);
  if (userId === actor.userId && before.roles.includes("ADMIN") && !data.roles.includes("ADMIN")) throw new DomainError("FORBIDDEN", "error.ownAdminRole");
  const clash = await db.user.findUnique({ where: { email: data.email } });
  if (clash && clash.id !== userId) throw new DomainError("ALREADY_EXISTS", "error.emailTaken");
  const after = await db.user.update({
    where: { id: userId },
    data: { ...data, nip: data.nip ?? null, position: data.position ?? null, whatsapp: data.whatsapp ?? null },
  });
  return { before, after };
}

export async function setRoles(db: Db, actor: { userId: string; officeId: string }, userId: string, roles: Role[]) {
  const parsed = z.array(z.enum(roleCodes)).parse([...new Set(roles)]);
  const before = await assertManageable(db, actor, userId);
  if (userId === actor.userId && before.roles.includes("ADMIN") && !parsed.includes("ADMIN")) throw new DomainError("FORBIDDEN", "error.ownAdminRole");
  const after = await db.user.update({ where: { id: userId }, data: { roles: parsed } });
  return { before, after };
}

/** Soft delete; the email is freed so the address can be used again. */
export async function deleteUser(db: Db, actor: { userId: string; officeId: string }, userId: string, now = new Date()) {
  if (userId === actor.userId) throw new DomainError("FORBIDDEN", "error.ownAccountDelete");
  const before = await assertManageable(db, actor, userId);
  await db.user.update({ where: { id: userId }, data: { deletedAt: now, email: `deleted-${userId}@deleted.invalid`, totpSecret: null, totpEnabled: false } });
  await db.channelIdentity.updateMany({ where: { userId }, data: { userId: null } });
  return before;
}

/** An admin sets a temporary password; the lockout is lifted. Returns the password to hand over. */
export async function resetPassword(db: Db, actor: { officeId: string }, userId: string): Promise<string> {
  await assertManageable(db, actor, userId);
  const password = temporaryPassword();
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password), failedLogins: 0, lockedUntil: null } });
  return password;
}

export async function changeOwnPassword(db: Db, userId: string, current: string, next: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  if (!(await verifyPassword(user.passwordHash, current))) throw new DomainError("VALIDATION", "error.wrongPassword");
  const pw = passwordSchema.parse(next);
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(pw) } });
}

export async function setLocale(db: Db, userId: string, locale: "id" | "en") {
  await db.user.update({ where: { id: userId }, data: { locale } });
}
