// Baileys auth state in PostgreSQL: credentials and signal keys survive a restart, Buffers
// included (BufferJSON), each keys.set is one transaction, and Baileys' own cacheable store
// and LID mapping store work on top of it.
import { addTransactionCapability, BufferJSON, DEFAULT_CONNECTION_CONFIG, initAuthCreds, makeCacheableSignalKeyStore, proto } from "@whiskeysockets/baileys";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clearAuthState, hasLinkedDevice, postgresKeyStore, usePostgresAuthState } from "../../bot/channels/whatsapp/auth-state.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

const quiet = pino({ level: "silent" });
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb(4);
});
afterAll(async () => t.drop());
beforeEach(async () => clearAuthState(t.db));

describe("WhatsApp auth state in PostgreSQL", () => {
  it("starts with fresh credentials and round-trips them, Buffers and all, through a restart", async () => {
    const first = await usePostgresAuthState(t.db);
    const creds = first.state.creds;
    expect(await hasLinkedDevice(t.db)).toBe(false);
    creds.me = { id: "6281100000001:3@s.whatsapp.net", name: "Kantor" };
    creds.account = proto.ADVSignedDeviceIdentity.fromObject({ details: Buffer.from([1, 2, 3]), accountSignature: Buffer.alloc(64, 9) });
    creds.routingInfo = Buffer.from("routing");
    await first.saveCreds();

    const row = await t.db.whatsappAuth.findUniqueOrThrow({ where: { id: "creds" } });
    expect(row.value).toContain('"type":"Buffer"'); // BufferJSON's encoding, not a lossy {0:…,1:…}

    const again = await usePostgresAuthState(t.db);
    const back = again.state.creds;
    expect(Buffer.isBuffer(back.noiseKey.private)).toBe(true);
    expect(Buffer.from(back.noiseKey.private).equals(Buffer.from(creds.noiseKey.private))).toBe(true);
    expect(Buffer.from(back.signedIdentityKey.public).equals(Buffer.from(creds.signedIdentityKey.public))).toBe(true);
    expect(Buffer.from(back.signedPreKey.signature).equals(Buffer.from(creds.signedPreKey.signature))).toBe(true);
    expect(back.registrationId).toBe(creds.registrationId);
    expect(back.advSecretKey).toBe(creds.advSecretKey);
    expect(back.me?.id).toBe("6281100000001:3@s.whatsapp.net");
    expect(back.routingInfo?.toString()).toBe("routing");
    expect(await hasLinkedDevice(t.db)).toBe(true);
  });

  it("writes keys at once, reads them back as Buffers, deletes on null, and clear() keeps the credentials", async () => {
    const auth = await usePostgresAuthState(t.db);
    await auth.saveCreds();
    const keys = auth.state.keys;
    const pre = initAuthCreds().signedIdentityKey; // a real Curve key pair
    await keys.set({ "pre-key": { "1": pre, "2": pre }, session: { "6281234567890.0": Buffer.from("session-bytes") } });
    expect(await t.db.whatsappAuth.count({ where: { id: { startsWith: "pre-key-" } } })).toBe(2);

    const got = await keys.get("pre-key", ["1", "2", "3"]);
    expect(Object.keys(got).sort()).toEqual(["1", "2"]);
    expect(Buffer.isBuffer(got["1"]!.private)).toBe(true);
    expect(Buffer.from(got["1"]!.private).equals(Buffer.from(pre.private))).toBe(true);
    const session = await keys.get("session", ["6281234567890.0"]);
    expect(Buffer.from(session["6281234567890.0"]!).toString()).toBe("session-bytes");

    await keys.set({ "pre-key": { "1": null } });
    expect(Object.keys(await keys.get("pre-key", ["1", "2"]))).toEqual(["2"]);

    await keys.clear?.();
    expect(await t.db.whatsappAuth.count()).toBe(1);
    expect(await t.db.whatsappAuth.count({ where: { id: "creds" } })).toBe(1);
  });

  it("app-state sync keys come back as protobuf objects, as Baileys expects", async () => {
    const keys = postgresKeyStore(t.db);
    const keyData = proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.alloc(32, 5), timestamp: 1_700_000_000 });
    await keys.set({ "app-state-sync-key": { AAAAAFDv: keyData } });
    const got = (await keys.get("app-state-sync-key", ["AAAAAFDv"])).AAAAAFDv;
    expect(got).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
    expect(Buffer.from(got!.keyData!).equals(Buffer.alloc(32, 5))).toBe(true);
  });

  it("one keys.set is one transaction: if any row fails, none is written", async () => {
    const keys = postgresKeyStore(t.db);
    const pair = initAuthCreds().signedIdentityKey;
    // PostgreSQL refuses NUL in text, so the second row makes the statement fail.
    await expect(keys.set({ "pre-key": { "10": pair }, session: { "bad\u0000id": Buffer.from("x") } })).rejects.toThrow();
    expect(await keys.get("pre-key", ["10"])).toEqual({});
    expect(await t.db.whatsappAuth.count()).toBe(0);
  });

  it("behind Baileys' cacheable store, a set reaches PostgreSQL immediately", async () => {
    const keys = makeCacheableSignalKeyStore(postgresKeyStore(t.db), quiet);
    await keys.set({ "sender-key": { "group@g.us::user::0": Buffer.from("sk") } });
    const row = await t.db.whatsappAuth.findUniqueOrThrow({ where: { id: "sender-key-group@g.us::user::0" } });
    expect(Buffer.from(JSON.parse(row.value, BufferJSON.reviver)).toString()).toBe("sk");
    // A fresh store (another instance after a restart) reads the same value.
    const other = postgresKeyStore(t.db);
    expect(Buffer.from((await other.get("sender-key", ["group@g.us::user::0"]))["group@g.us::user::0"]!).toString()).toBe("sk");
  });

  it("Baileys' LID mapping store persists through it, so a LID resolves to a phone after a restart", async () => {
    const auth = await usePostgresAuthState(t.db);
    const withTx = addTransactionCapability(makeCacheableSignalKeyStore(auth.state.keys, quiet), quiet, { maxCommitRetries: 2, delayBetweenTriesMs: 10 });
    const repo = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds: auth.state.creds, keys: withTx }, quiet);
    await repo.lidMapping.storeLIDPNMappings([{ lid: "123456789012345@lid", pn: "6281234567890@s.whatsapp.net" }]);
    expect(await t.db.whatsappAuth.count({ where: { id: { startsWith: "lid-mapping-" } } })).toBeGreaterThan(0);

    const restarted = await usePostgresAuthState(t.db);
    const keys2 = addTransactionCapability(restarted.state.keys, quiet, { maxCommitRetries: 2, delayBetweenTriesMs: 10 });
    const repo2 = DEFAULT_CONNECTION_CONFIG.makeSignalRepository({ creds: restarted.state.creds, keys: keys2 }, quiet);
    expect(await repo2.lidMapping.getPNForLID("123456789012345@lid")).toBe("6281234567890:0@s.whatsapp.net");
  });

  it("clearAuthState forgets the linked device: the next load starts a new pairing", async () => {
    const auth = await usePostgresAuthState(t.db);
    auth.state.creds.account = proto.ADVSignedDeviceIdentity.fromObject({ details: Buffer.from([1]) });
    await auth.saveCreds();
    await auth.state.keys.set({ session: { a: Buffer.from("s") } });
    await clearAuthState(t.db);
    expect(await t.db.whatsappAuth.count()).toBe(0);
    const fresh = await usePostgresAuthState(t.db);
    expect(fresh.state.creds.account).toBeUndefined();
    expect(Buffer.from(fresh.state.creds.noiseKey.public).equals(Buffer.from(auth.state.creds.noiseKey.public))).toBe(false);
  });
});

