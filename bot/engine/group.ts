// A message in a group chat: the bot serves people one to one, and says so once per ten
// minutes per group, so a busy group is not flooded.
import { t } from "../../core/messages/index.js";
import type { AppContext } from "../../core/runtime/context.js";
import { redisDeadline } from "../../core/runtime/outage.js";
import type { InboundEvent, OutboundMessage } from "../channels/types.js";

const HINT_EVERY_S = 600;

export async function groupHint(ctx: AppContext, event: InboundEvent): Promise<OutboundMessage[]> {
  const first = await redisDeadline(
    ctx.redis.set(`${ctx.redisPrefix}:bot:group:${event.channel}:${event.externalId}`, "1", "EX", HINT_EVERY_S, "NX"),
    "group hint",
  );
  return first === "OK" ? [{ text: t("id", "bot.group") }] : [];
}
