// Rencana Kerja Pembinaan per lokus per year, and its realisation: coachings BPS starts itself
// (pembinaan inisiatif BPS, from a plan item or ad hoc, past dates allowed) and chat requests
// linked to a plan item. A DONE coaching linked to an item counts as that item's realisation.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { getRequestForStaff } from "../access/index.js";
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { assignmentIntents, documentationReminderIntents, letterIntents, picReminderIntent } from "../notifications/intents.js";
import { TIME_ZONES } from "../reference/index.js";
import { eligibleCoaches } from "../requests/service.js";
import { assignTicketCode, provisionalTicketCode } from "../requests/tickets.js";
import { fieldSchemas } from "../validation/request.js";
import { audited, officesFor, type ProgrammeActor, requireAgency, requireOffice } from "./access.js";
import { type PlanItemInput, planItemSchema } from "./validation.js";

/** The guideline asks for at least five coaching activities per lokus per year. */
export const MIN_PLAN_ITEMS = 5;

export async function listPlan(db: Db, actor: ProgrammeActor, agencyId: string, year: number) {
  const agency = await requireAgency(db, actor, "programme.view", agencyId);
  const items = await db.workPlan.findMany({
    where: { agencyId, year },
    orderBy: [{ plannedDate: "asc" }, { createdAt: "asc" }],
    include: { realisations: { where: { deletedAt: null }, select: { id: true, code: true, status: true, startAt: true, initiative: true } } },
  });
  return { agency, items, tooFew: items.length < MIN_PLAN_ITEMS };
}

/** BPS-funded fullday meetings planned by an office in a year, against its allocation. */
export async function fulldayUse(db: Db, officeId: string, year: number) {
  const [planned, allocation] = await Promise.all([
    db.workPlan.count({ where: { officeId, year, fullday: true, organiser: "BPS" } }),
    db.fulldayAllocation.findUnique({ where: { officeId_year: { officeId, year } } }),
  ]);
  return { planned, allocation: allocation?.count ?? null, over: allocation ? planned > allocation.count : false };
}

export async function addPlanItem(db: Db, actor: ProgrammeActor, input: PlanItemInput) {
  const data = planItemSchema.parse(input);
  const agency = await requireAgency(db, actor, "programme.manage", data.agencyId);
  if (data.plannedDate.getUTCFullYear() !== data.year) throw new DomainError("VALIDATION", "admin.programme.plan.dateOutsideYear");
  return audited(db, actor, { action: "plan.create", entity: "WorkPlan" }, async (tx) => {
    const item = await tx.workPlan.create({ data: { ...data, note: data.note ?? null, officeId: agency.officeId } });
    return { result: item, entityId: item.id, changes: { activity: data.activity, plannedDate: data.plannedDate, fullday: data.fullday } };
  });
}

export async function deletePlanItem(db: Db, actor: ProgrammeActor, id: string) {
  const item = await db.workPlan.findUnique({ where: { id } });
  if (!item) throw new DomainError("NOT_FOUND", "error.notFound");
  await requireOffice(db, actor, "programme.manage", item.officeId);
  return audited(db, actor, { action: "plan.delete", entity: "WorkPlan" }, async (tx) => {
    await tx.coachingRequest.updateMany({ where: { workPlanId: id }, data: { workPlanId: null } });
    await tx.workPlan.delete({ where: { id } });
    return { result: item, entityId: id, changes: { activity: item.activity } };
  });
}

export const bpsCoachingSchema = z
  .object({
    agencyId: z.uuid(),
    workPlanId: z.preprocess((v) => (v === "" ? undefined : v), z.uuid().optional()),
    // The same rules as the chat form's fields.
    serviceType: fieldSchemas.serviceType,
    topics: fieldSchemas.topics,
    description: fieldSchemas.description,
    location: fieldSchemas.location,
    mode: fieldSchemas.mode,
    startAt: z.date(),
    endAt: z.date(),
    coachIds: z.array(z.uuid()).min(1, { message: "coach_required" }).max(20),
  })
  .refine((v) => v.endAt > v.startAt, { message: "end_before_start", path: ["endAt"] });
export type BpsCoachingInput = z.input<typeof bpsCoachingSchema>;

/**
 * Records a BPS-initiated coaching with its coaches. One already over (backfill) is DONE at once and
 * its coaches are asked for documentation; a future one is APPROVED and gets the usual notices.
 */
