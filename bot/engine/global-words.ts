// Words that work at every step: menu (/start), batal/cancel, kembali/back, bantuan/help,
// bahasa/language, and "english"/"indonesia" (input.ts lists them all).
import type { GlobalWord } from "./input.js";
import { switchLanguage } from "./language.js";
import { flowOrMenu, menuPrompt, pauseIfResumable, reprompt, showMenu } from "./navigation.js";
import { languagePrompt } from "./prompts.js";
import { MENU_FLOW, resetSession } from "./session.js";
import { say, type TurnEnv, type TurnState, tr } from "./turn.js";

export async function answerGlobalWord(env: TurnEnv, ts: TurnState, word: GlobalWord): Promise<void> {
  const { session } = ts;
  switch (word) {
    case "menu": {
      session.data.pending = undefined;
      pauseIfResumable(env, session);
      resetSession(session);
      return showMenu(env, ts, /^\/?start\b/i.test(ts.event.text?.trim() ?? ""));
    }
    case "cancel":
      return cancel(env, ts);
    case "back":
      return back(env, ts);
    case "help": {
      const step = env.flows.get(session.flow)?.steps[session.step];
      ts.replies.push({ text: tr(ts)(step?.help ?? "bot.help") });
      return flowOrMenu(env, ts);
    }
    case "language":
      session.data.pending = "language";
      ts.replies.push(languagePrompt());
      return;
    case "lang_id":
    case "lang_en":
      return switchLanguage(env, ts, word === "lang_en" ? "en" : "id");
    default:
      // A word added to input.ts without its case here does not compile.
      return word satisfies never;
  }
}

/** Drops the engine question if one is open, else the current flow (a form is discarded, not paused). */
function cancel(env: TurnEnv, ts: TurnState): void {
  const { session } = ts;
  if (session.data.pending) {
    session.data.pending = undefined;
    if (session.flow === MENU_FLOW) session.data.paused = undefined;
    say(ts, "bot.cancelled");
    flowOrMenu(env, ts);
    return;
  }
  if (session.flow !== MENU_FLOW) say(ts, env.flows.resumable(session.flow) ? "form.cancelled" : "bot.cancelled");
  resetSession(session);
  ts.replies.push(menuPrompt(env, ts));
}

/** Leaves the engine question, or goes one step back in the flow. */
function back(env: TurnEnv, ts: TurnState): void {
  const { session } = ts;
  if (session.data.pending) {
    session.data.pending = undefined;
    flowOrMenu(env, ts);
    return;
  }
  const previous = session.data.history.pop();
  if (previous && session.flow !== MENU_FLOW) {
    session.step = previous;
    reprompt(env, ts);
  } else if (session.flow === MENU_FLOW) {
    showMenu(env, ts, false);
  } else {
    say(ts, "bot.back.none");
    reprompt(env, ts);
  }
}
