// Two-factor secrets at rest: AES-256-GCM with TOTP_ENCRYPTION_KEY, bound to the account;
// plain secrets from before are sealed at start; `npm run totp:rotate` re-seals everything with
// a new key while the previous one is still accepted.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Keyring, keyId, openSecret, resealTotpSecrets, sealedWith, sealSecret, totpKeyring } from "../../core/auth/secrets.js";
import { parseKey } from "../../core/config.js";
import { newTotpSecret } from "../../core/users/totp.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { makeUser, seedOffices } from "../helpers/fixtures.js";

const OLD = "a".repeat(64);
const NEW = "b".repeat(64);
const ring = (current: string, ...previous: string[]): Keyring => ({ current: parseKey(current)!, previous: previous.map((k) => parseKey(k)!) });

describe("sealing", () => {
  it("round-trips, names its key, never contains the secret, and does not open for another account or when altered", () => {
    const secret = newTotpSecret();
    const sealed = sealSecret(ring(OLD), "user-1", secret);
    expect(sealed).toMatch(/^v1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed.split(".")[1]).toBe(keyId(parseKey(OLD)!));
    expect(sealed).not.toContain(secret);
    expect(sealSecret(ring(OLD), "user-1", secret)).not.toBe(sealed); // a fresh IV every time
    expect(openSecret(ring(OLD), "user-1", sealed)).toBe(secret);
    expect(openSecret(ring(OLD), "user-2", sealed)).toBeNull();
    expect(openSecret(ring(NEW), "user-1", sealed)).toBeNull();
    expect(openSecret(ring(NEW, OLD), "user-1", sealed)).toBe(secret);
    const parts = sealed.split(".");
    parts[3] = `${parts[3]!.slice(0, -2)}AA`;
    expect(openSecret(ring(OLD), "user-1", parts.join("."))).toBeNull();
    expect(openSecret(ring(OLD), "user-1", secret)).toBeNull(); // a plain secret is not accepted as sealed
  });

  it("takes the key from TOTP_ENCRYPTION_KEY, or (outside production) from a key file it creates once, readable by the owner only", async () => {
    expect(
      (await totpKeyring({ TOTP_ENCRYPTION_KEY: NEW, TOTP_ENCRYPTION_KEY_PREVIOUS: OLD, STORAGE_DIR: "/nonexistent", NODE_ENV: "production" })).current,
    ).toEqual(parseKey(NEW));
    await expect(totpKeyring({ STORAGE_DIR: "/nonexistent", NODE_ENV: "production" })).rejects.toThrow(/TOTP_ENCRYPTION_KEY is required/);
    const dir = await mkdtemp(path.join(tmpdir(), "sibina-key-"));
    try {
      const first = await totpKeyring({ STORAGE_DIR: dir, NODE_ENV: "development" });
      const file = path.join(dir, ".totp-key");
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(parseKey((await readFile(file, "utf8")).trim())).toEqual(first.current);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("stored secrets", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(2);
  });
  afterAll(async () => t?.drop());

  it("plain secrets (from before encryption) are sealed; a rotation re-seals under the new key and the old key is no longer needed", {
    timeout: 120_000,
  }, async () => {
    const { riau } = await seedOffices(t.db);
    const plain = newTotpSecret();
    const a = await makeUser(t.db, riau.id, ["ADMIN"]);
    const b = await makeUser(t.db, riau.id, ["COACH"]);
    const secretB = newTotpSecret();
    await t.db.user.update({ where: { id: a.id }, data: { totpSecret: plain, totpEnabled: true } });
    await t.db.user.update({ where: { id: b.id }, data: { totpSecret: sealSecret(ring(OLD), b.id, secretB), totpEnabled: true } });

    expect(await resealTotpSecrets(t.db, ring(OLD))).toEqual({ resealed: 1, unreadable: 0 });
    const sealedA = (await t.db.user.findUniqueOrThrow({ where: { id: a.id } })).totpSecret!;
    expect(sealedWith(sealedA, parseKey(OLD)!)).toBe(true);
    expect(openSecret(ring(OLD), a.id, sealedA)).toBe(plain);
    expect(await resealTotpSecrets(t.db, ring(OLD))).toEqual({ resealed: 0, unreadable: 0 }); // idempotent

    // Rotation through the command an operator runs.
    const run = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/totp-rotate.ts"], {
      env: { ...process.env, DATABASE_URL: t.url, TOTP_ENCRYPTION_KEY: NEW, TOTP_ENCRYPTION_KEY_PREVIOUS: OLD, LOG_LEVEL: "silent" },
    });
    expect(run.stdout).toContain("re-sealed with the current key: 2");
    const after = await t.db.user.findMany({ where: { id: { in: [a.id, b.id] } }, orderBy: { id: "asc" } });
    for (const u of after) expect(sealedWith(u.totpSecret!, parseKey(NEW)!)).toBe(true);
    expect(openSecret(ring(NEW), a.id, after.find((u) => u.id === a.id)!.totpSecret!)).toBe(plain);
    expect(openSecret(ring(NEW), b.id, after.find((u) => u.id === b.id)!.totpSecret!)).toBe(secretB);

    // Without the previous key a secret sealed under an unknown key is reported, not lost silently.
    await t.db.user.update({ where: { id: b.id }, data: { totpSecret: sealSecret(ring(OLD), b.id, secretB) } });
    await expect(
      promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/totp-rotate.ts"], {
        env: { ...process.env, DATABASE_URL: t.url, TOTP_ENCRYPTION_KEY: NEW, TOTP_ENCRYPTION_KEY_PREVIOUS: "", LOG_LEVEL: "silent" },
      }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("could not be opened") });
  });
});
