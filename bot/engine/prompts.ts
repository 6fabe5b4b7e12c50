// The engine's own questions, asked in front of a flow's step: which language, and whether to
// continue a paused form. Pure: the same session gives the same message.
import { type MessageKey, t } from "../../core/messages/index.js";
import type { Locale } from "../../core/reference/index.js";
import type { OutboundMessage } from "../channels/types.js";
import type { Session } from "./session.js";

/** Always in Indonesian and English side by side: the person may not read the current language. */
export function languagePrompt(): OutboundMessage {
  return {
    text: t("id", "bot.language.prompt"),
    choices: [
      { id: "lang:id", label: "Bahasa Indonesia" },
      { id: "lang:en", label: "English" },
    ],
  };
}

export function resumePrompt(locale: Locale, key: MessageKey): OutboundMessage {
  return {
    text: t(locale, key),
    choices: [
      { id: "resume:continue", label: t(locale, "bot.resume.continue") },
      { id: "resume:restart", label: t(locale, "bot.resume.restart") },
    ],
  };
}

/** The engine question the session is waiting on (call only while `data.pending` is set). */
export function pendingPrompt(session: Session): OutboundMessage {
  return session.data.pending === "language" ? languagePrompt() : resumePrompt(session.locale, "bot.resume.prompt");
}
