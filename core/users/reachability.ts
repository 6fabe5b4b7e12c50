// Where a staff member can be reached with notices, on the channels this deployment runs.
// Mirrors delivery's rules (bot/delivery/recipients.ts): a linked Telegram chat; WhatsApp by a
// linked chat or the number on the account; email when SMTP is set.
import type { Config } from "../config.js";
import type { Db } from "../db/client.js";

export type StaffChannel = "telegram" | "whatsapp" | "email";

export function runningChannels(config: Pick<Config, "TELEGRAM_BOT_TOKEN" | "WHATSAPP_ENABLED" | "SMTP_URL">): Set<StaffChannel> {
  const on = new Set<StaffChannel>();
  if (config.TELEGRAM_BOT_TOKEN) on.add("telegram");
  if (config.WHATSAPP_ENABLED) on.add("whatsapp");
  if (config.SMTP_URL) on.add("email");
  return on;
}

/** A pure judgement from what is stored about the person. */
export function channelsOf(
  user: { email: string; whatsapp: string | null; identities: { channel: string }[] },
  running: ReadonlySet<StaffChannel>,
): StaffChannel[] {
  const out: StaffChannel[] = [];
  if (running.has("telegram") && user.identities.some((i) => i.channel === "telegram")) out.push("telegram");
  if (running.has("whatsapp") && (user.whatsapp || user.identities.some((i) => i.channel === "whatsapp"))) out.push("whatsapp");
  if (running.has("email") && user.email) out.push("email");
  return out;
}

export async function reachableChannels(db: Db, userIds: readonly string[], running: ReadonlySet<StaffChannel>): Promise<Map<string, StaffChannel[]>> {
  const users = await db.user.findMany({
    where: { id: { in: [...userIds] } },
    select: { id: true, email: true, whatsapp: true, identities: { select: { channel: true } } },
  });
  return new Map(users.map((u) => [u.id, channelsOf(u, running)]));
}

export type UnreachableReason = "telegramOff" | "telegramUnlinked" | "whatsappOff" | "whatsappNoNumber" | "emailOff";

/** Why a staff member got no notice: one reason per channel. */
export function unreachableReasons(
  user: { whatsapp: string | null; identities: { channel: string }[] },
  running: ReadonlySet<StaffChannel>,
): UnreachableReason[] {
  const out: UnreachableReason[] = [];
  if (!running.has("telegram")) out.push("telegramOff");
  else if (!user.identities.some((i) => i.channel === "telegram")) out.push("telegramUnlinked");
  if (!running.has("whatsapp")) out.push("whatsappOff");
  else if (!user.whatsapp && !user.identities.some((i) => i.channel === "whatsapp")) out.push("whatsappNoNumber");
  if (!running.has("email")) out.push("emailOff");
  return out;
}
