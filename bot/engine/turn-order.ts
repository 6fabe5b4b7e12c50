// Turn order. Every chat's messages are handled one at a time, in arrival order, by the per-chat
// turn lock (core/runtime/locks.ts: a queue per chat in the process, a Redis lock across
// instances). It is the only inbound ordering there is: chat-app channels hand a message over
// as an Arrival and the engine sends its replies inside the same turn.
import { z } from "zod";
import { isLocale, t } from "../../core/messages/index.js";
import type { ChatTurnLocks } from "../../core/runtime/locks.js";
import type { Logger } from "../../core/runtime/logger.js";
import { isServiceOutage } from "../../core/runtime/outage.js";
import { type Arrival, chatKey, type InboundEvent, type OutboundMessage } from "../channels/types.js";
import { safeError } from "./log.js";

const eventSchema = z.object({
  channel: z.enum(["telegram", "whatsapp", "web"]),
  externalId: z.string().min(1).max(200),
  updateId: z.string().min(1).max(200),
  kind: z.enum(["text", "choice", "file", "unsupported", "group"]),
  text: z.string().optional(),
  choiceId: z.string().max(200).optional(),
});

export const isValidEvent = (event: InboundEvent): boolean => eventSchema.safeParse(event).success;

/** The turn lock key of the person an event is from (their session's key). */
export const chatOf = (event: InboundEvent): string => chatKey(event.channel, event.externalId);

const localeOf = (event: Pick<InboundEvent, "languageHint">) => (isLocale(event.languageHint) ? event.languageHint : "id");

/** Redis (the turn lock) unreachable: nothing was handled; say so politely at once. */
export function disturbed(log: Logger, event: Pick<InboundEvent, "channel" | "languageHint">, err: unknown): OutboundMessage[] {
  log.warn({ err: safeError(err), channel: event.channel }, "message not handled: a service is unreachable");
  return [{ text: t(localeOf(event), "bot.disturbed") }];
}

/**
 * Runs an arrival's turn: works out the event, answers it, sends the replies, all under the
 * chat's lock. `answer` is called holding the lock of the event's own person too, when that is
 * another key (a WhatsApp phone chat of a person keyed on their LID). An outage before any reply
 * is answered with "briefly disturbed", a failing `answer` with "sorry, an error"; errors from
 * working out the event or sending the replies reach the caller.
 */
export async function receiveInTurn(
  locks: ChatTurnLocks,
  arrival: Arrival,
  answer: (event: InboundEvent) => Promise<OutboundMessage[]>,
  log: Logger,
): Promise<void> {
  let replied = false;
  let event: InboundEvent | null = null;
  const reply = (replies: OutboundMessage[]) => {
    replied = true;
    return arrival.reply(replies);
  };
  try {
    await locks.run(arrival.chat, async () => {
      event = await arrival.event();
      if (!event || !isValidEvent(event)) return;
      const own = chatOf(event);
      const current = event;
      let replies: OutboundMessage[];
      try {
        replies = own === arrival.chat ? await answer(current) : await locks.run(own, () => answer(current));
      } catch (err) {
        if (isServiceOutage(err)) throw err;
        // Say sorry rather than go silent; the update is not marked handled, so a redelivery retries.
        log.error({ err: safeError(err), channel: current.channel, updateId: current.updateId }, "engine failed on a message");
        replies = [{ text: t(localeOf(current), "bot.error") }];
      }
      await reply(replies);
    });
  } catch (err) {
    if (replied || !isServiceOutage(err)) throw err;
    const channel = (event as InboundEvent | null)?.channel ?? (arrival.chat.split(":")[0] as InboundEvent["channel"]);
    await reply(disturbed(log, { channel, languageHint: (event as InboundEvent | null)?.languageHint }, err));
  }
}
