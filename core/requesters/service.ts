// Requesters: the agency contacts who write to the bot. A chat identity becomes a Requester
// when the person agrees to the personal-data notice; their language follows them to notices.
import type { Db } from "../db/client.js";

export interface ChatPerson {
  identityId: string;
  requesterId: string | null;
  /** The phone number the channel vouches for (WhatsApp), if any. */
  phone: string | null;
}

/** Records agreement to the personal-data notice, creating the Requester and tying the identity to it. */
export async function recordConsent(db: Db, person: ChatPerson, at: Date, locale: string): Promise<{ id: string; phone: string | null }> {
  if (person.requesterId) {
    const r = await db.requester.update({ where: { id: person.requesterId }, data: { consentAt: at, locale }, select: { id: true, phone: true } });
    return r;
  }
  // A nested write: the requester is created and linked to the identity atomically.
  const identity = await db.channelIdentity.update({
    where: { id: person.identityId },
    data: { requester: { create: { phone: person.phone, locale, consentAt: at } } },
    select: { requester: { select: { id: true, phone: true } } },
  });
  return identity.requester!;
}

/** Keeps the chat language on the identity and its requester, so notices use it too. */
export async function saveChatLocale(db: Db, person: Pick<ChatPerson, "identityId" | "requesterId">, locale: string): Promise<void> {
  await db.$transaction([
    db.channelIdentity.update({ where: { id: person.identityId }, data: { locale } }),
    ...(person.requesterId ? [db.requester.update({ where: { id: person.requesterId }, data: { locale } })] : []),
  ]);
}
