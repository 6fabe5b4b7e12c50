// Who an outbox row reaches, and where. Each recipient is reached on every chat channel they
// have linked (the most recently seen address per channel), staff on WhatsApp by the number
// they gave even before linking, and by email when SMTP is configured. A PIC's number that
// never wrote to the office is not messaged on WhatsApp (no cold messages). Nobody reachable
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
  /** CHAT: exactly this chat address (no other channel, no email). */
  recipientIdentityId?: string | null;
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
  /** The person gave this number for WhatsApp notices (staff), so a first message is not cold. */
  phoneGiven: boolean;
}

const REQUEST = { id: true, requesterId: true, identityId: true, requesterPhone: true, requesterEmail: true, picPhone: true, locale: true } as const;

/** The requester, or a PIC who is the requester themself, is also reached where they submitted. */
const speaksAsRequester = (ref: RecipientRef, request: { picPhone: string; requesterPhone: string } | undefined) =>
  ref.recipientKind === "REQUESTER" || (ref.recipientKind === "PIC" && request !== undefined && request.picPhone === request.requesterPhone);

/** Everything needed to resolve these recipients, in a handful of queries whatever their number. */
async function loadPeople(db: Db | Tx, refs: readonly RecipientRef[]) {
  const ids = (pick: (r: RecipientRef) => string | null) => [...new Set(refs.map(pick).filter((x): x is string => Boolean(x)))];
  const [users, requests] = await Promise.all([
    db.user.findMany({ where: { id: { in: ids((r) => r.recipientUserId) } }, include: { identities: { select: IDENTITY } } }),
    db.coachingRequest.findMany({ where: { id: { in: ids((r) => (r.recipientUserId ? null : r.requestId)) } }, select: REQUEST }),
  ]);
  const requestById = new Map(requests.map((r) => [r.id, r]));
  const asRequester = refs.filter((r) => !r.recipientUserId && speaksAsRequester(r, r.requestId ? requestById.get(r.requestId) : undefined));
  const requesterIds = new Set(ids((r) => r.recipientRequesterId));
  const identityIds = new Set<string>();
  for (const r of asRequester) {
    const q = r.requestId ? requestById.get(r.requestId) : undefined;
    if (q?.requesterId) requesterIds.add(q.requesterId);
    if (q?.identityId) identityIds.add(q.identityId);
  }
  for (const id of ids((r) => r.recipientIdentityId ?? null)) identityIds.add(id);
  const phones = ids((r) => (r.recipientUserId ? null : r.recipientPhone));
  const [requesters, own, byPhone] = await Promise.all([
    db.requester.findMany({ where: { id: { in: [...requesterIds] } }, include: { identities: { select: IDENTITY } } }),
    db.channelIdentity.findMany({ where: { id: { in: [...identityIds] } }, select: IDENTITY }),
    phones.length
      ? db.channelIdentity.findMany({
          where: { OR: [{ phone: { in: phones } }, { requester: { phone: { in: phones } } }] },
          select: { ...IDENTITY, phone: true, requester: { select: { phone: true } } },
        })
      : [],
  ]);
  return {
    users: new Map(users.map((u) => [u.id, u])),
    requests: requestById,
    requesters: new Map(requesters.map((r) => [r.id, r])),
    identities: new Map(own.map((i) => [i.id, i])),
    /** Chat identities that carry a phone, directly or through their requester. */
    withPhone: (phone: string) => byPhone.filter((i) => i.phone === phone || i.requester?.phone === phone),
  };
}

type People = Awaited<ReturnType<typeof loadPeople>>;

function personOf(people: People, ref: RecipientRef): Person | null {
  if (ref.recipientIdentityId) {
    const identity = people.identities.get(ref.recipientIdentityId);
    return identity ? { identities: [identity], locale: identity.locale, email: null, phone: null, phoneGiven: false } : null;
  }
  if (ref.recipientUserId) {
    const user = people.users.get(ref.recipientUserId);
    if (!user || user.deletedAt) return null;
    // Staff gave their WhatsApp number themselves, so writing to it first is expected.
    return { identities: user.identities, locale: user.locale, email: user.email, phone: user.whatsapp, phoneGiven: true };
  }
  const request = ref.requestId ? people.requests.get(ref.requestId) : undefined;
  const person: Person = { identities: [], locale: request?.locale ?? null, email: null, phone: ref.recipientPhone, phoneGiven: false };
  const requesterIds = new Set<string>();
  if (ref.recipientRequesterId) requesterIds.add(ref.recipientRequesterId);
  if (request && speaksAsRequester(ref, request)) {
    if (request.requesterId) requesterIds.add(request.requesterId);
    person.email = request.requesterEmail;
    person.phone ??= request.requesterPhone;
    const own = request.identityId ? people.identities.get(request.identityId) : undefined;
    if (own) person.identities.push(own);
  }
  for (const requesterId of requesterIds) {
    const requester = people.requesters.get(requesterId);
    if (!requester) continue;
    person.identities.push(...requester.identities);
    person.email = requester.email ?? person.email;
    person.phone ??= requester.phone;
    person.locale = pickLocale(requester.locale, person.locale);
  }
  if (ref.recipientPhone) person.identities.push(...people.withPhone(ref.recipientPhone));
  return person;
}

function targetsOf(person: Person | null, enabled: ReadonlySet<DeliveryChannel>): Target[] {
  if (!person) return [];
  const targets: Target[] = [];
  for (const channel of CHAT_CHANNELS) {
    if (!enabled.has(channel)) continue;
    const identity = newest(person.identities, channel);
    if (identity) targets.push({ channel, address: identity.externalId, locale: pickLocale(identity.locale, person.locale), identityId: identity.id });
    else if (channel === "whatsapp" && person.phone && person.phoneGiven) {
      // Only staff who gave their number get a first message from the office. A number that
      // never wrote to us is not messaged cold: WhatsApp counts that as reaching out, refuses
      // it (463) on a restricted account and restricts accounts that do it often. Agency
      // contacts are reached on WhatsApp once they have written (an identity carries the phone).
      targets.push({ channel, address: person.phone, locale: pickLocale(person.locale) });
    }
  }
  if (enabled.has("email") && person.email) targets.push({ channel: "email", address: person.email, locale: pickLocale(person.locale) });
  return targets;
}

/** The addresses of many recipients at once (the relay's batches), in the same order. */
export async function resolveTargetsMany(db: Db | Tx, refs: readonly RecipientRef[], enabled: ReadonlySet<DeliveryChannel>): Promise<Target[][]> {
  if (refs.length === 0) return [];
  const people = await loadPeople(db, refs);
  return refs.map((ref) => targetsOf(personOf(people, ref), enabled));
}

/** Every address this recipient can be reached at, on the channels that are running. */
export async function resolveTargets(db: Db | Tx, ref: RecipientRef, enabled: ReadonlySet<DeliveryChannel>): Promise<Target[]> {
  return (await resolveTargetsMany(db, [ref], enabled))[0]!;
}

/** The one address on this channel (what the worker sends to), or null when no longer reachable there. */
export async function resolveTarget(db: Db | Tx, ref: RecipientRef, channel: DeliveryChannel): Promise<Target | null> {
  return (await resolveTargets(db, ref, new Set([channel]))).find((t) => t.channel === channel) ?? null;
}
