// Two-factor secrets at rest: AES-256-GCM with a key from the environment (TOTP_ENCRYPTION_KEY).
// A sealed value names the key that sealed it, so a rotation can keep the previous key for
// reading (TOTP_ENCRYPTION_KEY_PREVIOUS) while `npm run totp:rotate` re-seals every row.
// Without a configured key (development and tests only; production requires one) the key is
// generated once into STORAGE_DIR/.totp-key, so enabled authenticators survive restarts.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type Config, parseKey } from "../config.js";
import type { Db } from "../db/client.js";

export interface Keyring {
  /** Seals every new secret. */
  current: Buffer;
  /** Still opens what they sealed (during a rotation). */
  previous: Buffer[];
}

const VERSION = "v1";
const b64 = (b: Buffer) => b.toString("base64url");
export const keyId = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);
// The secret is bound to its account: a sealed value copied onto another user's row does not open.
const aadOf = (userId: string) => Buffer.from(`sibina:totp:${userId}`);

/** v1.<key id>.<iv>.<ciphertext>.<tag>, all base64url. */
export function sealSecret(keyring: Keyring, userId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyring.current, iv);
  cipher.setAAD(aadOf(userId));
  const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return [VERSION, keyId(keyring.current), b64(iv), b64(body), b64(cipher.getAuthTag())].join(".");
}

export const isSealed = (value: string) => value.startsWith(`${VERSION}.`);
export const sealedWith = (value: string, key: Buffer) => isSealed(value) && value.split(".")[1] === keyId(key);

/** The secret, or null when the value is not sealed, its key is unknown, or it was tampered with. */
export function openSecret(keyring: Keyring, userId: string, sealed: string): string | null {
  const [version, id, iv, body, tag, ...rest] = sealed.split(".");
  if (version !== VERSION || !id || !iv || !body || !tag || rest.length) return null;
  const key = [keyring.current, ...keyring.previous].find((k) => keyId(k) === id);
  if (!key) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(aadOf(userId));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

const KEY_FILE = ".totp-key";
const cache = new Map<string, Promise<Keyring>>();

/** The keyring of this configuration (read once per key or key file). */
export function totpKeyring(config: Pick<Config, "TOTP_ENCRYPTION_KEY" | "TOTP_ENCRYPTION_KEY_PREVIOUS" | "STORAGE_DIR" | "NODE_ENV">): Promise<Keyring> {
  const previous = config.TOTP_ENCRYPTION_KEY_PREVIOUS ? [parseKey(config.TOTP_ENCRYPTION_KEY_PREVIOUS)!] : [];
  if (config.TOTP_ENCRYPTION_KEY) return Promise.resolve({ current: parseKey(config.TOTP_ENCRYPTION_KEY)!, previous });
  if (config.NODE_ENV === "production") return Promise.reject(new Error("TOTP_ENCRYPTION_KEY is required in production"));
  const file = path.resolve(config.STORAGE_DIR, KEY_FILE);
  let ring = cache.get(file);
  if (!ring) {
    ring = localKey(file).then((current) => ({ current, previous }));
    cache.set(file, ring);
  }
  return ring;
}

async function localKey(file: string): Promise<Buffer> {
  const key = parseKey(await writtenOnce(file));
  if (!key) throw new Error(`${file} does not hold a 64-hex-character key; set TOTP_ENCRYPTION_KEY or restore the file`);
  return key;
}

/** 32 random bytes as hex, generated into `file` (mode 600) the first time and read after that. */
async function writtenOnce(file: string): Promise<string> {
  const existing = await readFile(file, "utf8").catch(() => null);
  if (existing !== null) return existing.trim();
  await mkdir(path.dirname(file), { recursive: true });
  // wx: two processes starting together never overwrite each other's value.
  await writeFile(file, `${randomBytes(32).toString("hex")}\n`, { flag: "wx", mode: 0o600 }).catch(async (e: NodeJS.ErrnoException) => {
    if (e.code !== "EEXIST") throw e;
  });
  return (await readFile(file, "utf8")).trim();
}

const SESSION_SECRET_FILE = ".session-secret";

/**
 * The secret that signs session cookies: SESSION_SECRET, or (development and the demo only) one
 * generated once into STORAGE_DIR/.session-secret, so a restart does not sign everyone out and
 * nothing secret is committed (storage/ is ignored by git).
 */
export async function sessionSecret(config: Pick<Config, "SESSION_SECRET" | "STORAGE_DIR" | "NODE_ENV">): Promise<string> {
  if (config.SESSION_SECRET) return config.SESSION_SECRET;
  if (config.NODE_ENV === "production") throw new Error("SESSION_SECRET is required in production");
  const value = await writtenOnce(path.resolve(config.STORAGE_DIR, SESSION_SECRET_FILE));
  if (value.length < 32) throw new Error(`${SESSION_SECRET_FILE} in STORAGE_DIR is too short; delete it or set SESSION_SECRET`);
  return value;
}

/**
 * Re-seals every stored two-factor secret with the current key: plain secrets from before
 * encryption, and secrets sealed with a previous key. Idempotent; run at start and by
 * `npm run totp:rotate`. A secret no key opens is left as it is and counted.
 */
export async function resealTotpSecrets(db: Db, keyring: Keyring): Promise<{ resealed: number; unreadable: number }> {
  const users = await db.user.findMany({ where: { totpSecret: { not: null } }, select: { id: true, totpSecret: true } });
  let resealed = 0;
  let unreadable = 0;
  for (const u of users) {
    const value = u.totpSecret!;
    if (sealedWith(value, keyring.current)) continue;
    const secret = isSealed(value) ? openSecret(keyring, u.id, value) : /^[A-Z2-7]+=*$/.test(value) ? value : null;
    if (secret === null) {
      unreadable++;
      continue;
    }
    // Only the row as read is replaced: a concurrent change wins.
    const { count } = await db.user.updateMany({ where: { id: u.id, totpSecret: value }, data: { totpSecret: sealSecret(keyring, u.id, secret) } });
    resealed += count;
  }
  return { resealed, unreadable };
}