export async function createBpsCoaching(db: Db, actor: ProgrammeActor, input: BpsCoachingInput, now = new Date()) {
  const data = bpsCoachingSchema.parse(input);
  const agency = await requireAgency(db, actor, "programme.manage", data.agencyId);
  if (data.workPlanId) {
    const item = await db.workPlan.findUnique({ where: { id: data.workPlanId } });
    if (item?.agencyId !== agency.id) throw new DomainError("NOT_FOUND", "error.notFound");
  }
  const eligible = new Set((await eligibleCoaches(db, agency.officeId)).map((c) => c.id));
  const coachIds = [...new Set(data.coachIds)];
  if (coachIds.some((id) => !eligible.has(id))) throw new DomainError("COACH_NOT_ELIGIBLE", "error.coachNotEligible");
  const office = await db.office.findUniqueOrThrow({ where: { id: agency.officeId } });
  const staff = await db.user.findUniqueOrThrow({ where: { id: actor.userId } });
  const contactPhone = agency.walidataContactWhatsapp ?? agency.epssContactWhatsapp ?? null;
  const contactName = agency.walidataContactName ?? agency.epssContactName ?? staff.name;
  const done = data.endAt <= now;
  return audited(db, actor, { action: "coaching.bps.create", entity: "CoachingRequest" }, async (tx) => {
    const id = randomUUID();
    const request = await tx.coachingRequest.create({
      data: {
        id,
        code: provisionalTicketCode(id),
        requesterName: staff.name,
        requesterNip: staff.nip,
        requesterPhone: contactPhone ?? office.whatsapp ?? office.phone ?? "-",
        requesterEmail: agency.email ?? staff.email,
        agencyId: agency.id,
        agencyName: agency.name,
        agencyLevel: agency.level,
        isDataProducer: agency.isDataProducer,
        serviceType: data.serviceType,
        topics: data.topics,
        description: data.description,
        location: data.location,
        mode: data.mode,
        startAt: data.startAt,
        endAt: data.endAt,
        picName: contactName,
        picPhone: contactPhone ?? "-",
        status: done ? "DONE" : "APPROVED",
        officeId: agency.officeId,
        channel: "web",
        initiative: "BPS",
        workPlanId: data.workPlanId ?? null,
        createdAt: new Date(now.getTime() - 4),
      },
    });
    // The same lawful trail as a chat request takes, recorded at once.
    const trail = done ? (["SUBMITTED", "IN_REVIEW", "APPROVED", "DONE"] as const) : (["SUBMITTED", "IN_REVIEW", "APPROVED"] as const);
    let from: (typeof trail)[number] | null = null;
    // A millisecond apart, so the trail keeps its order (and ends no later than now).
    for (const [k, to] of trail.entries()) {
      await tx.statusChange.create({
        data: {
          requestId: id,
          fromStatus: from,
          toStatus: to,
          actorUserId: actor.userId,
          note: to === "SUBMITTED" ? "BPS" : null,
          createdAt: new Date(now.getTime() - 4 + k),
        },
      });
      from = to;
    }
    await tx.assignment.createMany({ data: coachIds.map((coachId) => ({ requestId: id, coachId, assignedById: actor.userId })) });
    const rows = [...assignmentIntents(request, coachIds, now), ...(done ? [] : letterIntents(request, coachIds))];
    if (contactPhone) rows.push(...picReminderIntent(request, now));
    if (done) rows.push(...documentationReminderIntents(request, coachIds, now));
    await tx.outbox.createMany({ data: rows, skipDuplicates: true });
    const year = new Date(now.getTime() + TIME_ZONES[office.timeZone].offsetMinutes * 60_000).getUTCFullYear();
    const code = await assignTicketCode(tx, id, year);
    return {
      result: { ...request, code },
      entityId: id,
      changes: { code, agency: agency.name, workPlanId: data.workPlanId ?? null, coachIds, backfill: done },
    };
  });
}

/** Links (or unlinks, with null) a coaching, e.g. one requested in chat, to a plan item of its lokus. */
export async function linkToPlan(db: Db, actor: ProgrammeActor, requestId: string, workPlanId: string | null) {
  const request = await getRequestForStaff(db, actor, requestId);
  await requireOffice(db, actor, "programme.manage", request.officeId);
  if (workPlanId) {
    const item = await db.workPlan.findUnique({ where: { id: workPlanId } });
    if (!item || (request.agencyId && item.agencyId !== request.agencyId)) throw new DomainError("NOT_FOUND", "error.notFound");
    if (!(await officesFor(db, actor, "programme.manage")).has(item.officeId)) throw new DomainError("NOT_FOUND", "error.notFound");
  }
  return audited(db, actor, { action: "coaching.link", entity: "CoachingRequest" }, async (tx) => {
    await tx.coachingRequest.update({ where: { id: requestId }, data: { workPlanId } });
    return { result: null, entityId: requestId, changes: { from: request.workPlanId, to: workPlanId } };
  });
}
