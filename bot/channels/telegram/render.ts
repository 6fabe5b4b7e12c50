// Rendering an OutboundMessage for Telegram: the text with a numbered list of the choices
// (typed numbers always work) and the same choices as an inline keyboard. Used for replies
// and by the notification worker for proactive messages:
//   const { text, extra } = toTelegram(message);
//   await telegram.sendMessage(chatId, text, extra);
import type { InlineKeyboardButton } from "telegraf/types";
import { plainText } from "../../engine/render.js";
import type { Choice, OutboundMessage } from "../types.js";

export const TELEGRAM_TEXT_LIMIT = 4096;
export const CALLBACK_DATA_LIMIT = 64;

export interface TelegramRendered {
  text: string;
  extra: {
    reply_markup?: { inline_keyboard: InlineKeyboardButton[][] };
    link_preview_options: { is_disabled: boolean };
  };
}

/** Callback data for a choice; ids too long for Telegram fall back to "#<number>". */
export const callbackData = (choice: Choice, index: number): string =>
  Buffer.byteLength(choice.id, "utf8") <= CALLBACK_DATA_LIMIT ? choice.id : `#${index + 1}`;

/** Buttons per row: short labels share a row, long ones get their own. */
function perRow(choices: readonly Choice[]): number {
  const longest = Math.max(...choices.map((c) => c.label.length));
  if (longest <= 10) return 3;
  if (longest <= 22) return 2;
  return 1;
}

export function keyboard(choices: readonly Choice[]): InlineKeyboardButton[][] {
  const n = perRow(choices);
  const rows: InlineKeyboardButton[][] = [];
  choices.forEach((c, i) => {
    const button: InlineKeyboardButton = { text: `${c.selected ? "✓ " : ""}${c.label}`.slice(0, 120), callback_data: callbackData(c, i) };
    if (i % n === 0) rows.push([button]);
    else rows[rows.length - 1]!.push(button);
  });
  return rows;
}

export function toTelegram(message: OutboundMessage): TelegramRendered {
  let text = plainText(message);
  if (text.length > TELEGRAM_TEXT_LIMIT) text = `${text.slice(0, TELEGRAM_TEXT_LIMIT - 1)}…`;
  const extra: TelegramRendered["extra"] = { link_preview_options: { is_disabled: true } };
  if (message.choices?.length) extra.reply_markup = { inline_keyboard: keyboard(message.choices) };
  return { text, extra };
}
