// Coaches (issue 13): Tugas Saya lists done coachings still missing documentation first, flagged
// with the reporting deadline; the home page flags them; a coach deletes or replaces their own
// upload until the deadline, and every change is audited.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeOwnDocumentation, reportingDeadline } from "../../core/documentation/service.js";
import { tinyPdf } from "../../prisma/seed-data.js";
import { type Client, emailOf, type Panel, signedIn, startPanel } from "../admin/helpers.js";
import { actorOf, codeOf, requestInput } from "../helpers/fixtures.js";
import { requestIn } from "../helpers/requests.js";

let p: Panel;
let coach: Client;
let coachActor: ReturnType<typeof actorOf>;

beforeAll(async () => {
  p = await startPanel();
  coach = await signedIn(p.app, emailOf("COACH"));
  coachActor = actorOf(await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("COACH") } }));
});
afterAll(async () => {
  await p?.close();
});

async function doneFor(agencyName: string) {
  const supervisor = actorOf(await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("SUPERVISOR") } }));
  return requestIn(p.ctx.db, "DONE", { supervisor, coachIds: [coachActor.userId], input: requestInput({ agencyName }) });
}

const upload = (id: string, name: string) =>
  coach.upload(`/coachings/${id}/documentation`, { kind: "ATTENDANCE" }, [{ field: "files", name, type: "application/pdf", bytes: tinyPdf(name) }]);

describe("Tugas Saya and the home page", () => {
  it("lists done coachings missing documentation first, flagged with the deadline, and the home page says so", async () => {
    const r = await doneFor("Dinas Tugas Saya Riau");
    const page = (await coach.get("/my/assignments")).body;
    const first = /<article class="card" data-code="([^"]+)">/.exec(page)![1];
    const flagged = await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { code: first! }, include: { documentation: true } });
    expect(flagged.status).toBe("DONE");
    expect(page.indexOf(`data-code="${r.code}"`)).toBeGreaterThan(-1);
    // Every flagged card comes before every unflagged one.
    const cards = page.split('<article class="card"').slice(1);
    const flags = cards.map((c) => c.includes('data-testid="missing-flag"'));
    expect(flags.indexOf(false) === -1 || flags.lastIndexOf(true) < flags.indexOf(false)).toBe(true);
    const card = cards.find((c) => c.includes(`data-code="${r.code}"`))!;
    expect(card).toContain("Batas pelaporan");
    const home = (await coach.get("/dashboard")).body;
    expect(home).toContain('data-testid="coach-missing"');
    expect(home).toContain('href="/my/assignments"');
  });
});

describe("own uploads", () => {
  it("a coach deletes and replaces their own upload before the deadline, audited; not after it, and not someone else's", async () => {
    const r = await doneFor("Dinas Ganti Berkas Riau");
    await coach.get(`/coachings/${r.id}/documentation`);
    expect((await upload(r.id, "hadir-salah.pdf")).statusCode).toBe(302);
    const [first] = await p.ctx.db.documentation.findMany({ where: { requestId: r.id, deletedAt: null } });
    const page = (await coach.get(`/coachings/${r.id}/documentation`)).body;
    expect(page).toContain(`/documentation/${first!.id}/delete`);
    expect(page).toContain('data-testid="deadline"');

    // Replace: a new file of the same kind, the old entry gone.
    const replaced = await coach.upload(`/coachings/${r.id}/documentation/${first!.id}/replace`, {}, [
      { field: "file", name: "hadir-benar.pdf", type: "application/pdf", bytes: tinyPdf("hadir benar") },
    ]);
    expect(replaced.statusCode).toBe(302);
    const live = await p.ctx.db.documentation.findMany({ where: { requestId: r.id, deletedAt: null }, include: { attachment: true } });
    expect(live.map((d) => [d.kind, d.attachment?.fileName])).toEqual([["ATTENDANCE", "hadir-benar.pdf"]]);
    expect(await p.ctx.db.auditLog.count({ where: { action: "documentation.replace", entityId: r.id } })).toBe(1);

    // Delete.
    await coach.get(`/coachings/${r.id}/documentation`);
    expect((await coach.post(`/coachings/${r.id}/documentation/${live[0]!.id}/delete`)).statusCode).toBe(302);
    expect(await p.ctx.db.documentation.count({ where: { requestId: r.id, deletedAt: null } })).toBe(0);
    expect(await p.ctx.db.auditLog.count({ where: { action: "documentation.delete", entityId: r.id } })).toBe(1);

    // After the deadline the upload stays.
    await upload(r.id, "hadir-final.pdf");
    const [final] = await p.ctx.db.documentation.findMany({ where: { requestId: r.id, deletedAt: null } });
    const request = await p.ctx.db.coachingRequest.findUniqueOrThrow({ where: { id: r.id } });
    const late = new Date(reportingDeadline(request.endAt, "WIB").getTime() + 60_000);
    expect(await codeOf(removeOwnDocumentation(p.ctx.db, coachActor, final!.id, { now: late }))).toBe("DEADLINE_PASSED");
    // Another person's upload is not theirs to remove.
    const other = actorOf(await p.ctx.db.user.findUniqueOrThrow({ where: { email: emailOf("SUPERVISOR") } }));
    expect(await codeOf(removeOwnDocumentation(p.ctx.db, other, final!.id))).toBe("NOT_FOUND");
    expect(await p.ctx.db.documentation.count({ where: { requestId: r.id, deletedAt: null } })).toBe(1);
  });

  it("the deadline is five working days after the end, on the office's clock", () => {
    // Friday 10:00 WIB → the next Friday 10:00 WIB.
    expect(reportingDeadline(new Date("2026-12-04T03:00:00Z"), "WIB").toISOString()).toBe("2026-12-11T03:00:00.000Z");
  });
});
