// Who reaches which office's programme records. Staff roles reach the actor's office and the
// offices below it (as requests do); a Tim Pembina role (e.g. Tim Monev) reaches its team's
// office and the offices below it for the actions TEAM_PERMISSIONS grants. Every service asks here.

import type { StaffActor } from "../access/index.js";
import { writeAudit } from "../audit/service.js";
import type { Db, Tx } from "../db/client.js";
import type { TeamRole } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { type Action, can, canAsTeam } from "../permissions.js";
import { selfAndDescendantIds } from "../requests/routing.js";

/** A staff member acting on the programme, with the address the audit log records. */
export interface ProgrammeActor extends StaffActor {
  ip?: string | null;
}

export type OfficeNodeTz = {
  id: string;
  parentId: string | null;
  level: "NATIONAL" | "PROVINCE" | "REGENCY";
  timeZone: "WIB" | "WITA" | "WIT";
  name: string;
  code: string;
};

export const officeNodes = (db: Db | Tx): Promise<OfficeNodeTz[]> =>
  db.office.findMany({ select: { id: true, parentId: true, level: true, timeZone: true, name: true, code: true }, orderBy: { code: "asc" } });

/** The offices where the actor may do this action. */
export async function officesFor(db: Db | Tx, actor: StaffActor, action: Action, offices?: OfficeNodeTz[]): Promise<Set<string>> {
  const tree = offices ?? (await officeNodes(db));
  const out = new Set<string>();
  if (can(actor.roles, action)) for (const id of selfAndDescendantIds(actor.officeId, tree)) out.add(id);
  const memberships = await db.teamMember.findMany({ where: { userId: actor.userId }, select: { role: true, team: { select: { officeId: true } } } });
  const byOffice = new Map<string, TeamRole[]>();
  for (const m of memberships) byOffice.set(m.team.officeId, [...(byOffice.get(m.team.officeId) ?? []), m.role]);
  for (const [officeId, roles] of byOffice) if (canAsTeam(roles, action)) for (const id of selfAndDescendantIds(officeId, tree)) out.add(id);
  return out;
}

/**
 * Throws unless the actor may do this action on this office's records. An office the actor cannot
 * even see answers NOT_FOUND, as requests do, so nothing is learnt about it.
 */
export async function requireOffice(db: Db | Tx, actor: StaffActor, action: Action, officeId: string): Promise<void> {
  if ((await officesFor(db, actor, action)).has(officeId)) return;
  const visible = await officesFor(db, actor, "programme.view");
  if (!visible.has(officeId)) throw new DomainError("NOT_FOUND", "error.notFound");
  throw new DomainError("FORBIDDEN", "error.forbidden");
}

/** A lokus (agency) belongs to the office that covers its region; FORBIDDEN/NOT_FOUND as above. */
export async function requireAgency(db: Db | Tx, actor: StaffActor, action: Action, agencyId: string) {
  const agency = await db.agency.findUnique({ where: { id: agencyId } });
  if (!agency?.officeId) throw new DomainError("NOT_FOUND", "error.notFound");
  await requireOffice(db, actor, action, agency.officeId);
  return agency as typeof agency & { officeId: string };
}

/** Runs a change and its audit row in one transaction. */
export async function audited<T>(
  db: Db,
  actor: ProgrammeActor,
  what: { action: string; entity: string },
  change: (tx: Tx) => Promise<{ result: T; entityId: string | null; changes?: Record<string, unknown> }>,
): Promise<T> {
  return db.$transaction(async (tx) => {
    const { result, entityId, changes } = await change(tx);
    await writeAudit(tx, { actorUserId: actor.userId, action: what.action, entity: what.entity, entityId, ip: actor.ip ?? null, changes });
    return result;
  });
}
