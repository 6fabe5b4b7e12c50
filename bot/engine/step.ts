// The message as the answer to the current step of the current flow: a pressed button, a typed
// text (matched against the choices), or a file. What the step cannot take is refused with the
// question asked again; what it takes goes to the step's `answer`, whose outcome is applied.

import { boundRaw } from "../../core/validation/text.js";
import type { Answer } from "./flow.js";
import { matchChoice, matchChoiceList } from "./input.js";
import { apply, makeTurn, showMenu, startFlow } from "./navigation.js";
import { findChoice, toMessage } from "./replies.js";
import { MENU_FLOW, resetSession } from "./session.js";
import { say, type TurnEnv, type TurnState } from "./turn.js";

export async function answerStep(env: TurnEnv, ts: TurnState, text: string): Promise<void> {
  const { session, event } = ts;
  const flow = env.flows.get(session.flow);
  const step = flow?.steps[session.step];
  if (!flow || !step) {
    resetSession(session);
    return showMenu(env, ts, false);
  }
  const turn = makeTurn(env, ts);
  const prompt = step.prompt(turn);
  const choices = prompt.choices ?? [];
  const answer: Answer = { text };
  const refuse = (outcome: string, key: Parameters<typeof say>[1]) => {
    ts.outcome = outcome;
    say(ts, key);
    ts.replies.push(toMessage(prompt));
  };

  switch (event.kind) {
    case "choice": {
      const choice = findChoice(choices, event.choiceId);
      ts.inbound.text = choice?.label ?? event.choiceId ?? "";
      if (!choice) return refuse("stale", "bot.invalid.staleButton");
      answer.choice = choice;
      break;
    }
    case "file": {
      if (step.expects !== "file") {
        if (session.flow === MENU_FLOW) {
          const claimer = await env.flows.claiming(event, ts.who, env.ctx);
          if (claimer) return startFlow(env, ts, claimer.id);
        }
        return refuse("file-not-expected", "bot.fileNotExpected");
      }
      answer.file = event.file;
      answer.text = event.file?.caption ? boundRaw(event.file.caption) : "";
      break;
    }
    case "text": {
      if (!text) return refuse("empty", "invalid.generic");
      answer.choice = matchChoice(text, choices);
      if (prompt.multi && !answer.choice) answer.choices = matchChoiceList(text, choices);
      const acceptsText = step.freeText || choices.length === 0 || step.expects === "file";
      if (!answer.choice && !answer.choices && !acceptsText) return refuse("invalid-choice", "bot.invalid.choice");
      break;
    }
    default: {
      ts.outcome = "unsupported";
      say(ts, "bot.unsupported");
      if (session.flow !== MENU_FLOW) ts.replies.push(toMessage(prompt));
      return;
    }
  }
  const outcome = await step.answer(answer, turn);
  if (outcome.to === "stay" && outcome.invalid) ts.outcome = "invalid";
  await apply(env, ts, outcome);
}

/** Outcomes of an answer the bot did not understand. */
const MISSES = new Set(["invalid-choice", "invalid", "empty", "stale", "file-not-expected"]);

/** Two answers in a row not understood: offer a member of staff. */
export function countMisses(ts: TurnState): void {
  const data = ts.session.data;
  if (!MISSES.has(ts.outcome)) {
    data.misses = undefined;
    return;
  }
  data.misses = (data.misses ?? 0) + 1;
  if (data.misses >= 2) {
    data.misses = undefined;
    say(ts, "inbox.handoff.offer");
  }
}
