// Route guards. Permissions come from core/permissions (one table); the server enforces them,
// templates only hide what a role cannot use.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import type { StaffActor } from "../../core/access/index.js";
import { type Action, can, canAsTeam } from "../../core/permissions.js";
import { renderError } from "./errors.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Reachable while a required TOTP setup is pending (profile security, logout). */
    duringTotpSetup?: boolean;
    /** Reachable while a temporary password must still be replaced (the password page). */
    duringPasswordChange?: boolean;
  }
  interface FastifyRequest {
    mustSetupTotp: boolean;
  }
}

async function denyAnonymous(request: FastifyRequest, reply: FastifyReply) {
  if (request.method === "GET" || request.method === "HEAD") {
    const next = request.url.startsWith("/") && !request.url.startsWith("//") ? request.url : "/";
    return reply.redirect(`/login?next=${encodeURIComponent(next)}`);
  }
  // A form sent with a session cookie whose session is gone (expired, or Redis restarted empty):
  // say plainly that the change was not saved, rather than a bare "sign in first".
  const cookieName = request.server.panel?.cookie.name;
  if (cookieName && request.cookies?.[cookieName]) return renderError(request, reply, 401, "admin.error.sessionLost");
  return renderError(request, reply, 401, "admin.error.signInFirst");
}

/** Signed in, and (when given) allowed at least one of the actions. */
export function allow(...actions: Action[]): onRequestAsyncHookHandler {
  return async function guard(request, reply) {
    const staff = request.staff;
    if (!staff) return denyAnonymous(request, reply);
    // A temporary password (new account, admin reset) is replaced before anything else.
    if (staff.mustChangePassword && !request.routeOptions.config.duringPasswordChange) return reply.redirect("/profile/password?required=1");
    if (request.mustSetupTotp && !request.routeOptions.config.duringTotpSetup) return reply.redirect("/profile/security?required=1");
    const teamRoles = staff.teamMemberships.map((m) => m.role);
    if (actions.length > 0 && !actions.some((a) => can(staff.roles, a) || canAsTeam(teamRoles, a))) return renderError(request, reply, 403, "error.forbidden");
  };
}

/** The staff member as the core services want them. */
/** The signed-in staff member acting on their own account (for the audit row). */
export function selfOf(request: FastifyRequest): { userId: string; ip: string } {
  const s = request.staff;
  if (!s) throw new Error("selfOf: not signed in (route is missing its guard)");
  return { userId: s.id, ip: request.ip };
}

export function actorOf(request: FastifyRequest): StaffActor {
  const s = request.staff;
  if (!s) throw new Error("actorOf: not signed in (route is missing its guard)");
  return { userId: s.id, roles: s.roles, officeId: s.officeId, ip: request.ip };
}
