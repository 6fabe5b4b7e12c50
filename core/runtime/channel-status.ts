// The live state of each chat channel, kept in Redis so any instance (and the admin
// Channels page) can read it: connection state, the current QR or pairing code, and why.
import type { Redis } from "ioredis";

export type ChannelState = "off" | "connecting" | "qr" | "pairing" | "open" | "closed" | "logged_out" | "standby";

export interface ChannelStatus {
  state: ChannelState;
  /** Raw QR payload from Baileys (render it as an image or in the terminal). */
  qr?: string;
  pairingCode?: string;
  reason?: string;
  /** The bot's @username (Telegram), for t.me deep links. */
  username?: string;
  /** Which instance holds the connection. */
  instance?: string;
  updatedAt: string;
}

const key = (prefix: string, channel: string) => `${prefix}:channel:${channel}:status`;

export async function writeChannelStatus(redis: Redis, prefix: string, channel: "telegram" | "whatsapp", status: Omit<ChannelStatus, "updatedAt">) {
  await redis.set(key(prefix, channel), JSON.stringify({ ...status, updatedAt: new Date().toISOString() }), "EX", 24 * 3600);
}

export async function readChannelStatus(redis: Redis, prefix: string, channel: "telegram" | "whatsapp"): Promise<ChannelStatus> {
  const raw = await redis.get(key(prefix, channel));
  if (!raw) return { state: "off", updatedAt: new Date(0).toISOString() };
  try {
    return JSON.parse(raw) as ChannelStatus;
  } catch {
    return { state: "off", updatedAt: new Date(0).toISOString() };
  }
}
