// Plain-text rendering shared by channels: the message text followed by its choices as a
// numbered list, so typed numbers always work (WhatsApp has no reliable buttons).
import type { OutboundMessage } from "../channels/types.js";

export function numberedChoices(message: OutboundMessage): string[] {
  return (message.choices ?? []).map((c, i) => `${i + 1}. ${c.selected ? "✓ " : ""}${c.label}`);
}

/** Text plus the numbered list of choices. */
export function plainText(message: OutboundMessage): string {
  const list = numberedChoices(message);
  return list.length ? `${message.text}\n\n${list.join("\n")}` : message.text;
}
