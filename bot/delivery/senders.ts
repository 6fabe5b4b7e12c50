// The senders delivery can use. Any ChannelSender from bot/channels (Telegram, WhatsApp, web)
// fits; email is delivery's own. startDelivery() takes whichever are running, so a
// deployment without a Telegram token or WhatsApp simply has fewer channels.
import type { Transporter } from "nodemailer";
import type { Config } from "../../core/config.js";
import { t } from "../../core/messages/index.js";
import type { Locale } from "../../core/reference/index.js";
import type { ChannelSender, OutboundMessage } from "../channels/types.js";
import type { DeliveryChannel } from "./queues.js";

/** A notice for one person: the chat text, plus a subject and language for email. */
export interface NoticeMessage extends OutboundMessage {
  subject?: string;
  locale?: Locale;
}

export interface Sender {
  readonly channel: DeliveryChannel;
  /** False while the channel cannot send from this instance (e.g. WhatsApp not connected). */
  readonly ready?: boolean;
  /** Most proactive messages allowed today (WhatsApp's cap and warm-up), or null for no cap. */
  dailyCap?(): Promise<number | null>;
  send(address: string, message: NoticeMessage): Promise<{ messageId?: string }>;
  /** Optional: the reads of a send done ahead, returning the call itself (taken right after the paced slot). */
  prepare?(address: string, message: NoticeMessage): Promise<() => Promise<{ messageId?: string }>>;
}

export type Senders = readonly (Sender | ChannelSender)[];

/** How long WhatsApp's "rate-overlimit" (a Boom with data 429, no retry time given) pauses the channel. */
export const WHATSAPP_RATE_LIMIT_PAUSE_MS = 5 * 60_000;

/** The platform asked us to slow down: wait retryAfterMs before any further call. */
export function retryAfterMs(err: unknown): number | null {
  const e = err as {
    code?: unknown;
    response?: { error_code?: number; parameters?: { retry_after?: number } };
    retryAfterMs?: number;
    isBoom?: boolean;
    data?: unknown;
    output?: { statusCode?: number };
  };
  if (typeof e?.retryAfterMs === "number") return e.retryAfterMs;
  // Baileys: assertNodeErrorFree throws new Boom(text, { data: +code }) for an <error code="429">.
  if (e?.isBoom && (e.data === 429 || e.output?.statusCode === 429)) return WHATSAPP_RATE_LIMIT_PAUSE_MS;
  const code = e?.response?.error_code ?? e?.code;
  if (code !== 429) return null;
  return Math.max(1, e.response?.parameters?.retry_after ?? 1) * 1000;
}

/** Errors that no retry can fix: the person blocked the bot, the chat or number does not exist. */
export function isPermanent(err: unknown): boolean {
  const e = err as { name?: string; response?: { error_code?: number } };
  if (e?.name === "WhatsAppNotRegisteredError") return true;
  const code = e?.response?.error_code;
  return code === 400 || code === 403;
}

/** The channel is temporarily unable to send here (not a failure of this notice). */
export function isChannelDown(err: unknown): boolean {
  return (err as { name?: string })?.name === "WhatsAppNotConnectedError";
}

/** Email through SMTP (SMTP_URL), for people with no chat channel linked, or in addition. */
export function emailSender(config: Pick<Config, "SMTP_URL" | "SMTP_FROM">): Sender | null {
  const url = config.SMTP_URL;
  if (!url) return null;
  // nodemailer is loaded with the first email, not at start (idle memory).
  let transport: Promise<Transporter> | undefined;
  const mailer = () => (transport ??= import("nodemailer").then((m) => m.createTransport(url)));
  return {
    channel: "email",
    async send(address, message) {
      const locale = message.locale ?? "id";
      const info = await (await mailer()).sendMail({
        from: config.SMTP_FROM,
        to: address,
        subject: t(locale, "notify.email.subject", { title: message.subject ?? t(locale, "app.tagline") }),
        text: `${message.text}\n\n--\n${t(locale, "notify.email.footer")}`,
      });
      return { messageId: info.messageId };
    },
  };
}
