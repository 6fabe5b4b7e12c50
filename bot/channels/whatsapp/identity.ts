// WhatsApp addresses: phone JIDs (628…@s.whatsapp.net) and LIDs (…@lid), WhatsApp's
// privacy identifiers that hide the number. The sender's phone comes from the JID itself,
// from the alternate JID Baileys 7 puts on the message key, or from the LID mapping store.
import { isHostedPnUser, isLidUser, isPnUser, jidDecode, jidEncode, jidNormalizedUser, type WAMessageKey } from "@whiskeysockets/baileys";
import { normalisePhone } from "../../../core/validation/identity.js";

/** What Baileys offers to resolve a LID (signalRepository.lidMapping). */
export interface LidLookup {
  getPNForLID(lid: string): Promise<string | null>;
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
  /** Stable identity for sessions: the phone JID when known (a contact may switch between PN and LID), else the LID. */
  identityJid: string;
  phone?: string;
}

/** Works out who wrote a private message, resolving a LID to a phone where possible. */
export async function resolveSender(key: WAMessageKey, lids?: LidLookup): Promise<Sender | null> {
  const replyJid = key.remoteJid;
  if (!replyJid) return null;
  let phoneJid = [replyJid, key.remoteJidAlt, key.participantAlt].find(isPhoneJid);
  if (!phoneJid && isLidUser(replyJid) && lids) {
    const mapped = await lids.getPNForLID(replyJid).catch(() => null);
    if (isPhoneJid(mapped)) phoneJid = mapped;
  }
  const identityJid = phoneJid ? jidNormalizedUser(phoneJid) : jidNormalizedUser(replyJid);
  const phone = phoneFromJid(phoneJid) ?? undefined;
  return { replyJid, identityJid, phone };
}
