// Pairing by code, asked for from the admin Channels page. The admin page may run on any
// instance, but only the lease holder has the socket, so the request travels over Redis
// pub/sub and the holder leaves its answer under a one-time key the caller polls.
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { PairingResult } from "../../../core/channels/operations.js";
import { normalisePhone } from "../../../core/validation/identity.js";

export type { PairingResult };

export const pairingChannel = (prefix: string) => `${prefix}:whatsapp:pairing`;
export const pairingResultKey = (prefix: string, nonce: string) => `${prefix}:whatsapp:pairing:${nonce}`;

export interface PairingRequest {
  nonce: string;
  /** E.164, already validated. */
  phone: string;
}

export interface PairingOptions {
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Asks the instance holding the WhatsApp connection for an 8-character pairing code for
 * `phone` (the office number, in any common Indonesian format). Resolves with the code,
 * which the holder also writes to the channel status and prints in its terminal, or with
 * the reason it could not (show it with t(locale, PAIRING_MESSAGE[reason])).
 */
export async function requestPairing(redis: Redis, prefix: string, phone: string, opts: PairingOptions = {}): Promise<PairingResult> {
  const e164 = normalisePhone(phone);
  if (!e164) return { ok: false, reason: "invalid_phone" };
  const request: PairingRequest = { nonce: randomUUID(), phone: e164 };
  const listeners = await redis.publish(pairingChannel(prefix), JSON.stringify(request));
  if (listeners === 0) return { ok: false, reason: "not_running" };
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  const key = pairingResultKey(prefix, request.nonce);
  while (Date.now() < deadline) {
    const raw = await redis.get(key);
    if (raw) {
      await redis.del(key);
      return JSON.parse(raw) as PairingResult;
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
  return { ok: false, reason: "timeout" };
}

/** The holder's side: answer one request. Standbys stay silent (the caller times out only if nobody holds). */
export async function answerPairing(redis: Redis, prefix: string, nonce: string, result: PairingResult): Promise<void> {
  await redis.set(pairingResultKey(prefix, nonce), JSON.stringify(result), "EX", 60);
}

export function parsePairingRequest(raw: string): PairingRequest | null {
  try {
    const v = JSON.parse(raw) as Partial<PairingRequest>;
    if (typeof v.nonce !== "string" || typeof v.phone !== "string" || !normalisePhone(v.phone)) return null;
    return { nonce: v.nonce, phone: v.phone };
  } catch {
    return null;
  }
}
