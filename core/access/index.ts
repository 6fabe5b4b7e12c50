// Who may see what: the staff member acting, the offices they reach (their own and those
// below it), and the one way to load a request on their behalf. Permissions per action are
// the table in core/permissions.ts; this module adds the office dimension.
import type { Db, Tx } from "../db/client.js";
import type { Role } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { can } from "../permissions.js";
import { selfAndDescendantIds } from "../requests/routing.js";

export interface StaffActor {
  userId: string;
  roles: readonly Role[];
  officeId: string;
  /** Where the staff member came from, for the audit row. */
  ip?: string | null;
}

/** The office tree (small: a few hundred rows at most). */
export const officeTree = (db: Db | Tx) => db.office.findMany({ select: { id: true, level: true, parentId: true, timeZone: true, active: true } });

/**
 * The offices a staff member sees, with code and name for the list pages' office filter, in code
 * order: one query serves both the scope and the filter's options.
 */
export async function visibleOffices(db: Db | Tx, actor: { officeId: string }) {
  const tree = await db.office.findMany({ select: { id: true, level: true, parentId: true, timeZone: true, active: true, code: true, name: true } });
  const ids = new Set(selfAndDescendantIds(actor.officeId, tree));
  return tree
    .filter((o) => ids.has(o.id))
    .map(({ id, code, name }) => ({ id, code, name }))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

/** Offices whose requests a staff member may see: their own and those below it. */
export async function visibleOfficeIds(db: Db | Tx, actor: { officeId: string }): Promise<string[]> {
  return selfAndDescendantIds(actor.officeId, await officeTree(db));
}

/** Loads a request the actor may see, or throws NOT_FOUND (never reveals that it exists). */
export async function getRequestForStaff(db: Db | Tx, actor: StaffActor, requestId: string) {
  const request = await db.coachingRequest.findFirst({ where: { id: requestId, deletedAt: null } });
  if (!request) throw new DomainError("NOT_FOUND", "error.notFound");
  const assigned = can(actor.roles, "request.viewAssigned") ? await db.assignment.findFirst({ where: { requestId, coachId: actor.userId } }) : null;
  const inScope = (await visibleOfficeIds(db, actor)).includes(request.officeId);
  const allowed = (inScope && can(actor.roles, "request.view")) || assigned !== null;
  if (!allowed) throw new DomainError("NOT_FOUND", "error.notFound");
  return request;
}
