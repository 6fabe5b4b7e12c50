// Coming back to a form: a session silent past its lifetime starts over at the menu, one silent
// for half an hour is asked "continue or start over?", and the engine's own questions (that one
// and the language) are answered here.

import { matchChoice } from "./input.js";
import { switchLanguage } from "./language.js";
import { reprompt, startFlow } from "./navigation.js";
import { pendingPrompt, resumePrompt } from "./prompts.js";
import { findChoice } from "./replies.js";
import { MENU_FLOW, resetSession } from "./session.js";
import { say, type TurnEnv, type TurnState } from "./turn.js";

/** Silence longer than the session's lifetime: back to the menu, and say so if a form was lost. */
export function expireIfStale(env: TurnEnv, ts: TurnState, sessionTtlMs: number): void {
  const { session, now } = ts;
  if (session.isNew || session.updatedAt.getTime() + sessionTtlMs > now.getTime()) return;
  const hadForm = env.flows.resumable(session.flow) || session.data.paused;
  resetSession(session);
  session.data.paused = undefined;
  if (hadForm) say(ts, "bot.resume.expired");
}

/** In a form after a long silence: ask before taking the message as the step's answer. True when asked. */
export function askToResume(env: TurnEnv, ts: TurnState, resumeAfterMs: number): boolean {
  const { session, now } = ts;
  if (!env.flows.resumable(session.flow) || now.getTime() - session.updatedAt.getTime() < resumeAfterMs) return false;
  ts.outcome = "resume";
  session.data.pending = "resume";
  ts.replies.push(resumePrompt(session.locale, "bot.resume.prompt"));
  return true;
}

/** The answer to the engine question in `session.data.pending` (language, or continue/restart). */
export async function answerPending(env: TurnEnv, ts: TurnState, text: string): Promise<void> {
  const { session, event } = ts;
  const prompt = pendingPrompt(session);
  const choices = prompt.choices ?? [];
  const choice = event.kind === "choice" ? findChoice(choices, event.choiceId) : event.kind === "text" ? matchChoice(text, choices) : undefined;
  if (!choice) {
    ts.outcome = "invalid-choice";
    say(ts, event.kind === "choice" ? "bot.invalid.staleButton" : "bot.invalid.choice");
    ts.replies.push(prompt);
    return;
  }
  ts.outcome = choice.id;
  switch (choice.id) {
    case "lang:id":
    case "lang:en":
      return switchLanguage(env, ts, choice.id === "lang:en" ? "en" : "id");
    case "resume:continue": {
      session.data.pending = undefined;
      const paused = session.data.paused;
      if (paused && session.flow === MENU_FLOW) {
        session.flow = paused.flow;
        session.step = paused.step;
        session.data = { ...session.data, state: paused.state, history: paused.history, run: Math.max(paused.run, session.data.run), paused: undefined };
      }
      return reprompt(env, ts);
    }
    default: {
      session.data.pending = undefined;
      const flowId = session.data.paused && session.flow === MENU_FLOW ? session.data.paused.flow : session.flow;
      session.data.paused = undefined;
      resetSession(session);
      return startFlow(env, ts, flowId);
    }
  }
}
