// What every programme page reads from the request: the acting staff member, the current
// year on their office's clock, and the office chosen among those they may see.
import type { FastifyRequest } from "fastify";
import type { Role } from "../../../core/db/generated/enums.js";
import { officeNodes, officesFor, type ProgrammeActor } from "../../../core/programme/access.js";
import { toLocal } from "../../../core/validation/datetime.js";

export const programmeActor = (request: FastifyRequest): ProgrammeActor => {
  const s = request.staff;
  if (!s) throw new Error("programmeActor: not signed in");
  return { userId: s.id, roles: s.roles as Role[], officeId: s.officeId, ip: request.ip };
};

export const currentYear = (request: FastifyRequest) => toLocal(new Date(), request.staff?.office.timeZone ?? "WIB").year;

/** The offices a page can show, with the chosen one (the actor's own by default). */
export async function officeChoice(request: FastifyRequest, action: "programme.view" | "monitoring.view", wanted: string | undefined) {
  const { db } = request.server.panel.ctx;
  const tree = await officeNodes(db);
  const allowed = await officesFor(db, programmeActor(request), action, tree);
  const offices = tree.filter((o) => allowed.has(o.id));
  const chosen = offices.find((o) => o.id === wanted) ?? offices.find((o) => o.id === request.staff?.officeId) ?? offices[0];
  return { offices, chosen };
}
