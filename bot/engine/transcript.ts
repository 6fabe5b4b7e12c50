// The turn in the Inbox transcript: what the person sent, then the bot's replies as the person
// saw them (buttons listed as numbered lines), so staff who take over can read the conversation.
import { recordTranscript, type TranscriptLine } from "../../core/inbox/service.js";
import type { AppContext } from "../../core/runtime/context.js";
import type { OutboundMessage } from "../channels/types.js";
import type { TurnState } from "./turn.js";

const MAX_LINE = 4000;

export function transcriptLines(inbound: TurnState["inbound"], replies: readonly OutboundMessage[]): TranscriptLine[] {
  const lines: TranscriptLine[] = [{ author: "PERSON", text: inbound.text.slice(0, MAX_LINE), attachmentId: inbound.attachmentId }];
  for (const r of replies) {
    const choices = r.choices?.length ? `\n${r.choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n")}` : "";
    lines.push({ author: "BOT", text: `${r.text}${choices}`, attachmentId: r.document?.attachmentId ?? null });
  }
  return lines;
}

export async function recordTurn(ctx: AppContext, ts: TurnState, replies: readonly OutboundMessage[]): Promise<void> {
  const person = { identityId: ts.who.identityId, requesterId: ts.who.requester?.id ?? null, defaultOfficeId: ctx.defaultOfficeId };
  await recordTranscript(ctx.db, person, transcriptLines(ts.inbound, replies), ts.now);
}
