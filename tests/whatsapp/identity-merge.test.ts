// core's WhatsApp identity merge: two rows for one person (phone JID and LID) become the LID's
// row, keeping what each knew, with the requests and the newer session moving along.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergeWhatsAppIdentity } from "../../core/channels/identities.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb(2);
});
afterAll(async () => t.drop());

describe("mergeWhatsAppIdentity", () => {
  it("merges the phone-keyed row into the LID's, keeping the requester, the newer session and an audit row", async () => {
    const lid = "555566667777888@lid";
    const pnJid = "6281600001111@s.whatsapp.net";
    const requester = await t.db.requester.create({ data: { name: "Rina", phone: "+6281600001111" } });
    const byPn = await t.db.channelIdentity.create({
      data: { channel: "whatsapp", externalId: pnJid, phone: "+6281600001111", requesterId: requester.id, lastSeenAt: new Date(Date.now() - 60_000) },
    });
    const byLid = await t.db.channelIdentity.create({ data: { channel: "whatsapp", externalId: lid, lastSeenAt: new Date() } });
    const expiresAt = new Date(Date.now() + 3600_000);
    const older = new Date(Date.now() - 120_000);
    await t.db.conversationSession.create({ data: { channel: "whatsapp", externalId: lid, flow: "menu", step: "start", expiresAt, updatedAt: older } });
    await t.db.conversationSession.create({ data: { channel: "whatsapp", externalId: pnJid, flow: "request", step: "name", expiresAt } });

    expect(await mergeWhatsAppIdentity(t.db, { lid, pnJid, phone: "+6281600001111" })).toBe("merged");
    const rows = await t.db.channelIdentity.findMany({ where: { externalId: { in: [lid, pnJid] } } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: byLid.id, externalId: lid, phone: "+6281600001111", requesterId: requester.id });
    const sessions = await t.db.conversationSession.findMany({ where: { externalId: { in: [lid, pnJid] } } });
    expect(sessions.map((s) => [s.externalId, s.flow, s.step])).toEqual([[lid, "request", "name"]]);
    expect(await t.db.auditLog.count({ where: { action: "identity.merge", entityId: byLid.id } })).toBe(1);
    expect(await t.db.channelIdentity.count({ where: { id: byPn.id } })).toBe(0);
    // Done once: a repeat finds nothing left to do.
    expect(await mergeWhatsAppIdentity(t.db, { lid, pnJid, phone: "+6281600001111" })).toBe("nothing");
  });
});
