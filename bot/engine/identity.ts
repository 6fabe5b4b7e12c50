// Chat identities: one ChannelIdentity per chat address, tied to a Requester once the person
// agrees to the personal-data notice, and to a staff User once they redeem a link code.
import type { Db } from "../../core/db/client.js";
import { recordConsent as recordRequesterConsent, saveChatLocale } from "../../core/requesters/service.js";
import type { RequesterRef } from "../../core/requests/service.js";
import type { Who } from "./flow.js";

/** Whose requests this chat may see: its identity, its requester, and a phone the channel vouches for. */
export const requesterRef = (who: Who): RequesterRef => ({
  identityId: who.identityId,
  requesterId: who.requester?.id ?? null,
  phones: who.phone ? [who.phone] : [],
});

const personOf = (who: Who) => ({ identityId: who.identityId, requesterId: who.requester?.id ?? null, phone: who.phone });

/** Records the person's agreement to the personal-data notice (core creates their Requester if needed). */
export async function recordConsent(db: Db, who: Who, at: Date, locale: string): Promise<string> {
  const requester = await recordRequesterConsent(db, personOf(who), at, locale);
  if (who.requester) who.requester.consentAt = at;
  else who.requester = { id: requester.id, name: null, phone: requester.phone, email: null, nip: null, consentAt: at };
  return requester.id;
}

/** Keeps the chat language on the identity and requester, so notifications use it too. */
export async function saveLocale(db: Db, who: Who, locale: string): Promise<void> {
  await saveChatLocale(db, personOf(who), locale);
}
