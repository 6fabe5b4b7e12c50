// WhatsApp identities are keyed on the LID (WhatsApp's stable privacy id, "…@lid"), with the
// phone number as an attribute. A contact first seen by phone JID, before Baileys knew the
// LID, has a row keyed on that JID; when the mapping appears the rows are merged into one,
// so a PIC never becomes two people with two sessions mid-conversation.
import { writeAudit } from "../audit/service.js";
import type { Db, Tx } from "../db/client.js";

export interface LidMapping {
  /** 123456789012345@lid */
  lid: string;
  /** 6281234567890@s.whatsapp.net */
  pnJid: string;
  /** E.164, when the number is one we keep (Indonesian). */
  phone: string | null;
}

export type MergeOutcome = "nothing" | "phone_added" | "rekeyed" | "merged";

/** Moves the phone-keyed row (and its session) onto the LID, or merges it into the LID's row. */
export async function mergeWhatsAppIdentity(db: Db, m: LidMapping): Promise<MergeOutcome> {
  return db.$transaction(async (tx) => {
    const [byLid, byPn] = await Promise.all([
      tx.channelIdentity.findUnique({ where: { channel_externalId: { channel: "whatsapp", externalId: m.lid } } }),
      tx.channelIdentity.findUnique({ where: { channel_externalId: { channel: "whatsapp", externalId: m.pnJid } } }),
    ]);
    if (!byPn) {
      if (byLid && m.phone && !byLid.phone) {
        await tx.channelIdentity.update({ where: { id: byLid.id }, data: { phone: m.phone } });
        return "phone_added";
      }
      return "nothing";
    }
    if (!byLid) {
      await tx.channelIdentity.update({ where: { id: byPn.id }, data: { externalId: m.lid, phone: byPn.phone ?? m.phone } });
      await moveSession(tx, m.pnJid, m.lid);
      await writeAudit(tx, { actorUserId: null, action: "identity.rekey", entity: "ChannelIdentity", entityId: byPn.id, changes: { to: "lid" } });
      return "rekeyed";
    }
    // Both exist: the LID row stays; what the phone row knew moves over.
    const later = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
    await tx.channelIdentity.update({
      where: { id: byLid.id },
      data: {
        phone: byLid.phone ?? byPn.phone ?? m.phone,
        requesterId: byLid.requesterId ?? byPn.requesterId,
        userId: byLid.userId ?? byPn.userId,
        displayName: byLid.displayName ?? byPn.displayName,
        lastSeenAt: later(byLid.lastSeenAt, byPn.lastSeenAt),
      },
    });
    await tx.coachingRequest.updateMany({ where: { identityId: byPn.id }, data: { identityId: byLid.id } });
    await moveSession(tx, m.pnJid, m.lid);
    await tx.channelIdentity.delete({ where: { id: byPn.id } });
    await writeAudit(tx, { actorUserId: null, action: "identity.merge", entity: "ChannelIdentity", entityId: byLid.id, changes: { merged: byPn.id } });
    return "merged";
  });
}

/** The conversation goes on where it was: the newer session of the two is kept under the LID. */
async function moveSession(tx: Tx, from: string, to: string) {
  const [old, current] = await Promise.all([
    tx.conversationSession.findUnique({ where: { channel_externalId: { channel: "whatsapp", externalId: from } } }),
    tx.conversationSession.findUnique({ where: { channel_externalId: { channel: "whatsapp", externalId: to } } }),
  ]);
  if (!old) return;
  if (current && current.updatedAt >= old.updatedAt) {
    await tx.conversationSession.delete({ where: { id: old.id } });
    return;
  }
  if (current) await tx.conversationSession.delete({ where: { id: current.id } });
  await tx.conversationSession.update({ where: { id: old.id }, data: { externalId: to } });
}
