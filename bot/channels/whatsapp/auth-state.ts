// Baileys auth state in PostgreSQL (WhatsappAuth): the credentials under id "creds" and each
// signal key under "<type>-<id>", serialised with Baileys' BufferJSON so Buffers survive.
// Baileys says its multi-file store is not for production; this one is shared by every
// instance, so whichever instance holds the lease resumes the session without pairing.
import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
  type SignalKeyStore,
} from "@whiskeysockets/baileys";
import type { Db } from "../../../core/db/client.js";

const CREDS_ID = "creds";

export const serialise = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
export const deserialise = <T>(text: string): T => JSON.parse(text, BufferJSON.reviver) as T;

const rowId = (type: string, id: string) => `${type}-${id}`;

/** The raw key store: every keys.set is written at once, in one transaction. */
export function postgresKeyStore(db: Db): SignalKeyStore {
  return {
    async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
      const found: { [id: string]: SignalDataTypeMap[T] } = {};
      if (ids.length === 0) return found;
      const rows = await db.whatsappAuth.findMany({ where: { id: { in: ids.map((id) => rowId(type, id)) } } });
      const byRow = new Map(rows.map((r) => [r.id, r.value]));
      for (const id of ids) {
        const text = byRow.get(rowId(type, id));
        if (text === undefined) continue;
        let value = deserialise<SignalDataTypeMap[T]>(text);
        // Baileys expects a protobuf object here, not the plain JSON it was saved from.
        if (type === "app-state-sync-key") value = proto.Message.AppStateSyncKeyData.fromObject(value as object) as unknown as SignalDataTypeMap[T];
        found[id] = value;
      }
      return found;
    },

    async set(data: SignalDataSet) {
      // Last write per id wins, so one statement never touches the same row twice.
      const writes = new Map<string, string | null>();
      for (const [type, entries] of Object.entries(data)) {
        for (const [id, value] of Object.entries(entries ?? {})) writes.set(rowId(type, id), value ? serialise(value) : null);
      }
      const upIds: string[] = [];
      const upValues: string[] = [];
      const delIds: string[] = [];
      for (const [id, value] of writes) {
        if (value === null) delIds.push(id);
        else {
          upIds.push(id);
          upValues.push(value);
        }
      }
      if (upIds.length === 0 && delIds.length === 0) return;
      await db.$transaction(async (tx) => {
        if (upIds.length > 0) {
          await tx.$executeRaw`INSERT INTO "WhatsappAuth" ("id", "value", "updatedAt")
            SELECT i, v, now() FROM unnest(${upIds}::text[], ${upValues}::text[]) AS t(i, v)
            ON CONFLICT ("id") DO UPDATE SET "value" = EXCLUDED."value", "updatedAt" = EXCLUDED."updatedAt"`;
        }
        if (delIds.length > 0) await tx.$executeRaw`DELETE FROM "WhatsappAuth" WHERE "id" = ANY(${delIds}::text[])`;
      });
    },

    async clear() {
      await db.whatsappAuth.deleteMany({ where: { id: { not: CREDS_ID }, NOT: { id: { startsWith: "meta-" } } } });
    },
  };
}

export interface PostgresAuthState {
  state: AuthenticationState;
  /** Persist the credentials (bind to the socket's creds.update). Retried; rejects only when every try failed. */
  saveCreds(): Promise<void>;
  /** Resolves when every save asked for so far has finished (before a reconnect or a clear). */
  flush(): Promise<void>;
  /** No save starts after this (a late creds.update must not recreate cleared credentials). */
  close(): Promise<void>;
}

export interface SaveOptions {
  /** Waits between tries of a failed save (ms); the count is the number of retries. */
  retryDelaysMs?: readonly number[];
  onError?(err: Error, attempt: number): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Loads the credentials (or fresh ones, which means a new pairing) and the key store. The
 * channel keeps one of these per lease, so every socket of that lease shares one save queue.
 */
export async function usePostgresAuthState(db: Db, opts: SaveOptions = {}): Promise<PostgresAuthState> {
  const row = await db.whatsappAuth.findUnique({ where: { id: CREDS_ID } });
  const creds: AuthenticationCreds = row ? deserialise<AuthenticationCreds>(row.value) : initAuthCreds();
  const delays = opts.retryDelaysMs ?? [200, 1_000, 5_000];
  let closed = false;
  // Saves run one after another, each writing the creds as they are when it runs, so a slow
  // earlier save can never overwrite a newer one.
  let queue: Promise<void> = Promise.resolve();
  const write = async () => {
    for (let attempt = 0; ; attempt++) {
      if (closed) return;
      try {
        const value = serialise(creds);
        await db.whatsappAuth.upsert({ where: { id: CREDS_ID }, create: { id: CREDS_ID, value }, update: { value } });
        return;
      } catch (err) {
        opts.onError?.(err as Error, attempt + 1);
        const wait = delays[attempt];
        if (wait === undefined) throw err;
        await sleep(wait);
      }
    }
  };
  return {
    state: { creds, keys: postgresKeyStore(db) },
    saveCreds() {
      if (closed) return Promise.resolve();
      const next = queue.then(write);
      queue = next.catch(() => {});
      return next;
    },
    flush: () => queue,
    async close() {
      closed = true;
      await queue;
    },
  };
}

/** Forgets the linked device entirely (after a logout): the next socket starts a new pairing. */
export async function clearAuthState(db: Db): Promise<void> {
  await db.whatsappAuth.deleteMany({});
}

const LINKED_AT_ID = "meta-linked-at";

/** Records when this device was paired (for the warm-up); cleared with the rest at logout. */
export async function markLinked(db: Db, at: Date): Promise<void> {
  await db.whatsappAuth.upsert({ where: { id: LINKED_AT_ID }, create: { id: LINKED_AT_ID, value: at.toISOString() }, update: { value: at.toISOString() } });
}

/** When the current device was paired, or null when that predates this record (treated as warmed up). */
export async function readLinkedAt(db: Db): Promise<Date | null> {
  const row = await db.whatsappAuth.findUnique({ where: { id: LINKED_AT_ID } });
  return row ? new Date(row.value) : null;
}

/** Whether a linked device is stored: Baileys records the signed device identity on pair-success. */
export async function hasLinkedDevice(db: Db): Promise<boolean> {
  const row = await db.whatsappAuth.findUnique({ where: { id: CREDS_ID } });
  if (!row) return false;
  const creds = deserialise<Partial<AuthenticationCreds>>(row.value);
  return Boolean(creds.account);
}
