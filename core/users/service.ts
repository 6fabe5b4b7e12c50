// Staff accounts: sign-in, alerts about attacks on an account, and the admin's user management
// (SPEKTRAL 4.2.4). Throttling of failed sign-ins lives in core/auth/throttle.ts.
import { randomInt } from "node:crypto";
import { z } from "zod";
import { type StaffActor, visibleOfficeIds } from "../access/index.js";
import { type AuditActor, auditIn, diffFields, writeAudit } from "../audit/service.js";
import { telegramStartLink, welcomeLinkCode } from "../auth/link-codes.js";
import { hashPassword, verifyPassword } from "../auth/password.js";
import { MAX_PASSWORD, passwordProblem, personalWords, temporaryPassword } from "../auth/password-policy.js";
import type { Db, Tx } from "../db/client.js";
import type { Role } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import type { MessageKey } from "../messages/index.js";
import { type AccountAlert, accountAlertIntents } from "../notifications/intents.js";
import { can } from "../permissions.js";
import { ROLES } from "../reference/index.js";
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
/** Hashes the decoy ahead of the first sign-in, so not even the first unknown email takes longer. */
export const prepareAuthentication = () => decoy().then(() => undefined);

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

/** User management is the admins' (the permission table), within their office and those below. */
function assertMayManage(actor: StaffActor) {
  if (!can(actor.roles, "user.manage")) throw new DomainError("FORBIDDEN", "error.forbidden");
}

async function assertManageable(db: Db | Tx, actor: { officeId: string }, userId: string) {
  const user = await db.user.findFirst({ where: { id: userId, deletedAt: null } });
  if (!user || !(await visibleOfficeIds(db, actor)).includes(user.officeId)) throw new DomainError("NOT_FOUND", "error.notFound");
  return user;
}

async function assertOfficeInScope(db: Db | Tx, actor: { officeId: string }, officeId: string) {
  if (!(await visibleOfficeIds(db, actor)).includes(officeId)) throw new DomainError("FORBIDDEN", "error.forbidden");
}

export interface UserListQuery {
  q?: string;
  role?: Role;
  take?: number;
  skip?: number;
}