describe("credential saves", () => {
  it("many creds.update saves in a burst end with the newest credentials stored", async () => {
    await clearAuthState(t.db);
    const auth = await usePostgresAuthState(t.db);
    const saves: Promise<void>[] = [];
    for (let i = 1; i <= 20; i++) {
      auth.state.creds.nextPreKeyId = i;
      saves.push(auth.saveCreds());
    }
    await Promise.all(saves);
    expect((await usePostgresAuthState(t.db)).state.creds.nextPreKeyId).toBe(20);
  });
});

describe("credential saves that fail or come late", () => {
  it("a failed save is retried with the credentials as they are then, and reported each time", async () => {
    await clearAuthState(t.db);
    const errors: number[] = [];
    const auth = await usePostgresAuthState(t.db, { retryDelaysMs: [50, 50, 50, 50, 50], onError: (_e, attempt) => errors.push(attempt) });
    // A real failed write (as during a database restart): the table is briefly not there.
    await t.db.$executeRawUnsafe('ALTER TABLE "WhatsappAuth" RENAME TO "WhatsappAuth_away"');
    auth.state.creds.me = { id: "6281100000001:3@s.whatsapp.net", name: "Lama" };
    let saving: Promise<void>;
    try {
      saving = auth.saveCreds();
      await until(() => errors.length >= 1);
      auth.state.creds.me = { id: "6281100000001:3@s.whatsapp.net", name: "Kantor" };
    } finally {
      await t.db.$executeRawUnsafe('ALTER TABLE "WhatsappAuth_away" RENAME TO "WhatsappAuth"');
    }
    await saving;
    expect(errors[0]).toBe(1);
    expect((await usePostgresAuthState(t.db)).state.creds.me?.name).toBe("Kantor");
  });

  it("gives up after the last retry and rejects, so the caller can say so", async () => {
    await clearAuthState(t.db);
    const auth = await usePostgresAuthState(t.db, { retryDelaysMs: [5] });
    await t.db.$executeRawUnsafe('ALTER TABLE "WhatsappAuth" RENAME TO "WhatsappAuth_away"');
    try {
      await expect(auth.saveCreds()).rejects.toThrow();
    } finally {
      await t.db.$executeRawUnsafe('ALTER TABLE "WhatsappAuth_away" RENAME TO "WhatsappAuth"');
    }
    expect(await t.db.whatsappAuth.count()).toBe(0);
  });

  it("after close(), a late save does not bring back credentials that were cleared", async () => {
    await clearAuthState(t.db);
    const auth = await usePostgresAuthState(t.db);
    await auth.saveCreds();
    await auth.close();
    await clearAuthState(t.db);
    await auth.saveCreds();
    await auth.flush();
    expect(await t.db.whatsappAuth.count()).toBe(0);
  });
});

async function until(check: () => boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
