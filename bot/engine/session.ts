// Conversation sessions in PostgreSQL (ConversationSession), so a half-filled form survives
// restarts and deploys. One row per chat address; `version` increases with every handled
// message (the idle reminder uses it to know whether the person answered meanwhile).
import type { Locale } from "../../core/reference/index.js";
import type { Channel } from "../channels/types.js";
import type { FlowState } from "./flow.js";

export interface PausedFlow {
  flow: string;
  step: string;
  state: FlowState;
  history: string[];
  run: number;
}

export interface SessionData {
  /** The current flow's state. */
  state: FlowState;
  /** Steps visited in this run, for "kembali"/"back". */
  history: string[];
  /** Run counter: every new start of a flow gets a new number (part of the run key). */
  run: number;
  /** An engine question asked in front of the step. */
  pending?: "language" | "resume";
  /** A form left for the menu or another flow; offered again when its flow is chosen. */
  paused?: PausedFlow;
  /** When the armed idle-reminder job fires (epoch ms); a new one is armed only after that. */
  idleDue?: number;
  /** Answers in a row the bot did not understand (after two it offers a member of staff). */
  misses?: number;
}

export interface Session {
  id: string;
  channel: Channel;
  externalId: string;
  flow: string;
  step: string;
  data: SessionData;
  locale: Locale;
  version: number;
  expiresAt: Date;
  updatedAt: Date;
  /** Not yet in the database. */
  isNew: boolean;
}

export const MENU_FLOW = "menu";
export const MENU_STEP = "pick";

export const emptyData = (): SessionData => ({ state: {}, history: [], run: 0 });

export function parseData(raw: unknown): SessionData {
  const d = (raw && typeof raw === "object" ? raw : {}) as Partial<SessionData>;
  return {
    ...d,
    state: d.state && typeof d.state === "object" ? d.state : {},
    history: Array.isArray(d.history) ? d.history.filter((s): s is string => typeof s === "string") : [],
    run: typeof d.run === "number" ? d.run : 0,
  };
}

/** Resets a session to the main menu (keeps the language, a paused form and the last submission). */
export function resetSession(s: Session): void {
  s.flow = MENU_FLOW;
  s.step = MENU_STEP;
  s.data = { ...emptyData(), run: s.data.run, paused: s.data.paused, idleDue: s.data.idleDue, misses: s.data.misses };
}
