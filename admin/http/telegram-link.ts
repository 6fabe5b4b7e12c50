// The Telegram deep link (t.me/<bot>?start=LINK-…) and its QR code for a staff member, when
// the Telegram channel is running (its @username is in the channel status).
import QRCode from "qrcode";
import { createLinkCode, currentLinkCode, telegramStartLink, WELCOME_LINK_TTL_MS } from "../../core/auth/link-codes.js";
import { readChannelStatus } from "../../core/runtime/channel-status.js";
import type { AppContext } from "../../core/runtime/context.js";

export interface TelegramLink {
  url: string;
  qr: string;
  code: string;
}

export async function telegramLinkFor(ctx: AppContext, userId: string, opts: { welcome?: boolean } = {}): Promise<TelegramLink | null> {
  const status = await readChannelStatus(ctx.redis, ctx.redisPrefix, "telegram");
  if (status.state !== "open" || !status.username) return null;
  const code = opts.welcome ? await createLinkCode(ctx.db, userId, new Date(), WELCOME_LINK_TTL_MS) : await currentLinkCode(ctx.db, userId);
  const url = telegramStartLink(status.username, code);
  return { url, code, qr: await QRCode.toDataURL(url, { margin: 1, width: 200 }) };
}
