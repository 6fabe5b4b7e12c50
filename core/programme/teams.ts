// Tim Pembina per office per year (seed 002, "Membentuk Tim Pembina"): members in roles, the
// penetapan document (Surat Keputusan, or Surat Tugas before the regulation), the loci it covers.
import { z } from "zod";
import type { Db } from "../db/client.js";
import type { TeamRole } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";
import { audited, officesFor, type ProgrammeActor, requireAgency, requireOffice } from "./access.js";
import { decreeSchema, memberSchema, teamSchema } from "./validation.js";

export async function listTeams(db: Db, actor: ProgrammeActor, q: { officeId?: string; year: number }) {
  const visible = [...(await officesFor(db, actor, "programme.view"))];
  const officeIds = q.officeId ? visible.filter((id) => id === q.officeId) : visible;
  return db.coachingTeam.findMany({
    where: { officeId: { in: officeIds }, year: q.year },
    orderBy: [{ office: { code: "asc" } }, { name: "asc" }],
    include: {
      office: { select: { id: true, name: true, code: true } },
      decreeAttachment: { select: { id: true, fileName: true } },
      members: { include: { user: { select: { id: true, name: true, nip: true } } }, orderBy: { role: "asc" } },
      loci: { include: { agency: { select: { id: true, name: true } } } },
    },
  });
}

export async function getTeam(db: Db, actor: ProgrammeActor, teamId: string) {
  const team = await db.coachingTeam.findUnique({
    where: { id: teamId },
    include: {
      office: true,
      decreeAttachment: { select: { id: true, fileName: true } },
      members: { include: { user: { select: { id: true, name: true, nip: true, email: true } } }, orderBy: { role: "asc" } },
      loci: { include: { agency: true }, orderBy: { agency: { name: "asc" } } },
    },
  });
  if (!team) throw new DomainError("NOT_FOUND", "error.notFound");
  await requireOffice(db, actor, "programme.view", team.officeId);
  return team;
}

export async function createTeam(db: Db, actor: ProgrammeActor, input: z.input<typeof teamSchema>) {
  const data = teamSchema.parse(input);
  await requireOffice(db, actor, "programme.manage", data.officeId);
  const exists = await db.coachingTeam.findFirst({ where: { officeId: data.officeId, year: data.year, name: data.name } });
  if (exists) throw new DomainError("ALREADY_EXISTS", "admin.programme.team.exists");
  return audited(db, actor, { action: "team.create", entity: "CoachingTeam" }, async (tx) => {
    const team = await tx.coachingTeam.create({ data });
    return { result: team, entityId: team.id, changes: data };
  });
}

async function teamToManage(db: Db, actor: ProgrammeActor, teamId: string) {
  const team = await db.coachingTeam.findUnique({ where: { id: teamId } });
  if (!team) throw new DomainError("NOT_FOUND", "error.notFound");
  await requireOffice(db, actor, "programme.manage", team.officeId);
  return team;
}

/** Records the penetapan document; the upload time is when kind 1 was reported. */
export async function setDecree(db: Db, actor: ProgrammeActor, teamId: string, input: z.input<typeof decreeSchema>, attachmentId: string, now = new Date()) {
  const data = decreeSchema.parse(input);
  await teamToManage(db, actor, teamId);
  return audited(db, actor, { action: "team.decree", entity: "CoachingTeam" }, async (tx) => {
    const team = await tx.coachingTeam.update({ where: { id: teamId }, data: { ...data, decreeAttachmentId: attachmentId, decreeUploadedAt: now } });
    return { result: team, entityId: teamId, changes: { ...data, attachmentId } };
  });
}

/** Members are staff of the team's office or the offices around it; one person can be on several teams. */
export async function addMember(db: Db, actor: ProgrammeActor, teamId: string, input: z.input<typeof memberSchema>) {
  const data = memberSchema.parse(input);
  await teamToManage(db, actor, teamId);
  const user = await db.user.findFirst({ where: { id: data.userId, deletedAt: null } });
  if (!user) throw new DomainError("NOT_FOUND", "error.notFound");
  return audited(db, actor, { action: "team.member.add", entity: "CoachingTeam" }, async (tx) => {
    await tx.teamMember.upsert({ where: { teamId_userId_role: { teamId, ...data } }, create: { teamId, ...data }, update: {} });
    return { result: null, entityId: teamId, changes: data };
  });
}

export async function removeMember(db: Db, actor: ProgrammeActor, teamId: string, userId: string, role: TeamRole) {
  await teamToManage(db, actor, teamId);
  return audited(db, actor, { action: "team.member.remove", entity: "CoachingTeam" }, async (tx) => {
    await tx.teamMember.deleteMany({ where: { teamId, userId, role } });
    return { result: null, entityId: teamId, changes: { userId, role } };
  });
}

/** A lokus binaan: an agency of the team's own office. */
export async function addLocus(db: Db, actor: ProgrammeActor, teamId: string, agencyId: string) {
  const team = await teamToManage(db, actor, z.uuid().parse(teamId));
  const agency = await requireAgency(db, actor, "programme.manage", z.uuid().parse(agencyId));
  if (agency.officeId !== team.officeId) throw new DomainError("VALIDATION", "admin.programme.team.locusOtherOffice");
  return audited(db, actor, { action: "team.locus.add", entity: "CoachingTeam" }, async (tx) => {
    await tx.teamLocus.upsert({ where: { teamId_agencyId: { teamId, agencyId } }, create: { teamId, agencyId }, update: {} });
    return { result: null, entityId: teamId, changes: { agencyId, agency: agency.name } };
  });
}

export async function removeLocus(db: Db, actor: ProgrammeActor, teamId: string, agencyId: string) {
  await teamToManage(db, actor, teamId);
  return audited(db, actor, { action: "team.locus.remove", entity: "CoachingTeam" }, async (tx) => {
    await tx.teamLocus.deleteMany({ where: { teamId, agencyId } });
    return { result: null, entityId: teamId, changes: { agencyId } };
  });
}

/** The loci of an office for a year: every agency on one of its teams. */
export async function lociOf(db: Db, officeIds: readonly string[], year: number) {
  const rows = await db.teamLocus.findMany({
    where: { team: { officeId: { in: [...officeIds] }, year } },
    select: { agency: true, team: { select: { officeId: true } } },
  });
  const seen = new Map<string, (typeof rows)[number]["agency"] & { teamOfficeId: string }>();
  for (const r of rows) if (!seen.has(r.agency.id)) seen.set(r.agency.id, { ...r.agency, teamOfficeId: r.team.officeId });
  return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Users who can be put on a team of this office: staff of the office, above it or below it. */
export async function memberCandidates(db: Db, officeId: string) {
  return db.user.findMany({ where: { deletedAt: null, officeId }, orderBy: { name: "asc" }, select: { id: true, name: true, nip: true } });
}
