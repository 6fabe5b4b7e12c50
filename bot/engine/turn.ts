// What one chat turn carries from step to step, and what every stage of it may use. The stages
// (global-words.ts, codes.ts, resume.ts, handoff.ts, step.ts…) are functions of (env, turn state):
// they read the inbound event and the session, change the session and push replies. Only the
// engine (engine.ts) loads and saves; a stage never touches the session store.
import type { ConversationState } from "../../core/db/generated/enums.js";
import { type MessageKey, type Params, t } from "../../core/messages/index.js";
import type { AppContext } from "../../core/runtime/context.js";
import type { Logger } from "../../core/runtime/logger.js";
import type { InboundEvent, OutboundMessage } from "../channels/types.js";
import type { Flow, Who } from "./flow.js";
import { MENU_FLOW, type Session } from "./session.js";

export interface TurnState {
  event: InboundEvent;
  who: Who;
  session: Session;
  now: Date;
  replies: OutboundMessage[];
  /** What became of the message, for the log and the miss counter ("step", "word:menu", "invalid"…). */
  outcome: string;
  /** The Inbox conversation's state: WAITING or HUMAN keep the bot quiet (null: never recorded). */
  conversation: ConversationState | null;
  /** What the person sent, as the transcript shows it (a pressed button's label, a stored file). */
  inbound: { text: string; attachmentId: string | null };
}

/** The flows by id; the menu flow is always there. */
export class FlowRegistry {
  private readonly byId = new Map<string, Flow>();

  constructor(flows: readonly Flow[]) {
    for (const f of flows) {
      if (this.byId.has(f.id)) throw new Error(`duplicate flow id ${f.id}`);
      this.byId.set(f.id, f);
    }
    if (!this.byId.has(MENU_FLOW)) throw new Error("the flows must include the menu flow");
  }

  get(id: string): Flow | undefined {
    return this.byId.get(id);
  }

  get menu(): Flow {
    return this.byId.get(MENU_FLOW)!;
  }

  /** Whether the session is in a form that may be paused, resumed and reminded about. */
  resumable(flowId: string): boolean {
    return this.byId.get(flowId)?.resumable === true;
  }

  /** The first flow that claims an event the menu does not expect (a file sent at the menu). */
  async claiming(event: InboundEvent, who: Who, app: AppContext): Promise<Flow | undefined> {
    for (const f of this.byId.values()) {
      if (f.claims && (await f.claims(event, who, app))) return f;
    }
    return undefined;
  }
}

/** What the stages of a turn share: the app, the flows, the engine's log. */
export interface TurnEnv {
  readonly ctx: AppContext;
  readonly flows: FlowRegistry;
  readonly log: Logger;
}

/** The translator in the session's language. */
export function tr(ts: TurnState): (key: MessageKey, params?: Params) => string {
  const locale = ts.session.locale;
  return (key, params) => t(locale, key, params);
}

/** Adds a plain note in the session's language. */
export function say(ts: TurnState, key: MessageKey, params?: Params): void {
  ts.replies.push({ text: t(ts.session.locale, key, params) });
}
