// Staff accounts: sign-in, alerts about attacks on an account, and the admin's user management
// (SPEKTRAL 4.2.4). Throttling of failed sign-ins lives in core/auth/throttle.ts.
import { randomInt } from "node:crypto";
import { z } from "zod";
import { writeAudit } from "../audit/service.js";
import { hashPassword, verifyPassword } from "../auth/password.js";
import { MAX_PASSWORD, passwordProblem, personalWords, temporaryPassword } from "../auth/password-policy.js";
import type { Db } from "../db/client.js";
import type { Role } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import type { MessageKey } from "../messages/index.js";
import { type AccountAlert, accountAlertIntents } from "../notifications/intents.js";
import { ROLES } from "../reference/index.js";
import { visibleOfficeIds } from "../requests/service.js";
import { emailSchema, nipSchema, phoneSchema } from "../validation/identity.js";
import { LIMITS, lineText } from "../validation/text.js";

export { MIN_PASSWORD } from "../auth/password-policy.js";
export { temporaryPassword };

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

/** A new password for this person: long enough and hard to guess (message: too_short, too_long, too_weak). */
export const passwordSchemaFor = (person: { email?: string | null; name?: string | null } = {}) =>
  z
    .string()
    .max(MAX_PASSWORD, { message: "too_long" })
    .superRefine((pw, issue) => {
      const problem = passwordProblem(pw, personalWords(person));
      if (problem) issue.addIssue({ code: "custom", message: problem });
    });
export const passwordSchema = passwordSchemaFor();

// A real hash of a random password, so unknown emails take as long as wrong passwords.
let decoyHash: Promise<string> | undefined;
const decoy = () => {
  decoyHash ??= hashPassword(`decoy-${randomInt(1e9)}`);
  return decoyHash;
};

export type AuthResult =
  | { ok: true; user: { id: string; roles: Role[]; totpEnabled: boolean; totpSecret: string | null; locale: string } }
  | { ok: false; reason: "invalid"; userId: string | null };

/**
 * Checks email and password. Never locks: the caller throttles per (account, client). An
 * unknown email costs the same hash as a wrong password and gets the same answer.
 */
export async function authenticate(db: Db, emailInput: string, password: string, now = new Date()): Promise<AuthResult> {
  const email = emailSchema.safeParse(emailInput);
  const user = email.success ? await db.user.findFirst({ where: { email: email.data, deletedAt: null } }) : null;
  if (!user) {
    await verifyPassword(await decoy(), password);
    return { ok: false, reason: "invalid", userId: null };
  }
  if (!(await verifyPassword(user.passwordHash, password))) return { ok: false, reason: "invalid", userId: user.id };
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: now } });
  return { ok: true, user: { id: user.id, roles: user.roles, totpEnabled: user.totpEnabled, totpSecret: user.totpSecret, locale: user.locale } };
}

/**
 * An account is under attack: its owner and the admins are told (outbox intents, once per
 * account, stage and hour) and the audit log records it, in one transaction.
 */
export async function alertAccountUnderAttack(db: Db, alert: AccountAlert, ip: string | null): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const rows = await accountAlertIntents(tx, alert);
    const { count } = await tx.outbox.createMany({ data: rows, skipDuplicates: true });
    if (count === 0) return false;
    await writeAudit(tx, {
      actorUserId: null,
      action: "auth.underAttack",
      entity: "User",
      entityId: alert.userId,
      ip,
      changes: { stage: alert.stage, failures: alert.failures, clients: alert.clients },
    });
    return true;
  });
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
      mustChangePassword: true,
      office: { select: { id: true, name: true, code: true, timeZone: true } },
      // Tim Pembina roles grant some programme actions (core/permissions TEAM_PERMISSIONS).
      teamMemberships: { select: { role: true } },
    },
  });
}
export type Staff = NonNullable<Awaited<ReturnType<typeof loadStaff>>>;

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
  const pw = passwordSchemaFor(data).parse(password);
  await assertOfficeInScope(db, actor, data.officeId);
  if (await db.user.findUnique({ where: { email: data.email } })) throw new DomainError("ALREADY_EXISTS", "error.emailTaken");
  // The password is a temporary one handed over by the admin: the new user replaces it first.
  return db.user.create({
    data: {
      ...data,
      nip: data.nip ?? null,
      position: data.position ?? null,
      whatsapp: data.whatsapp ?? null,
      passwordHash: await hashPassword(pw),
      mustChangePassword: true,
    },
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

/** An admin sets a temporary password, to be changed at the next sign-in. Returns it to hand over. */
export async function resetPassword(db: Db, actor: { officeId: string }, userId: string): Promise<{ password: string; email: string }> {
  const user = await assertManageable(db, actor, userId);
  const password = temporaryPassword();
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password), mustChangePassword: true } });
  return { password, email: user.email };
}

export type NewPasswordCheck = { ok: true } | { ok: false; problem: "too_short" | "too_long" | "too_weak" | "same" };

/** Whether a new password is acceptable for this person (checked before the current one). */
export function checkNewPassword(person: { email: string; name: string }, next: string, current?: string): NewPasswordCheck {
  const parsed = passwordSchemaFor(person).safeParse(next);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues[0]!.message as "too_short" | "too_long" | "too_weak" };
  if (current !== undefined && next === current) return { ok: false, problem: "same" };
  return { ok: true };
}

export async function changeOwnPassword(db: Db, userId: string, current: string, next: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  if (!(await verifyPassword(user.passwordHash, current))) throw new DomainError("VALIDATION", "error.wrongPassword");
  const check = checkNewPassword(user, next, current);
  if (!check.ok) throw new DomainError("VALIDATION", `admin.password.${check.problem}` as MessageKey);
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(next), mustChangePassword: false } });
}

export async function setLocale(db: Db, userId: string, locale: "id" | "en") {
  await db.user.update({ where: { id: userId }, data: { locale } });
}
