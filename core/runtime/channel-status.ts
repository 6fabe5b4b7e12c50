// The live state of each chat channel, kept in Redis so any instance (and the admin
// Channels page) can read it: connection state, the current QR or pairing code, and why.
// WhatsApp keeps one shared status, written only by the lease holder. Telegram keeps one per
// instance (the poller, the standbys, or every instance in webhook mode), each with a short
// expiry renewed by a heartbeat, so an instance that died drops off the page by itself and
// no instance can paint another's view.
import { hostname } from "node:os";
import type { Redis } from "ioredis";

export type ChannelState = "off" | "connecting" | "qr" | "pairing" | "open" | "closed" | "logged_out" | "standby" | "stopped";

export interface ChannelStatus {
  state: ChannelState;
  /** Raw QR payload from Baileys (render it as an image or in the terminal). */
  qr?: string;
  pairingCode?: string;
  reason?: string;
  /** WhatsApp's reach-out time lock ends then (ISO): no new chats, notices paused. */
  restrictedUntil?: string;
  /** Since when the channel has been down (ISO), while it is. */
  downSince?: string;
  /** Which instance holds the connection (or, per instance, whose view this is). */
  instance?: string;
  updatedAt: string;
}

/** This process's name among the instances: host, pid and a random tag (pids repeat in containers). */
export const INSTANCE_ID = `${hostname()}:${process.pid}:${Math.random().toString(16).slice(2, 8)}`;

const key = (prefix: string, channel: string) => `${prefix}:channel:${channel}:status`;
const instanceKey = (prefix: string, channel: string, instance: string) => `${prefix}:channel:${channel}:instance:${instance}`;

export async function writeChannelStatus(redis: Redis, prefix: string, channel: "telegram" | "whatsapp", status: Omit<ChannelStatus, "updatedAt">) {
  await redis.set(key(prefix, channel), JSON.stringify({ ...status, updatedAt: new Date().toISOString() }), "EX", 24 * 3600);
}

const parse = (raw: string | null): ChannelStatus | null => {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as ChannelStatus;
  } catch {
    return null;
  }
};

export async function readChannelStatus(redis: Redis, prefix: string, channel: "telegram" | "whatsapp"): Promise<ChannelStatus> {
  return parse(await redis.get(key(prefix, channel))) ?? { state: "off", updatedAt: new Date(0).toISOString() };
}

/** One instance's own view of a channel, kept for `ttlSeconds` unless written again. */
export async function writeInstanceStatus(
  redis: Redis,
  prefix: string,
  channel: "telegram",
  instance: string,
  status: Omit<ChannelStatus, "updatedAt" | "instance">,
  ttlSeconds: number,
) {
  const value = JSON.stringify({ ...status, instance, updatedAt: new Date().toISOString() });
  await redis.set(instanceKey(prefix, channel, instance), value, "EX", Math.max(1, Math.ceil(ttlSeconds)));
}

export async function removeInstanceStatus(redis: Redis, prefix: string, channel: "telegram", instance: string) {
  await redis.del(instanceKey(prefix, channel, instance));
}

/** Every live instance's view of a channel, sorted by instance name. */
export async function readInstanceStatuses(redis: Redis, prefix: string, channel: "telegram"): Promise<ChannelStatus[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", instanceKey(prefix, channel, "*"), "COUNT", 200);
    cursor = next;
    keys.push(...found);
  } while (cursor !== "0");
  if (!keys.length) return [];
  const values = await redis.mget(...keys);
  return values
    .map(parse)
    .filter((s): s is ChannelStatus => s !== null)
    .sort((a, b) => String(a.instance).localeCompare(String(b.instance)));
}

/** The channel as a whole: connected when any instance serves it. */
export function overallStatus(instances: readonly ChannelStatus[]): ChannelStatus {
  const rank: ChannelState[] = ["open", "connecting", "standby", "closed", "logged_out", "qr", "pairing", "off"];
  const best = [...instances].sort((a, b) => rank.indexOf(a.state) - rank.indexOf(b.state))[0];
  if (!best) return { state: "off", updatedAt: new Date(0).toISOString() };
  // Standbys alone mean nobody is serving: the holder is gone and its lease not yet taken over.
  if (best.state === "standby") return { ...best, state: "connecting" };
  return best;
}

const usernameKey = (prefix: string) => `${prefix}:channel:telegram:username`;

/** The Telegram bot's @username while the channel runs, for t.me deep links in the panel. */
export async function writeBotUsername(redis: Redis, prefix: string, username: string | null) {
  if (username) await redis.set(usernameKey(prefix), username, "EX", 7 * 24 * 3600);
  else await redis.del(usernameKey(prefix));
}

export async function readBotUsername(redis: Redis, prefix: string): Promise<string | null> {
  return redis.get(usernameKey(prefix));
}
