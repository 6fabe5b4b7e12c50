// Who an outbox row reaches, and where. Each recipient is reached on every chat channel they
// have linked (the most recently seen address per channel), a PIC without a chat identity
// on WhatsApp by their phone number, and by email when SMTP is configured. Nobody reachable
// means the row is UNREACHABLE and the request page lists it as "not notified".
import type { Db, Tx } from "../../core/db/client.js";
import type { Channel, RecipientKind } from "../../core/db/generated/enums.js";
import type { Locale } from "../../core/reference/index.js";
import type { DeliveryChannel } from "./queues.js";

export interface RecipientRef {
  recipientKind: RecipientKind;
  recipientUserId: string | null;
  recipientRequesterId: string | null;
  recipientPhone: string | null;
  requestId: string | null;
}

export interface Target {
  channel: DeliveryChannel;
  /** Chat id, WhatsApp JID (or E.164 phone), or email address. Never logged. */
  address: string;
  locale: Locale;
  identityId?: string;
}

interface IdentityLite {
  id: string;
  channel: Channel;
  externalId: string;
  locale: string;
  lastSeenAt: Date | null;
  updatedAt: Date;
}

const CHAT_CHANNELS: readonly Channel[] = ["telegram", "whatsapp", "web"];

const pickLocale = (...choices: (string | null | undefined)[]): Locale => (choices.includes("en") ? "en" : "id");

function newest(identities: IdentityLite[], channel: Channel): IdentityLite | undefined {
  return identities
    .filter((i) => i.channel === channel)
    .sort((a, b) => (b.lastSeenAt?.getTime() ?? 0) - (a.lastSeenAt?.getTime() ?? 0) || b.updatedAt.getTime() - a.updatedAt.getTime())[0];
}

const IDENTITY = { id: true, channel: true, externalId: true, locale: true, lastSeenAt: true, updatedAt: true } as const;

interface Person {
  identities: IdentityLite[];
  locale: string | null;
  email: string | null;
  phone: string | null;
}

async function personOf(db: Db | Tx, ref: RecipientRef): Promise<Person | null> {
  if (ref.recipientUserId) {
    const user = await db.user.findUnique({ where: { id: ref.recipientUserId }, include: { identities: { select: IDENTITY } } });
    if (!user || user.deletedAt) return null;
    return { identities: user.identities, locale: user.locale, email: user.email, phone: null };
  }
  const request = ref.requestId
    ? await db.coachingRequest.findUnique({
        where: { id: ref.requestId },
        select: { requesterId: true, identityId: true, requesterPhone: true, requesterEmail: true, picPhone: true, locale: true },
      })
    : null;
  const person: Person = { identities: [], locale: null, email: null, phone: ref.recipientPhone };
  const requesterIds = new Set<string>();
  if (ref.recipientRequesterId) requesterIds.add(ref.recipientRequesterId);
  // The requester, or a PIC who is the requester themself, is also reached where they submitted.
  const isRequester = ref.recipientKind === "REQUESTER" || (ref.recipientKind === "PIC" && request !== null && request.picPhone === request.requesterPhone);
  if (request && isRequester) {
    if (request.requesterId) requesterIds.add(request.requesterId);
    person.email = request.requesterEmail;
    person.phone ??= request.requesterPhone;
    person.locale = request.locale;
    if (request.identityId) {
      const own = await db.channelIdentity.findUnique({ where: { id: request.identityId }, select: IDENTITY });
      if (own) person.identities.push(own);
    }
  } else if (request) {
    person.locale = request.locale;
  }
  for (const requesterId of requesterIds) {
    const requester = await db.requester.findUnique({ where: { id: requesterId }, include: { identities: { select: IDENTITY } } });
    if (!requester) continue;
    person.identities.push(...requester.identities);
    person.email = requester.email ?? person.email;
    person.phone ??= requester.phone;
    person.locale = pickLocale(requester.locale, person.locale);
  }
  if (ref.recipientPhone) {
    // Chat identities that carry this phone, directly or through their requester.
    person.identities.push(
      ...(await db.channelIdentity.findMany({
        where: { OR: [{ phone: ref.recipientPhone }, { requester: { phone: ref.recipientPhone } }] },
        select: IDENTITY,
      })),
    );
  }
  return person;
}

/** Every address this recipient can be reached at, on the channels that are running. */
export async function resolveTargets(db: Db | Tx, ref: RecipientRef, enabled: ReadonlySet<DeliveryChannel>): Promise<Target[]> {
  const person = await personOf(db, ref);
  if (!person) return [];
  const targets: Target[] = [];
  for (const channel of CHAT_CHANNELS) {
    if (!enabled.has(channel)) continue;
    const identity = newest(person.identities, channel);
    if (identity) targets.push({ channel, address: identity.externalId, locale: pickLocale(identity.locale, person.locale), identityId: identity.id });
    else if (channel === "whatsapp" && person.phone && !ref.recipientUserId) {
      // Agency contacts gave their number for this on the form (staff must link first). The
      // WhatsApp sender takes the bare E.164 number and checks that it is on WhatsApp.
      targets.push({ channel, address: person.phone, locale: pickLocale(person.locale) });
    }
  }
  if (enabled.has("email") && person.email) targets.push({ channel: "email", address: person.email, locale: pickLocale(person.locale) });
  return targets;
}

/** The one address on this channel (what the worker sends to), or null when no longer reachable there. */
export async function resolveTarget(db: Db | Tx, ref: RecipientRef, channel: DeliveryChannel): Promise<Target | null> {
  return (await resolveTargets(db, ref, new Set([channel]))).find((t) => t.channel === channel) ?? null;
}
