// Pure helpers between flow prompts and channel messages.
import type { OutboundMessage } from "../channels/types.js";
import type { Prompt } from "./flow.js";

const MAX_TEXT = 4000;

/** Joins plain notes into the message that follows them, so a turn sends as few messages as possible. */
export function compact(messages: OutboundMessage[]): OutboundMessage[] {
  const out: OutboundMessage[] = [];
  let carry: string[] = [];
  for (const m of messages) {
    if (!m.text && !m.document) continue;
    const plain = !m.choices?.length && !m.document;
    if (plain) {
      carry.push(m.text);
      continue;
    }
    if (carry.length && !m.document) {
      out.push({ ...m, text: [...carry, m.text].join("\n\n") });
    } else {
      if (carry.length) out.push({ text: carry.join("\n\n") });
      out.push(m);
    }
    carry = [];
  }
  if (carry.length) out.push({ text: carry.join("\n\n") });
  return out.map((m) => (m.text.length > MAX_TEXT ? { ...m, text: `${m.text.slice(0, MAX_TEXT - 1)}…` } : m));
}

/** A step's prompt as a channel message (aliases and other flow-only fields left out). */
export function toMessage(p: Prompt): OutboundMessage {
  const msg: OutboundMessage = { text: p.text };
  if (p.choices?.length) msg.choices = p.choices.map((c) => (c.selected ? { id: c.id, label: c.label, selected: true } : { id: c.id, label: c.label }));
  if (p.multi) msg.multi = true;
  return msg;
}

/** A pressed button: by id, or "#<number>" when the id was too long for the platform. */
export function findChoice<C extends { id: string }>(choices: readonly C[], id: string | undefined): C | undefined {
  if (!id) return undefined;
  const byId = choices.find((c) => c.id === id);
  if (byId) return byId;
  const n = /^#(\d{1,3})$/.exec(id);
  return n ? choices[Number(n[1]) - 1] : undefined;
}