/** Users of the actor's office and the offices below it. */
export async function listUsers(db: Db, actor: StaffActor, query: UserListQuery = {}) {
  assertMayManage(actor);
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

export async function getUserForAdmin(db: Db, actor: StaffActor, userId: string) {
  assertMayManage(actor);
  await assertManageable(db, actor, userId);
  return db.user.findUniqueOrThrow({ where: { id: userId }, include: { office: true, identities: { select: { channel: true, displayName: true } } } });
}

export interface WelcomeOptions {
  /** Send the welcome notice (email when SMTP is set, and any chat the person can be reached on). */
  send: boolean;
  /** The Telegram bot's @username when Telegram runs: the notice carries a deep link. */
  telegramBot: string | null;
}

export async function createUser(db: Db, actor: StaffActor, input: UserInput, password: string, welcome?: WelcomeOptions) {
  assertMayManage(actor);
  const data = userInputSchema.parse(input);
  const pw = passwordSchemaFor(data).parse(password);
  // Hashing is slow on purpose: done before the transaction opens.
  const passwordHash = await hashPassword(pw);
  return db.$transaction(async (tx) => {
    await assertOfficeInScope(tx, actor, data.officeId);
    if (await tx.user.findUnique({ where: { email: data.email } })) throw new DomainError("ALREADY_EXISTS", "error.emailTaken");
    // The password is a temporary one handed over by the admin: the new user replaces it first.
    const user = await tx.user.create({
      data: { ...data, nip: data.nip ?? null, position: data.position ?? null, whatsapp: data.whatsapp ?? null, passwordHash, mustChangePassword: true },
    });
    await auditIn(tx, actor, "user.create", "User", user.id, { name: user.name, email: user.email, roles: user.roles, officeId: user.officeId });
    if (welcome?.send) await tx.outbox.create({ data: await welcomeIntent(tx, user.id, welcome.telegramBot) });
    return user;
  });
}

/** The welcome notice of a new account: where to sign in and, with Telegram on, a week-long deep link. */
export async function welcomeIntent(tx: Tx, userId: string, telegramBot: string | null) {
  const telegramLink = telegramBot ? telegramStartLink(telegramBot, await welcomeLinkCode(tx, userId)) : null;
  return {
    kind: "account.welcome",
    dedupeKey: `account.welcome:${userId}`,
    recipientKind: "STAFF" as const,
    recipientUserId: userId,
    payload: telegramLink ? { userId, telegramLink } : { userId },
  };
}

/** An admin may not take away their own right to manage users (someone must keep it). */
function assertKeepsOwnAdmin(actor: StaffActor, userId: string, before: readonly Role[], after: readonly Role[]) {
  if (userId === actor.userId && can(before, "user.manage") && !can(after, "user.manage")) throw new DomainError("FORBIDDEN", "error.ownAdminRole");
}

export async function updateUser(db: Db, actor: StaffActor, userId: string, input: UserInput) {
  assertMayManage(actor);
  const data = userInputSchema.parse(input);
  return db.$transaction(async (tx) => {
    const before = await assertManageable(tx, actor, userId);
    await assertOfficeInScope(tx, actor, data.officeId);
    assertKeepsOwnAdmin(actor, userId, before.roles, data.roles);
    const clash = await tx.user.findUnique({ where: { email: data.email } });
    if (clash && clash.id !== userId) throw new DomainError("ALREADY_EXISTS", "error.emailTaken");
    const after = await tx.user.update({
      where: { id: userId },
      data: { ...data, nip: data.nip ?? null, position: data.position ?? null, whatsapp: data.whatsapp ?? null },
    });
    const changes = diffFields(before as unknown as Record<string, unknown>, data as unknown as Record<string, unknown>);
    if (Object.keys(changes).length) await auditIn(tx, actor, "user.edit", "User", userId, changes);
    return { before, after, changes };
  });
}

export async function setRoles(db: Db, actor: StaffActor, userId: string, roles: Role[]) {
  assertMayManage(actor);
  const parsed = z.array(z.enum(roleCodes)).parse([...new Set(roles)]);
  return db.$transaction(async (tx) => {
    const before = await assertManageable(tx, actor, userId);
    assertKeepsOwnAdmin(actor, userId, before.roles, parsed);
    const after = await tx.user.update({ where: { id: userId }, data: { roles: parsed } });
    await auditIn(tx, actor, "user.roles", "User", userId, { roles: { from: before.roles, to: after.roles } });
    return { before, after };
  });
}

/** Soft delete; the email is freed so the address can be used again. */
export async function deleteUser(db: Db, actor: StaffActor, userId: string, now = new Date()) {
  assertMayManage(actor);
  if (userId === actor.userId) throw new DomainError("FORBIDDEN", "error.ownAccountDelete");
  return db.$transaction(async (tx) => {
    const before = await assertManageable(tx, actor, userId);
    await tx.user.update({ where: { id: userId }, data: { deletedAt: now, email: `deleted-${userId}@deleted.invalid`, totpSecret: null, totpEnabled: false } });
    await tx.channelIdentity.updateMany({ where: { userId }, data: { userId: null } });
    await auditIn(tx, actor, "user.delete", "User", userId, { name: before.name, email: before.email, roles: before.roles });
    return before;
  });
}

/** An admin sets a temporary password, to be changed at the next sign-in. Returns it to hand over. */
export async function resetPassword(db: Db, actor: StaffActor, userId: string): Promise<{ password: string; email: string; name: string }> {
  assertMayManage(actor);
  await assertManageable(db, actor, userId);
  const password = temporaryPassword();
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const user = await assertManageable(tx, actor, userId);
    await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: true } });
    await auditIn(tx, actor, "user.resetPassword", "User", userId, { name: user.name });
    return { password, email: user.email, name: user.name };
  });
}

export type NewPasswordCheck = { ok: true } | { ok: false; problem: "too_short" | "too_long" | "too_weak" | "same" };

/** Whether a new password is acceptable for this person (checked before the current one). */
export function checkNewPassword(person: { email: string; name: string }, next: string, current?: string): NewPasswordCheck {
  const parsed = passwordSchemaFor(person).safeParse(next);
  if (!parsed.success) return { ok: false, problem: parsed.error.issues[0]!.message as "too_short" | "too_long" | "too_weak" };
  if (current !== undefined && next === current) return { ok: false, problem: "same" };
  return { ok: true };
}

export async function changeOwnPassword(db: Db, self: AuditActor & { userId: string }, current: string, next: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: self.userId } });
  if (!(await verifyPassword(user.passwordHash, current))) throw new DomainError("VALIDATION", "error.wrongPassword");
  const check = checkNewPassword(user, next, current);
  if (!check.ok) throw new DomainError("VALIDATION", `admin.password.${check.problem}` as MessageKey);
  const passwordHash = await hashPassword(next);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: self.userId }, data: { passwordHash, mustChangePassword: false } });
    await auditIn(tx, self, "user.password", "User", self.userId, { wasTemporary: user.mustChangePassword });
  });
}

export async function setLocale(db: Db, userId: string, locale: "id" | "en") {
  await db.user.update({ where: { id: userId }, data: { locale } });
}
