// Programme pages (seed 002): Tim Pembina, lokus binaan (contacts, inventory, EPSS candidates,
// work plan, BPS-initiated coachings), deadlines and allocations, and the semester monitoring.
// Every change goes through core/programme (permission, audit row, outbox in one transaction).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { DomainError } from "../../../core/errors.js";
import type { MessageKey } from "../../../core/messages/index.js";
import { officeNodes, officesFor } from "../../../core/programme/access.js";
import { applyInventoryImport, inventoryTemplate, previewInventoryImport } from "../../../core/programme/inventory-import.js";
import { DEFAULT_LETTER_FORMAT } from "../../../core/programme/letters.js";
import {
  addEpssCandidate,
  addInventoryItem,
  contactStatus,
  deleteEpssCandidate,
  deleteInventoryItem,
  getLocus,
  listEpss,
  listInventory,
  updateContact,
} from "../../../core/programme/loci.js";
import { deadlinesOf, setAllocation, setDeadline, setLetterFormat } from "../../../core/programme/monev.js";
import { addPlanItem, createBpsCoaching, deletePlanItem, fulldayUse, linkToPlan, listPlan } from "../../../core/programme/plans.js";
import { COLLECTION_METHODS, DATA_USES, DECREE_TYPES, REPORT_KINDS, TEAM_ROLES } from "../../../core/programme/reference.js";
import { setShareable } from "../../../core/programme/sharing.js";
import {
  addLocus,
  addMember,
  createTeam,
  getTeam,
  listTeams,
  lociOf,
  memberCandidates,
  removeLocus,
  removeMember,
  setDecree,
} from "../../../core/programme/teams.js";
import { CONTACT_FIELDS } from "../../../core/programme/validation.js";
import { eligibleCoaches } from "../../../core/requests/service.js";
import { ACCEPTED_TYPES } from "../../../core/storage/index.js";
import { fromLocal } from "../../../core/validation/datetime.js";
import { flash } from "../../http/audit.js";
import { bool, type FormBody, list, queryOf, str } from "../../http/forms.js";
import { allow } from "../../http/guard.js";
import { readMultipart, storeFiles } from "../../http/uploads.js";
import { monitoringRoutes } from "./monitoring.js";
import { currentYear, officeChoice, programmeActor } from "./request.js";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PDF_ONLY = { "application/pdf": ACCEPTED_TYPES["application/pdf"]! };
const XLSX_ONLY = { [XLSX]: ACCEPTED_TYPES[XLSX]! };

const uuid = (v: unknown) => z.uuid().parse(v);
const idParam = (request: FastifyRequest, name = "id") => uuid((request.params as Record<string, string>)[name]);
const yearOf = (request: FastifyRequest, raw: string | undefined) =>
  z.coerce
    .number()
    .int()
    .min(2020)
    .max(2100)
    .catch(currentYear(request))
    .parse(raw ?? "");

/** A refused form field shows as a notice on the page it came from (the form is short). */
async function back(request: FastifyRequest, reply: FastifyReply, to: string, work: () => Promise<unknown>, ok: MessageKey = "admin.programme.saved") {
  try {
    await work();
    flash(request, "ok", ok);
  } catch (e) {
    if (e instanceof z.ZodError) flash(request, "error", "error.validation");
    else if (e instanceof DomainError && e.code !== "NOT_FOUND" && e.code !== "FORBIDDEN") flash(request, "error", e.messageKey, e.params);
    else throw e;
  }
  return reply.redirect(to);
}

