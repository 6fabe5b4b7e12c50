// Every admin action leaves an AuditLog row: actor, IP, what and the change set. A change to
// the data is audited by its core service inside the same transaction (core/audit/service.ts,
// auditIn); this helper records only events that change no row of their own: exports, refused
// access, pairing requests and queue retries.
import type { FastifyRequest } from "fastify";
import { writeAudit } from "../../core/audit/service.js";

export function audit(request: FastifyRequest, action: string, entity: string, entityId: string | null, changes: Record<string, unknown> = {}) {
  return writeAudit(request.server.panel.ctx.db, { actorUserId: request.staff?.id ?? null, action, entity, entityId, ip: request.ip, changes });
}

/** Sets a one-time notice for the next page. */
export function flash(request: FastifyRequest, kind: "ok" | "error", key: string, params?: Record<string, string | number>) {
  request.session.flash = { kind, key, params };
}

/** A safe local redirect target (no scheme, no protocol-relative URLs). */
export const localPath = (next: string | undefined, fallback = "/dashboard") =>
  next && /^\/(?![/\\])[\w\-./?=&%]*$/.test(next) && !next.startsWith("/login") ? next : fallback;
