// The audit log of admin actions (who, from where, what changed). Written by the core service
// inside the same transaction as the change it records, so there is never one without the
// other; read-only in the panel. Change sets hold field names and short values, never passwords or secrets.
import type { Db, Prisma, Tx } from "../db/client.js";

export interface AuditEntry {
  actorUserId: string | null;
  action: string;
  entity: string;
  entityId?: string | null;
  ip?: string | null;
  changes?: Record<string, unknown>;
}

const SECRET_FIELDS = new Set(["password", "passwordHash", "totpSecret", "token", "_csrf"]);

/** Drops secret fields and bounds long values so the log stays small and safe. */
export function sanitiseChanges(changes: Record<string, unknown>): Prisma.InputJsonObject {
  const out: Record<string, Prisma.InputJsonValue | null> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (SECRET_FIELDS.has(key)) continue;
    if (value === undefined) continue;
    if (value instanceof Date) out[key] = value.toISOString();
    else if (typeof value === "string") out[key] = value.length > 300 ? `${value.slice(0, 300)}…` : value;
    else if (value === null || typeof value === "number" || typeof value === "boolean") out[key] = value;
    else out[key] = JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
  }
  return out;
}

/** Who acted, for the audit row: the signed-in staff member and the address they came from. */
export interface AuditActor {
  userId: string | null;
  ip?: string | null;
}

/** The audit row of a change, written with the change's own transaction client. */
export function auditIn(tx: Tx, actor: AuditActor, action: string, entity: string, entityId: string | null, changes: Record<string, unknown> = {}) {
  return writeAudit(tx, { actorUserId: actor.userId, ip: actor.ip ?? null, action, entity, entityId, changes });
}

export async function writeAudit(db: Db | Tx, entry: AuditEntry) {
  return db.auditLog.create({
    data: {
      actorUserId: entry.actorUserId,
      action: entry.action,
      entity: entry.entity,
      entityId: entry.entityId ?? null,
      ip: entry.ip ?? null,
      changes: sanitiseChanges(entry.changes ?? {}),
    },
  });
}

/** A before/after change set of the fields that differ. */
export function diffFields<T extends Record<string, unknown>>(before: T, after: Partial<T>): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after) as (keyof T & string)[]) {
    const a = before[key];
    const b = after[key];
    if (b === undefined) continue;
    if (JSON.stringify(a) !== JSON.stringify(b)) out[key] = { from: a ?? null, to: b ?? null };
  }
  return out;
}

export interface AuditQuery {
  action?: string;
  entity?: string;
  actorUserId?: string;
  /** Entries at or after this instant, and before `to`. */
  from?: Date;
  to?: Date;
  cursor?: { createdAt: Date; id: string } | null;
  take?: number;
}

/** Newest first, keyset-paginated. */
export async function listAudit(db: Db, q: AuditQuery) {
  const take = q.take ?? 50;
  const rows = await db.auditLog.findMany({
    where: {
      action: q.action ? { startsWith: q.action } : undefined,
      entity: q.entity || undefined,
      actorUserId: q.actorUserId || undefined,
      createdAt: q.from || q.to ? { gte: q.from, lt: q.to } : undefined,
      ...(q.cursor ? { OR: [{ createdAt: { lt: q.cursor.createdAt } }, { createdAt: q.cursor.createdAt, id: { lt: q.cursor.id } }] } : {}),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: take + 1,
    include: { actorUser: { select: { name: true, email: true } } },
  });
  const more = rows.length > take;
  const page = rows.slice(0, take);
  const last = page[page.length - 1];
  return { rows: page, next: more && last ? { createdAt: last.createdAt, id: last.id } : null };
}