export async function programmeRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  const db = ctx.db;

  app.get("/programme", { onRequest: allow("programme.view") }, async (request, reply) => {
    const q = queryOf(request.query);
    const year = yearOf(request, q.year);
    const { offices, chosen } = await officeChoice(request, "programme.view", q.office);
    if (!chosen) return reply.callNotFound();
    const actor = programmeActor(request);
    const [teams, loci, fullday, manageable] = await Promise.all([
      listTeams(db, actor, { officeId: chosen.id, year }),
      lociOf(db, [chosen.id], year),
      fulldayUse(db, chosen.id, year),
      officesFor(db, actor, "programme.manage"),
    ]);
    const planCounts = await db.workPlan.groupBy({ by: ["agencyId"], where: { agencyId: { in: loci.map((l) => l.id) }, year }, _count: true });
    const countOf = new Map(planCounts.map((p) => [p.agencyId, p._count]));
    const rows = loci.map((l) => ({ ...l, contact: contactStatus(l), plans: countOf.get(l.id) ?? 0 }));
    return reply.view("programme/overview", {
      title: reply.locals?.t("admin.programme.title"),
      offices,
      office: chosen,
      year,
      teams,
      loci: rows,
      fullday,
      canManage: manageable.has(chosen.id),
    });
  });

  app.post("/programme/teams", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const body = request.body as FormBody;
    const input = { officeId: str(body, "officeId"), year: str(body, "year"), name: str(body, "name") };
    let to = `/programme?office=${encodeURIComponent(input.officeId)}&year=${encodeURIComponent(input.year)}`;
    return back(request, reply, to, async () => {
      const team = await createTeam(db, programmeActor(request), input);
      to = `/programme/teams/${team.id}`;
    });
  });

  app.get("/programme/teams/:id", { onRequest: allow("programme.view") }, async (request, reply) => {
    const actor = programmeActor(request);
    const team = await getTeam(db, actor, idParam(request));
    const canManage = (await officesFor(db, actor, "programme.manage")).has(team.officeId);
    const [people, agencies] = canManage
      ? await Promise.all([
          memberCandidates(db, team.officeId),
          db.agency.findMany({ where: { officeId: team.officeId }, orderBy: { name: "asc" }, select: { id: true, name: true } }),
        ])
      : [[], []];
    return reply.view("programme/team", {
      title: team.name,
      team,
      canManage,
      people,
      agencies: agencies.filter((a) => !team.loci.some((l) => l.agencyId === a.id)),
      roles: TEAM_ROLES,
      decreeTypes: DECREE_TYPES,
    });
  });

  app.post("/programme/teams/:id/members", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    const body = request.body as FormBody;
    return back(request, reply, `/programme/teams/${id}`, () =>
      addMember(db, programmeActor(request), id, { userId: str(body, "userId"), role: str(body, "role") } as Parameters<typeof addMember>[3]),
    );
  });
  app.post("/programme/teams/:id/members/remove", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    const body = request.body as FormBody;
    const role = z.enum(TEAM_ROLES.map((r) => r.code) as [string, ...string[]]).parse(str(body, "role")) as (typeof TEAM_ROLES)[number]["code"];
    return back(
      request,
      reply,
      `/programme/teams/${id}`,
      () => removeMember(db, programmeActor(request), id, uuid(str(body, "userId")), role),
      "admin.programme.removed",
    );
  });
  app.post("/programme/teams/:id/loci", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    return back(request, reply, `/programme/teams/${id}`, () => addLocus(db, programmeActor(request), id, str(request.body as FormBody, "agencyId")));
  });
  app.post("/programme/teams/:id/loci/remove", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    return back(
      request,
      reply,
      `/programme/teams/${id}`,
      () => removeLocus(db, programmeActor(request), id, uuid(str(request.body as FormBody, "agencyId"))),
      "admin.programme.removed",
    );
  });
  app.post("/programme/teams/:id/decree", { onRequest: allow("programme.manage"), config: { multipart: true } }, async (request, reply) => {
    const id = idParam(request);
    const actor = programmeActor(request);
    await getTeam(db, actor, id);
    const { body, files } = await readMultipart(request, ["file"]);
    const staged = files.file ?? [];
    if (staged.length !== 1) {
      flash(request, "error", "admin.module.oneFile");
      return reply.redirect(`/programme/teams/${id}`);
    }
    const stored = await storeFiles(ctx, request, staged, { uploadedById: actor.userId, allowed: PDF_ONLY });
    if (!stored.ok) {
      flash(request, "error", `admin.upload.${stored.reason}` as MessageKey);
      return reply.redirect(`/programme/teams/${id}`);
    }
    return back(request, reply, `/programme/teams/${id}`, () =>
      setDecree(
        db,
        actor,
        id,
        { decreeType: str(body, "decreeType"), decreeNumber: str(body, "decreeNumber") } as Parameters<typeof setDecree>[3],
        stored.attachmentIds[0]!,
      ),
    );
  });

  // ---- A lokus binaan: contact record, inventory, EPSS candidates, work plan, coachings.
  app.get("/programme/loci/:id", { onRequest: allow("programme.view") }, async (request, reply) => {
    const actor = programmeActor(request);
    const agencyId = idParam(request);
    const year = yearOf(request, queryOf(request.query).year);
    const { agency, updatedBy } = await getLocus(db, actor, agencyId);
    const [inventory, epss, plan, fullday, manageable, coaches, requests] = await Promise.all([
      listInventory(db, actor, agencyId),
      listEpss(db, actor, agencyId, year),
      listPlan(db, actor, agencyId, year),
      fulldayUse(db, agency.officeId, year),
      officesFor(db, actor, "programme.manage"),
      eligibleCoaches(db, agency.officeId),
      db.coachingRequest.findMany({
        where: { agencyId, deletedAt: null, initiative: "NON_BPS", status: { in: ["APPROVED", "DONE"] } },
        orderBy: { startAt: "desc" },
        take: 20,
        select: { id: true, code: true, startAt: true, status: true, workPlanId: true },
      }),
    ]);
    return reply.view("programme/locus", {
      title: reply.locals?.t("admin.programme.locus.title", { name: agency.name }),
      agency,
      updatedBy,
      contact: contactStatus(agency),
      contactFields: CONTACT_FIELDS,
      year,
      inventory,
      epss,
      plan,
      fullday,
      coaches,
      requests,
      canManage: manageable.has(agency.officeId),
      methods: COLLECTION_METHODS,
      uses: DATA_USES,
      zone: (await db.office.findUniqueOrThrow({ where: { id: agency.officeId }, select: { timeZone: true } })).timeZone,
    });
  });

  app.post("/programme/loci/:id/contact", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    const body = request.body as FormBody;
    const input = Object.fromEntries(CONTACT_FIELDS.map((f) => [f, str(body, f)]));
    return back(request, reply, `/programme/loci/${id}#contact`, () => updateContact(db, programmeActor(request), id, input));
  });

  app.post("/programme/loci/:id/inventory", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    const b = request.body as FormBody;
    const input = {
      title: str(b, "title"),
      period: str(b, "period"),
      lastHeld: str(b, "lastHeld"),
      producerUnit: str(b, "producerUnit"),
      method: str(b, "method"),
      mainIndicator: str(b, "mainIndicator"),
      priority: str(b, "priority"),
      dataUse: str(b, "dataUse"),
    };
    return back(request, reply, `/programme/loci/${id}#inventory`, () => addInventoryItem(db, programmeActor(request), id, input));
  });
  app.post("/programme/inventory/:id/delete", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const item = await deleteInventoryItem(db, programmeActor(request), idParam(request));
    flash(request, "ok", "admin.programme.removed");
    return reply.redirect(`/programme/loci/${item.agencyId}#inventory`);
  });

  app.post("/programme/loci/:id/epss", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    const b = request.body as FormBody;
    const year = str(b, "year");
    const input = {
      agencyId: id,
      year,
      activityName: str(b, "activityName"),
      activityYear: str(b, "activityYear"),
      method: str(b, "method"),
      producer: str(b, "producer"),
      echelon2Unit: str(b, "echelon2Unit"),
      reason: str(b, "reason"),
      note: str(b, "note"),
      inventoryItemId: str(b, "inventoryItemId"),
    };
    // Picked from the inventory: its fields fill whatever was left empty.
    if (input.inventoryItemId) {
      const item = await db.inventoryItem.findFirst({ where: { id: uuid(input.inventoryItemId), agencyId: id } });
      if (item) {
        input.activityName ||= item.title;
        input.activityYear ||= item.lastHeld.slice(0, 4);
        input.method ||= item.method;
        input.producer ||= item.producerUnit;
      }
    }
    return back(request, reply, `/programme/loci/${id}?year=${encodeURIComponent(year)}#epss`, () => addEpssCandidate(db, programmeActor(request), input));
  });
  app.post("/programme/epss/:id/delete", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const row = await deleteEpssCandidate(db, programmeActor(request), idParam(request));
    flash(request, "ok", "admin.programme.removed");
    return reply.redirect(`/programme/loci/${row.agencyId}?year=${row.year}#epss`);
  });

  app.post("/programme/loci/:id/plan", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    const b = request.body as FormBody;
    const year = str(b, "year");
    const input = {
      agencyId: id,
      year,
      activity: str(b, "activity"),
      plannedDate: str(b, "plannedDate"),
      mechanism: str(b, "mechanism"),
      organiser: str(b, "organiser"),
      fullday: bool(b, "fullday"),
      expectedOutput: str(b, "expectedOutput"),
      note: str(b, "note"),
    };
    return back(request, reply, `/programme/loci/${id}?year=${encodeURIComponent(year)}#plan`, () =>
      addPlanItem(db, programmeActor(request), input as Parameters<typeof addPlanItem>[2]),
    );
  });
  app.post("/programme/plan/:id/delete", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const item = await deletePlanItem(db, programmeActor(request), idParam(request));
    flash(request, "ok", "admin.programme.removed");
    return reply.redirect(`/programme/loci/${item.agencyId}?year=${item.year}#plan`);
  });

  app.post("/programme/loci/:id/coachings", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    const b = request.body as FormBody;
    const office = await db.agency.findUnique({ where: { id }, select: { office: { select: { timeZone: true } } } });
    const zone = office?.office?.timeZone ?? "WIB";
    const local = (v: string) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(v);
      return m ? fromLocal({ year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]! }, zone) : new Date(Number.NaN);
    };
    const input = {
      agencyId: id,
      workPlanId: str(b, "workPlanId"),
      serviceType: str(b, "serviceType"),
      topics: list(b, "topics"),
      description: str(b, "description"),
      location: str(b, "location"),
      mode: str(b, "mode"),
      startAt: local(str(b, "start")),
      endAt: local(str(b, "end")),
      coachIds: list(b, "coachIds"),
    };
    let code = "";
    const res = await back(
      request,
      reply,
      `/programme/loci/${id}#coaching`,
      async () => {
        code = (await createBpsCoaching(db, programmeActor(request), input as Parameters<typeof createBpsCoaching>[2])).code;
      },
      "admin.programme.coaching.created",
    );
    if (code && request.session.flash) request.session.flash.params = { code };
    return res;
  });

  app.post("/programme/requests/:id/plan", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const id = idParam(request);
    const b = request.body as FormBody;
    const plan = str(b, "workPlanId");
    const agencyId = uuid(str(b, "agencyId"));
    return back(
      request,
      reply,
      `/programme/loci/${agencyId}#links`,
      () => linkToPlan(db, programmeActor(request), id, plan ? uuid(plan) : null),
      "admin.programme.coaching.linked",
    );
  });

  // ---- Documentation an operator shares with the agency that asked for the coaching (PIC in chat).
  app.post("/programme/documentation/:id/share", { onRequest: allow("documentation.manage") }, async (request, reply) => {
    const id = idParam(request);
    await setShareable(db, programmeActor(request), id, str(request.body as FormBody, "shareable") === "1");
    flash(request, "ok", "admin.programme.saved");
    return reply.redirect("/documentation");
  });

  // ---- Inventory import: check every row first, then save all or nothing.
  app.get("/programme/import", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const { chosen } = await officeChoice(request, "programme.view", queryOf(request.query).office);
    if (!chosen) return reply.callNotFound();
    return reply.view("programme/import", { title: reply.locals?.t("admin.programme.import.title"), office: chosen, preview: null, attachmentId: null });
  });
  app.get("/programme/import/template.xlsx", { onRequest: allow("programme.view") }, async (_request, reply) =>
    reply
      .header("content-type", XLSX)
      .header("content-disposition", 'attachment; filename="inventaris-kegiatan-statistik.xlsx"')
      .send(await inventoryTemplate()),
  );
  app.post("/programme/import", { onRequest: allow("programme.manage"), config: { multipart: true } }, async (request, reply) => {
    const actor = programmeActor(request);
    const { body, files } = await readMultipart(request, ["file"]);
    const officeId = uuid(str(body, "officeId"));
    const office = await db.office.findUniqueOrThrow({ where: { id: officeId } });
    const staged = files.file ?? [];
    const render = (extra: Record<string, unknown>, code = 200) => {
      reply.code(code);
      return reply.view("programme/import", { title: reply.locals?.t("admin.programme.import.title"), office, preview: null, attachmentId: null, ...extra });
    };
    if (staged.length !== 1) return render({ error: "admin.module.oneFile" }, 422);
    const stored = await storeFiles(ctx, request, staged, { uploadedById: actor.userId, allowed: XLSX_ONLY });
    if (!stored.ok) return render({ error: `admin.upload.${stored.reason}` }, 415);
    const attachment = await db.attachment.findUniqueOrThrow({ where: { id: stored.attachmentIds[0]! } });
    try {
      const preview = await previewInventoryImport(db, actor, officeId, await ctx.storage.get(attachment.storageKey));
      return render({ preview, attachmentId: attachment.id });
    } catch (e) {
      if (e instanceof DomainError && e.code === "VALIDATION") return render({ error: e.messageKey }, 422);
      throw e;
    }
  });
  app.post("/programme/import/apply", { onRequest: allow("programme.manage") }, async (request, reply) => {
    const actor = programmeActor(request);
    const b = request.body as FormBody;
    const officeId = uuid(str(b, "officeId"));
    // Only the file this person uploaded for the preview is applied.
    const attachment = await db.attachment.findFirst({ where: { id: uuid(str(b, "attachmentId")), uploadedById: actor.userId } });
    if (!attachment) return reply.callNotFound();
    try {
      const counts = await applyInventoryImport(db, actor, officeId, await ctx.storage.get(attachment.storageKey));
      flash(request, "ok", "admin.programme.import.done", counts);
      return reply.redirect(`/programme?office=${officeId}`);
    } catch (e) {
      if (!(e instanceof DomainError && e.code === "VALIDATION")) throw e;
      flash(request, "error", e.messageKey);
      return reply.redirect(`/programme/import?office=${officeId}`);
    }
  });

  // ---- Deadlines per year and kind, fullday allocations: admins.
  app.get("/programme/settings", { onRequest: allow("programme.settings") }, async (request, reply) => {
    const year = yearOf(request, queryOf(request.query).year);
    const actor = programmeActor(request);
    const tree = await officeNodes(db);
    const allowed = await officesFor(db, actor, "programme.settings", tree);
    const [deadlines, allocations, formats] = await Promise.all([
      deadlinesOf(db, year),
      db.fulldayAllocation.findMany({ where: { year } }),
      db.office.findMany({ where: { id: { in: [...allowed] } }, select: { id: true, letterNumberFormat: true } }),
    ]);
    return reply.view("programme/settings", {
      title: reply.locals?.t("admin.programme.settings.title"),
      year,
      kinds: REPORT_KINDS,
      deadlines: new Map(deadlines.map((d) => [d.kind, d])),
      offices: tree.filter((o) => allowed.has(o.id)),
      allocations: new Map(allocations.map((a) => [a.officeId, a.count])),
      formats: new Map(formats.map((f) => [f.id, f.letterNumberFormat ?? DEFAULT_LETTER_FORMAT])),
    });
  });
  app.post("/programme/settings/deadline", { onRequest: allow("programme.settings") }, async (request, reply) => {
    const b = request.body as FormBody;
    const year = str(b, "year");
    return back(request, reply, `/programme/settings?year=${encodeURIComponent(year)}`, () =>
      setDeadline(db, programmeActor(request), { year, kind: str(b, "kind") as "CONTACTS", dueDate: str(b, "dueDate"), daysAfter: str(b, "daysAfter") }),
    );
  });
  app.post("/programme/settings/letter", { onRequest: allow("programme.settings") }, async (request, reply) => {
    const b = request.body as FormBody;
    return back(request, reply, `/programme/settings?year=${encodeURIComponent(str(b, "year"))}`, () =>
      setLetterFormat(db, programmeActor(request), { officeId: str(b, "officeId"), format: str(b, "format") }),
    );
  });
  app.post("/programme/settings/allocation", { onRequest: allow("programme.settings") }, async (request, reply) => {
    const b = request.body as FormBody;
    const year = str(b, "year");
    return back(request, reply, `/programme/settings?year=${encodeURIComponent(year)}`, () =>
      setAllocation(db, programmeActor(request), { year, officeId: str(b, "officeId"), count: str(b, "count") }),
    );
  });

  await app.register(monitoringRoutes);
}
