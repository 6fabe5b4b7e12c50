// WhatsApp addresses: phone JIDs (628…@s.whatsapp.net) and LIDs (…@lid), WhatsApp's
// privacy identifiers that hide the number. A person is keyed on their LID (stable); the
// phone comes from the JID itself, from the alternate JID Baileys 7 puts on the message key,
// or from the LID mapping store, and the LID of a phone chat from that store too.
import { isHostedPnUser, isLidUser, isPnUser, jidDecode, jidEncode, jidNormalizedUser, type WAMessageKey } from "@whiskeysockets/baileys";
import { normalisePhone } from "../../../core/validation/identity.js";

/** What Baileys offers to resolve a LID and a phone JID (signalRepository.lidMapping). */
export interface LidLookup {
  getPNForLID(lid: string): Promise<string | null>;
  getLIDForPN?(pn: string): Promise<string | null>;
}

const isPhoneJid = (jid: string | undefined | null): jid is string => Boolean(jid && (isPnUser(jid) || isHostedPnUser(jid)));

/** 6281234567890@s.whatsapp.net (any device) → +6281234567890, or null when not an Indonesian number. */
export function phoneFromJid(jid: string | undefined | null): string | null {
  if (!isPhoneJid(jid)) return null;
  const user = jidDecode(jid)?.user;
  if (!user || !/^\d{6,15}$/.test(user)) return null;
  return normalisePhone(`+${user}`);
}

/** A phone (+62…, 08…) or a JID → the JID to send to. */
export function toJid(externalId: string): string {
  if (externalId.includes("@")) return externalId;
  const phone = normalisePhone(externalId);
  const digits = (phone ?? externalId).replace(/\D/g, "");
  if (!digits) throw new Error("not a WhatsApp address");
  return jidEncode(digits, "s.whatsapp.net");
}

export interface Sender {
  /** The chat the message came from: every reply goes exactly here. */
  replyJid: string;
  /**
   * Stable identity for sessions: the LID when known (it never changes, while a contact may
   * write from the phone JID or the LID), else the phone JID until the mapping arrives.
   */
  identityJid: string;
  /** Both addresses, once known: the identity rows keyed on the phone JID are merged into the LID. */
  lid?: string;
  phoneJid?: string;
  phone?: string;
}

/** Works out who wrote a private message: the LID as identity, the phone as an attribute. */
export async function resolveSender(key: WAMessageKey, lids?: LidLookup): Promise<Sender | null> {
  const replyJid = key.remoteJid;
  if (!replyJid) return null;
  let phoneJid = [replyJid, key.remoteJidAlt, key.participantAlt].find(isPhoneJid);
  let lid = [replyJid, key.remoteJidAlt].find((j) => Boolean(j && isLidUser(j))) ?? undefined;
  if (!phoneJid && lid && lids) {
    const mapped = await lids.getPNForLID(lid).catch(() => null);
    if (isPhoneJid(mapped)) phoneJid = mapped;
  }
  if (!lid && phoneJid && lids?.getLIDForPN) {
    const mapped = await lids.getLIDForPN(jidNormalizedUser(phoneJid)).catch(() => null);
    if (mapped && isLidUser(mapped)) lid = mapped;
  }
  const lidUser = lid ? jidNormalizedUser(lid) : undefined;
  const pnUser = phoneJid ? jidNormalizedUser(phoneJid) : undefined;
  const identityJid = lidUser ?? pnUser ?? jidNormalizedUser(replyJid);
  const phone = phoneFromJid(phoneJid) ?? undefined;
  return { replyJid, identityJid, lid: lidUser, phoneJid: pnUser, phone };
}

/**
 * The chat's address as its turn key (the engine's per-chat lock), known before any lookup: the
 * JID without its device part, which is also the identity of a LID chat or of a phone chat
 * whose LID is not known yet.
 */
export function chatAddress(remoteJid: string): string {
  try {
    return jidNormalizedUser(remoteJid) || remoteJid;
  } catch {
    return remoteJid;
  }
}
