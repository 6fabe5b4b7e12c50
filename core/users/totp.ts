// Two-factor sign-in with time-based one-time codes (RFC 6238), as authenticator apps use.
import * as OTPAuth from "otpauth";
import { type AuditActor, auditIn } from "../audit/service.js";
import { verifyPassword } from "../auth/password.js";
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { totpRequiredFor, totpRequiredRoles } from "../settings/service.js";

/** A staff member acting on their own account. */
type SelfActor = AuditActor & { userId: string };

const ISSUER = "Sibina";

export const newTotpSecret = () => new OTPAuth.Secret({ size: 20 }).base32;

const totpOf = (secret: string, label = "") =>
  new OTPAuth.TOTP({ issuer: ISSUER, label, algorithm: "SHA1", digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secret) });

/** The otpauth:// URI an authenticator app reads from a QR code. */
export const totpUri = (secret: string, email: string) => totpOf(secret, email).toString();

/** Accepts the current code and one step either side (clock drift). */
export function verifyTotp(secret: string, code: string, timestamp = Date.now()): boolean {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return false;
  return totpOf(secret).validate({ token, timestamp, window: 1 }) !== null;
}

export const currentTotp = (secret: string, timestamp = Date.now()) => totpOf(secret).generate({ timestamp });

/** Turns two-factor sign-in on with a secret the person just proved they hold (sealed by the caller's keyring). */
export async function enableTotp(db: Db, self: SelfActor, sealedSecret: string) {
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: self.userId }, data: { totpSecret: sealedSecret, totpEnabled: true } });
    await auditIn(tx, self, "user.totp.enable", "User", self.userId);
  });
}

/** Turns it off again: only with the password, and never for a role that must use it. */
export async function disableTotp(db: Db, self: SelfActor, password: string) {
  const user = await db.user.findUniqueOrThrow({ where: { id: self.userId } });
  if (totpRequiredFor(user.roles, await totpRequiredRoles(db))) throw new DomainError("FORBIDDEN", "admin.totp.requiredCannotDisable");
  if (!(await verifyPassword(user.passwordHash, password))) throw new DomainError("VALIDATION", "error.wrongPassword");
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: self.userId }, data: { totpSecret: null, totpEnabled: false } });
    await auditIn(tx, self, "user.totp.disable", "User", self.userId);
  });
}
