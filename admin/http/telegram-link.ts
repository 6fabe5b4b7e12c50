// The Telegram deep link (t.me/<bot>?start=LINK-…) and its QR code for a staff member, when
// the Telegram channel has started (it records the bot's @username).
import type { AuditActor } from "../../core/audit/service.js";
import { createWelcomeLinkCode, currentLinkCode, telegramStartLink } from "../../core/auth/link-codes.js";
import { readBotUsername } from "../../core/runtime/channel-status.js";
import type { AppContext } from "../../core/runtime/context.js";
import { loadQrCode } from "../../core/runtime/libraries.js";

export interface TelegramLink {
  url: string;
  qr: string;
  code: string;
}

/** The signed-in person's own link (profile), or, with `newAccount`, a week-long one for an account an admin just created. */
export async function telegramLinkFor(ctx: AppContext, self: AuditActor & { userId: string }, newAccount?: string): Promise<TelegramLink | null> {
  const username = await readBotUsername(ctx.redis, ctx.redisPrefix);
  if (!username) return null;
  const code = newAccount ? await createWelcomeLinkCode(ctx.db, self, newAccount) : await currentLinkCode(ctx.db, self);
  const url = telegramStartLink(username, code);
  return { url, code, qr: await (await loadQrCode()).toDataURL(url, { margin: 1, width: 200 }) };
}
