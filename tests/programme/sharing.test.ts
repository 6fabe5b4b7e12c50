// The PIC asks in chat for the documentation of their own finished coaching and receives the
// files staff marked shareable, as documents; anyone else learns nothing, not even that it exists.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Who } from "../../bot/engine/flow.js";
import { describeTicketWithFiles } from "../../bot/flows/status.js";
import { setShareable } from "../../core/programme/sharing.js";
import type { AppContext } from "../../core/runtime/context.js";
import { createTestDb, type TestDb } from "../helpers/db.js";
import { actorOf, codeOf, makeUser, seedOffices } from "../helpers/fixtures.js";
import { requestIn } from "../helpers/requests.js";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.drop());

const who = (identityId: string, phone: string | null = null): Who => ({
  identityId,
  channel: "whatsapp",
  externalId: identityId,
  displayName: null,
  phone,
  requester: null,
  user: null,
});

it("sends the shareable files to the PIC of a DONE coaching, and nothing to a stranger", async () => {
  const { riau, pekanbaru } = await seedOffices(t.db);
  const sup = await makeUser(t.db, riau.id, ["SUPERVISOR"]);
  const coach = await makeUser(t.db, riau.id, ["COACH"]);
  const operator = await makeUser(t.db, riau.id, ["OPERATOR"]);
  const otherOperator = await makeUser(t.db, pekanbaru.id, ["OPERATOR"]);
  const request = await requestIn(t.db, "DONE", { supervisor: actorOf(sup), coachIds: [coach.id] });
  const file = await t.db.attachment.create({
    data: { fileName: "daftar-hadir.pdf", mimeType: "application/pdf", size: 10, sha256: "x", storageKey: "ab/x", requestId: request.id },
  });
  const shared = await t.db.documentation.create({ data: { requestId: request.id, kind: "ATTENDANCE", attachmentId: file.id, uploadedById: coach.id } });
  const photo = await t.db.attachment.create({
    data: { fileName: "foto.png", mimeType: "image/png", size: 10, sha256: "y", storageKey: "ab/y", requestId: request.id },
  });
  await t.db.documentation.create({ data: { requestId: request.id, kind: "PHOTO", attachmentId: photo.id, uploadedById: coach.id } });
  await t.db.documentation.create({
    data: { requestId: request.id, kind: "MINUTES", link: "https://drive.example/notulen", shareable: true, uploadedById: coach.id },
  });
  const ctx = { db: t.db } as AppContext;
  const pic = who("pic-identity", request.picPhone);

  // Before an operator shares the attendance list, the PIC gets the link only.
  let replies = await describeTicketWithFiles(ctx, pic, "id", request.code);
  expect(replies).toHaveLength(1);
  expect(replies[0]!.text).toContain("https://drive.example/notulen");
  // Only an operator of the coaching's office may share.
  expect(await codeOf(setShareable(t.db, actorOf(otherOperator), shared.id, true))).toBe("NOT_FOUND");
  expect(await codeOf(setShareable(t.db, actorOf(coach), shared.id, true))).toBe("FORBIDDEN");
  await setShareable(t.db, actorOf(operator), shared.id, true);

  replies = await describeTicketWithFiles(ctx, pic, "id", request.code);
  expect(replies.map((r) => r.document?.fileName ?? null)).toEqual([null, "daftar-hadir.pdf"]);
  expect(replies[0]!.text).toContain("Dokumentasi kegiatan yang dibagikan BPS untuk Anda (2)");

  // A stranger typing the same code gets exactly what a non-existent code gets.
  const stranger = await describeTicketWithFiles(ctx, who("stranger", "+6281299990000"), "id", request.code);
  const unknown = await describeTicketWithFiles(ctx, who("stranger", "+6281299990000"), "id", "PB-2026-99999");
  expect(stranger).toHaveLength(1);
  expect(stranger[0]!.text).toBe(unknown[0]!.text.replace("PB-2026-99999", request.code));
  expect(stranger.some((m) => m.document)).toBe(false);
});
