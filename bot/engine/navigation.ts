// Moving through flows: applying a step's outcome, entering and pausing flows, asking the
// current question again, and the menu. Every stage of a turn ends here.
import { t } from "../../core/messages/index.js";
import type { OutboundMessage } from "../channels/types.js";
import { storeFile } from "./files.js";
import type { Outcome, Turn } from "./flow.js";
import { pendingPrompt, resumePrompt } from "./prompts.js";
import { toMessage } from "./replies.js";
import { MENU_FLOW, MENU_STEP, resetSession, type Session } from "./session.js";
import { say, type TurnEnv, type TurnState } from "./turn.js";

/** A step's outcome may lead to another flow, whose first outcome is applied too, up to this many. */
const MAX_OUTCOMES_PER_TURN = 6;

/** What a flow's step sees of the turn. */
export function makeTurn(env: TurnEnv, ts: TurnState): Turn {
  const { session } = ts;
  const locale = session.locale;
  return {
    app: env.ctx,
    now: ts.now,
    locale,
    t: (key, params) => t(locale, key, params),
    who: ts.who,
    event: ts.event,
    state: session.data.state,
    runKey: `${session.id}:${session.data.run}`,
    storeFile: (opts) => storeFile(env, ts, opts),
  };
}

export function menuPrompt(env: TurnEnv, ts: TurnState): OutboundMessage {
  return toMessage(env.flows.menu.steps[MENU_STEP]!.prompt(makeTurn(env, ts)));
}

export function showMenu(env: TurnEnv, ts: TurnState, welcome: boolean): void {
  if (welcome) say(ts, "bot.welcome", { name: ts.who.displayName ? `, ${ts.who.displayName}` : "" });
  ts.replies.push(menuPrompt(env, ts));
}

/** Asks the current step again (or shows the menu when the step no longer exists). */
export function reprompt(env: TurnEnv, ts: TurnState): void {
  const step = env.flows.get(ts.session.flow)?.steps[ts.session.step];
  if (!step) {
    resetSession(ts.session);
    ts.replies.push(menuPrompt(env, ts));
    return;
  }
  ts.replies.push(toMessage(step.prompt(makeTurn(env, ts))));
}

/** After an answer outside the flow (a code): ask the engine question or the step again; the menu stays quiet. */
export function repromptUnlessMenu(env: TurnEnv, ts: TurnState): void {
  if (ts.session.data.pending) ts.replies.push(pendingPrompt(ts.session));
  else if (ts.session.flow !== MENU_FLOW) reprompt(env, ts);
}

/** After an aside: ask the engine question or the current step again, or show the menu. */
export function flowOrMenu(env: TurnEnv, ts: TurnState): void {
  if (ts.session.data.pending) repromptUnlessMenu(env, ts);
  else if (ts.session.flow === MENU_FLOW) ts.replies.push(menuPrompt(env, ts));
  else reprompt(env, ts);
}

/** Keeps a half-filled form aside, to be offered again when its flow is chosen. */
export function pauseIfResumable(env: TurnEnv, session: Session): void {
  if (env.flows.resumable(session.flow) && session.step) {
    const { state, history, run } = session.data;
    session.data.paused = { flow: session.flow, step: session.step, state, history, run };
  }
}

/** Applies a step's outcome, following flow changes (bounded, so two flows cannot loop). */
export async function apply(env: TurnEnv, ts: TurnState, first: Outcome): Promise<void> {
  let outcome: Outcome | null = first;
  for (let i = 0; outcome && i < MAX_OUTCOMES_PER_TURN; i++) {
    ts.replies.push(...outcome.say);
    const current: Outcome = outcome;
    outcome = null;
    switch (current.to) {
      case "step": {
        if (!env.flows.get(ts.session.flow)?.steps[current.step]) throw new Error(`flow ${ts.session.flow} has no step ${current.step}`);
        if (ts.session.step && ts.session.step !== current.step) ts.session.data.history.push(ts.session.step);
        ts.session.step = current.step;
        reprompt(env, ts);
        break;
      }
      case "stay":
        reprompt(env, ts);
        break;
      case "end":
        resetSession(ts.session);
        if (current.menu) ts.replies.push(menuPrompt(env, ts));
        break;
      case "flow":
        outcome = await enterFlow(env, ts, current.flow);
        break;
    }
  }
}

/** Begins a flow (or offers its paused draft); returns the flow's first outcome. */
async function enterFlow(env: TurnEnv, ts: TurnState, flowId: string): Promise<Outcome | null> {
  const { session } = ts;
  if (flowId === MENU_FLOW) {
    pauseIfResumable(env, session);
    resetSession(session);
    ts.replies.push(menuPrompt(env, ts));
    return null;
  }
  const flow = env.flows.get(flowId);
  if (!flow) throw new Error(`unknown flow ${flowId}`);
  pauseIfResumable(env, session);
  if (session.data.paused?.flow === flowId) {
    resetSession(session);
    session.data.pending = "resume";
    ts.replies.push(resumePrompt(session.locale, "form.draft.resume"));
    return null;
  }
  const paused = session.data.paused;
  session.flow = flowId;
  session.step = "";
  session.data = { state: {}, history: [], run: session.data.run + 1, paused, idleDue: session.data.idleDue };
  return flow.begin(makeTurn(env, ts));
}

export async function startFlow(env: TurnEnv, ts: TurnState, flowId: string): Promise<void> {
  const outcome = await enterFlow(env, ts, flowId);
  if (outcome) await apply(env, ts, outcome);
}
