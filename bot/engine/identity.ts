// Chat identities: one ChannelIdentity per chat address, tied to a Requester once the person
// agrees to the personal-data notice, and to a staff User once they redeem a link code.
import type { Db } from "../../core/db/client.js";
import type { RequesterRef } from "../../core/requests/service.js";
import type { Who } from "./flow.js";

/** Whose requests this chat may see: its identity, its requester, and a phone the channel vouches for. */
export const requesterRef = (who: Who): RequesterRef => ({
  identityId: who.identityId,
  requesterId: who.requester?.id ?? null,
  phones: who.phone ? [who.phone] : [],
});

/** Records the person's agreement to the personal-data notice (creating their Requester if needed). */
export async function recordConsent(db: Db, who: Who, at: Date, locale: string): Promise<string> {
  if (who.requester) {
    await db.requester.update({ where: { id: who.requester.id }, data: { consentAt: at, locale } });
    who.requester.consentAt = at;
    return who.requester.id;
  }
  // One statement instead of a transaction: create the requester and tie the identity to it.
  const iso = at.toISOString();
  const rows = await db.$queryRaw<{ id: string; phone: string | null }[]>`
    WITH created AS (
      INSERT INTO "Requester" ("id", "phone", "locale", "consentAt", "updatedAt")
      VALUES (gen_random_uuid(), ${who.phone}, ${locale}, ${iso}::timestamptz AT TIME ZONE 'UTC', ${iso}::timestamptz AT TIME ZONE 'UTC')
      RETURNING "id", "phone"
    ), linked AS (
      UPDATE "ChannelIdentity" SET "requesterId" = (SELECT "id" FROM created), "updatedAt" = ${iso}::timestamptz AT TIME ZONE 'UTC'
      WHERE "id" = ${who.identityId}::uuid
    )
    SELECT "id"::text AS "id", "phone" FROM created`;
  const requester = rows[0]!;
  who.requester = { id: requester.id, name: null, phone: requester.phone, email: null, nip: null, consentAt: at };
  return requester.id;
}

/** Keeps the chat language on the identity and requester, so notifications use it too. */
export async function saveLocale(db: Db, who: Who, locale: string): Promise<void> {
  await db.channelIdentity.update({ where: { id: who.identityId }, data: { locale } });
  if (who.requester) await db.requester.update({ where: { id: who.requester.id }, data: { locale } });
}
