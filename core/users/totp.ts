// Two-factor sign-in with time-based one-time codes (RFC 6238), as authenticator apps use.
import * as OTPAuth from "otpauth";

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
