// Who may do what, as one table. The admin panel and the bot both ask `can()`;
// the server enforces it, the UI only hides what it cannot do.
import type { Role, TeamRole } from "./db/generated/enums.js";

export const ACTIONS = [
  "dashboard.view",
  "request.view",
  "request.viewAssigned",
  "request.export",
  "request.changeStatus",
  "request.assignCoaches",
  "request.escalate",
  "request.clarify",
  "request.create",
  "request.edit",
  "request.delete",
  "request.completeEarly",
  "coaching.view",
  "documentation.view",
  "documentation.manage",
  "documentation.upload",
  "module.view",
  "module.manage",
  "testimonial.view",
  "testimonial.manage",
  "user.manage",
  "office.manage",
  "agency.import",
  "calendar.manage",
  "channel.manage",
  "audit.view",
  "inbox.view",
  "inbox.reply",
  "inbox.savedReplies",
  // The coaching programme of seed 002 (core/programme): teams, loci, plans, monitoring.
  "programme.view",
  "programme.manage",
  "programme.settings",
  "monitoring.view",
  "monitoring.manage",
] as const;
export type Action = (typeof ACTIONS)[number];

const ALL_STAFF: readonly Role[] = ["ADMIN", "OPERATOR", "SUPERVISOR", "COACH"];

/** The permission table (SPEKTRAL guide section 4 and the Sibina design). */
export const PERMISSIONS: Record<Action, readonly Role[]> = {
  "dashboard.view": ALL_STAFF,
  "request.view": ["ADMIN", "SUPERVISOR", "OPERATOR"],
  // A coach sees the requests they are assigned to, whichever office they belong to.
  "request.viewAssigned": ["COACH"],
  "request.export": ["ADMIN", "SUPERVISOR"],
  "request.changeStatus": ["SUPERVISOR"],
  "request.assignCoaches": ["SUPERVISOR"],
  "request.escalate": ["SUPERVISOR"],
  "request.clarify": ["SUPERVISOR"],
  "request.create": ["ADMIN"],
  "request.edit": ["ADMIN"],
  "request.delete": ["ADMIN"],
  // Selesai before the coaching's start, with a written reason (audited).
  "request.completeEarly": ["ADMIN"],
  "coaching.view": ALL_STAFF,
  "documentation.view": ALL_STAFF,
  "documentation.manage": ["OPERATOR"],
  // Further limited by canUploadDocumentation: own assignment, request DONE.
  "documentation.upload": ["COACH"],
  "module.view": ALL_STAFF,
  "module.manage": ["OPERATOR"],
  "testimonial.view": ["ADMIN", "SUPERVISOR"],
  "testimonial.manage": ["ADMIN"],
  "user.manage": ["ADMIN"],
  "office.manage": ["ADMIN"],
  "agency.import": ["ADMIN"],
  "calendar.manage": ["ADMIN"],
  "channel.manage": ["ADMIN"],
  "audit.view": ["ADMIN"],
  // The Inbox: conversations of the actor's offices (and below); replying holds the conversation.
  "inbox.view": ["ADMIN", "SUPERVISOR", "OPERATOR"],
  "inbox.reply": ["ADMIN", "SUPERVISOR", "OPERATOR"],
  // Balasan cepat are managed by admins.
  "inbox.savedReplies": ["ADMIN"],
  "programme.view": ALL_STAFF,
  "programme.manage": ALL_STAFF,
  "programme.settings": ["ADMIN"],
  // Tim Monev members reach these through their team role too (TEAM_PERMISSIONS).
  "monitoring.view": ["ADMIN", "SUPERVISOR"],
  "monitoring.manage": ["ADMIN", "SUPERVISOR"],
};

/**
 * Roles on a Tim Pembina (seed 002) that grant an action on that team's office and the offices
 * below it, whatever the person's staff roles: the Tim Monev monitors, the team leads read it.
 */
export const TEAM_PERMISSIONS: Partial<Record<Action, readonly TeamRole[]>> = {
  "monitoring.view": ["TIM_MONEV", "KETUA_PELAKSANA", "KOORDINATOR"],
  "monitoring.manage": ["TIM_MONEV"],
};

export function canAsTeam(teamRoles: readonly TeamRole[], action: Action): boolean {
  return (TEAM_PERMISSIONS[action] ?? []).some((r) => teamRoles.includes(r));
}

export function can(roles: readonly Role[], action: Action): boolean {
  return PERMISSIONS[action].some((r) => roles.includes(r));
}

/**
 * Which offices' records an action reaches. "any": every office's (all staff read every
 * module); "own": only the actor's own office's (an office manages its own modules, so
 * BPS Kota Pekanbaru cannot delete a module of BPS Provinsi Riau, nor the other way round).
 * Request actions reach the actor's office and the offices below it (visibleOfficeIds).
 */
export const OFFICE_SCOPE: Partial<Record<Action, "any" | "own">> = {
  "module.view": "any",
  "module.manage": "own",
};

/** can(), and the record belongs to an office the action reaches. */
export function canOnOffice(roles: readonly Role[], action: Action, where: { actorOfficeId: string; recordOfficeId: string }): boolean {
  if (!can(roles, action)) return false;
  return OFFICE_SCOPE[action] !== "own" || where.actorOfficeId === where.recordOfficeId;
}

/** A coach documents only their own assignments, and only once the coaching is done. */
export function canUploadDocumentation(roles: readonly Role[], ctx: { isAssignedCoach: boolean; status: string }): boolean {
  return can(roles, "documentation.upload") && ctx.isAssignedCoach && ctx.status === "DONE";
}

/** A requester sees a request only through their own identity or their own phone number. */
export function requesterOwns(
  request: { identityId: string | null; requesterId: string | null; requesterPhone: string; picPhone: string },
  who: { identityId?: string | null; requesterId?: string | null; phones?: readonly string[] },
): boolean {
  if (who.identityId && request.identityId === who.identityId) return true;
  if (who.requesterId && request.requesterId === who.requesterId) return true;
  const phones = who.phones ?? [];
  return phones.length > 0 && (phones.includes(request.requesterPhone) || phones.includes(request.picPhone));
}
