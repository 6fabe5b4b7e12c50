// The chat language: kept on the session, and on the identity and requester so notifications
// use it too. Chat apps start in Indonesian; the simulator page's own choice counts on first contact.
import type { Db } from "../../core/db/client.js";
import { isLocale } from "../../core/messages/index.js";
import type { Locale } from "../../core/reference/index.js";
import type { InboundEvent } from "../channels/types.js";
import type { Who } from "./flow.js";
import { saveLocale } from "./identity.js";
import { flowOrMenu } from "./navigation.js";
import type { Session } from "./session.js";
import { say, type TurnEnv, type TurnState } from "./turn.js";

/** The web simulator's language hint on a new session; null when it does not apply. */
export function firstContactLocale(event: InboundEvent, session: Session): Locale | null {
  if (!session.isNew || event.channel !== "web" || !isLocale(event.languageHint)) return null;
  return event.languageHint !== session.locale ? event.languageHint : null;
}

/** Starts a new web session in the page's language. */
export async function adoptFirstContactLocale(db: Db, event: InboundEvent, who: Who, session: Session): Promise<void> {
  const locale = firstContactLocale(event, session);
  if (!locale) return;
  session.locale = locale;
  await saveLocale(db, who, locale);
}

/** "bahasa" answered, or "english"/"indonesia" typed: switch, confirm, and carry on where we were. */
export async function switchLanguage(env: TurnEnv, ts: TurnState, locale: Locale): Promise<void> {
  ts.session.locale = locale;
  ts.session.data.pending = undefined;
  await saveLocale(env.ctx.db, ts.who, locale);
  say(ts, "bot.language.switched");
  flowOrMenu(env, ts);
}
