// The one way Sibina writes to a Telegram chat: the bot's replies (TelegramChannel) and the
// delivery worker's notices use the same sender, so both render alike and both send documents.
import { Telegram } from "telegraf";
import type { AppContext } from "../../../core/runtime/context.js";
import { plainText } from "../../engine/render.js";
import type { ChannelSender, OutboundMessage } from "../types.js";
import { toTelegram } from "./render.js";

const CAPTION_LIMIT = 1024;

/** Sends OutboundMessages to Telegram chats: text with keyboard, or a stored file as a document. */
export class TelegramSender implements ChannelSender {
  readonly channel = "telegram" as const;
  constructor(
    private readonly ctx: Pick<AppContext, "db" | "storage">,
    private readonly telegram: Telegram,
  ) {}

  async send(chatId: string, message: OutboundMessage): Promise<{ messageId?: string }> {
    return (await this.prepare(chatId, message))();
  }

  /**
   * Does the reading first (a document's stored file) and returns the call itself, so a paced
   * sender can take its slot between the two and the request leaves right after the slot.
   */
  async prepare(chatId: string, message: OutboundMessage): Promise<() => Promise<{ messageId?: string }>> {
    const { text, extra } = toTelegram(message);
    const attachment = message.document ? await this.ctx.db.attachment.findUnique({ where: { id: message.document.attachmentId } }) : null;
    if (message.document && attachment) {
      const caption = plainText(message);
      const fileName = message.document.fileName;
      return async () => {
        const sent = await this.telegram.sendDocument(
          chatId,
          { source: await this.ctx.storage.stream(attachment.storageKey), filename: fileName },
          { caption: caption.length > CAPTION_LIMIT ? `${caption.slice(0, CAPTION_LIMIT - 1)}…` : caption, reply_markup: extra.reply_markup },
        );
        return { messageId: String(sent.message_id) };
      };
    }
    return async () => {
      const sent = await this.telegram.sendMessage(chatId, text, extra);
      return { messageId: String(sent.message_id) };
    };
  }
}

/** A sender with its own Bot API client (TELEGRAM_API_ROOT for a test server), for the delivery worker. */
export function telegramSender(ctx: Pick<AppContext, "db" | "storage">, token: string, apiRoot?: string): TelegramSender {
  return new TelegramSender(ctx, new Telegram(token, apiRoot ? { apiRoot } : {}));
}
