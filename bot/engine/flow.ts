// The shape of a conversation flow. A flow is data plus small functions: a set of named steps,
// each with a prompt (built from message-catalog keys), an answer parser (usually a zod schema
// from core/validation) and the outcome that says where to go next. No nested callbacks: the
// engine keeps the current step in PostgreSQL and calls the step again when the next message
// arrives, so a flow survives restarts and runs the same on every channel.
//
// Writing a flow:
//   export const myFlow = defineFlow<MyState>({
//     id: "my-flow",
//     menu: { label: "bot.menu.something", order: 60 },   // optional main-menu entry
//     begin: (turn) => go("ask"),                           // first step (may say something first)
//     steps: {
//       ask: {
//         prompt: (turn) => ({ text: turn.t("my.ask"), choices: [...] }),
//         answer: (a, turn) => (a.choice ? end(say(turn.t("my.thanks"))) : retry(turn, "bot.invalid.choice")),
//       },
//     },
//   });
// then add it to the list in bot/flows/index.ts.
import type { AgencyLevel, Role } from "../../core/db/generated/enums.js";
import type { MessageKey, Params } from "../../core/messages/index.js";
import type { Locale } from "../../core/reference/index.js";
import type { AppContext } from "../../core/runtime/context.js";
import type { Channel, Choice, InboundEvent, InboundFile, OutboundMessage } from "../channels/types.js";

/** A flow's own answers. Must stay JSON-serialisable: it is stored in ConversationSession.data. */
export type FlowState = Record<string, unknown>;

/** Who is talking, as the engine knows them. Loaded once per message. */
export interface Who {
  identityId: string;
  channel: Channel;
  externalId: string;
  displayName: string | null;
  /** E.164 phone the channel itself vouches for (WhatsApp); never a number the user typed. */
  phone: string | null;
  requester: { id: string; name: string | null; phone: string | null; email: string | null; nip: string | null; consentAt: Date | null } | null;
  /** Set when a staff member linked this chat (LINK-XXXXXX). */
  user: { id: string; name: string; roles: Role[]; officeId: string } | null;
}

/** Everything a step function may use during one incoming message. */
export interface Turn<S extends object = FlowState> {
  readonly app: AppContext;
  readonly now: Date;
  readonly locale: Locale;
  readonly t: (key: MessageKey, params?: Params) => string;
  readonly who: Who;
  readonly event: InboundEvent;
  /** This flow's state; change it in place, the engine saves it after the turn. */
  state: S;
  /** Stable id of this run of the flow (session id + run number), e.g. a submission key. */
  readonly runKey: string;
  /** Checks (size, content) and stores the event's file as an Attachment, or says why not. */
  storeFile(opts?: StoreFileOptions): Promise<StoredFile>;
}

export interface StoreFileOptions {
  requestId?: string | null;
  uploadedById?: string | null;
  /** MIME types accepted (default: core/storage ACCEPTED_TYPES). */
  allowed?: Record<string, { ext: string; label: string }>;
}
export type StoredFile = { ok: true; attachment: { id: string; fileName: string; mimeType: string; size: number } } | { ok: false; reply: OutboundMessage };

/** A choice as a step offers it. Aliases are extra words that pick it when typed ("ya", "skip"). */
export interface StepChoice extends Choice {
  aliases?: readonly string[];
}

/** What a step shows: the question and, optionally, its choices. */
export interface Prompt {
  text: string;
  choices?: StepChoice[];
  /** Several choices may be picked ("1,3" typed, or buttons toggled). */
  multi?: boolean;
}

/** The user's answer, already cleaned and matched against the step's choices. */
export interface Answer {
  /** Cleaned, bounded text ("" for a button press or a file without caption). */
  text: string;
  /** The choice picked, by button, typed number, label or alias. */
  choice?: StepChoice;
  /** For multi steps: every choice in a typed list such as "1,3" (undefined when the text is not such a list). */
  choices?: StepChoice[];
  /** A document or photo, when the step expects files. */
  file?: InboundFile;
}

/**
 * Where the conversation goes after an answer.
 * - step: move to another step of this flow (its prompt is shown after `say`).
 * - stay: show `say`, then ask the same step again (invalid answers, toggles).
 * - end: the flow is finished; `say` is shown, then the main menu unless menu is false.
 * - flow: start another flow.
 */
export type Outcome =
  | { to: "step"; step: string; say: OutboundMessage[] }
  | { to: "stay"; say: OutboundMessage[]; invalid?: boolean }
  | { to: "end"; say: OutboundMessage[]; menu: boolean }
  | { to: "flow"; flow: string; say: OutboundMessage[] };

export interface Step<S extends object = FlowState> {
  prompt(turn: Turn<S>): Prompt;
  answer(answer: Answer, turn: Turn<S>): Outcome | Promise<Outcome>;
  /** "file": documents and photos are passed to answer (text too, e.g. for "skip"). */
  expects?: "text" | "file";
  /** Typed text that matches no choice still goes to answer (default: only when there are no choices). */
  freeText?: boolean;
  /** Help shown for "bantuan"/"help" at this step (default: the general help). */
  help?: MessageKey;
}

export interface Flow<S extends object = FlowState> {
  id: string;
  /** Shown in the main menu, sorted by order. */
  menu?: { label: MessageKey; order: number };
  /** Form-like flows: idle reminder after 30 min, continue/start-over when coming back. */
  resumable?: boolean;
  /** Starts the flow: usually go(firstStep), maybe after loading something into state. */
  begin(turn: Turn<S>): Outcome | Promise<Outcome>;
  steps: Record<string, Step<S>>;
  /**
   * Claims an unsolicited message while the user is in the main menu (not inside a flow),
   * e.g. a linked coach sending files. The first flow that claims it is begun with that event.
   */
  claims?(event: InboundEvent, who: Who, app: AppContext): boolean | Promise<boolean>;
}

/** Declares a flow with a typed state; the registry stores it with the generic state type. */
export const defineFlow = <S extends object>(flow: Flow<S>): Flow => flow as unknown as Flow;

// Outcome builders, so steps read like sentences.
export const say = (text: string, extra: Omit<OutboundMessage, "text"> = {}): OutboundMessage => ({ text, ...extra });
export const go = (step: string, ...messages: OutboundMessage[]): Outcome => ({ to: "step", step, say: messages });
export const stay = (...messages: OutboundMessage[]): Outcome => ({ to: "stay", say: messages });
export const end = (...messages: OutboundMessage[]): Outcome => ({ to: "end", say: messages, menu: true });
export const endQuietly = (...messages: OutboundMessage[]): Outcome => ({ to: "end", say: messages, menu: false });
export const startFlow = (flow: string, ...messages: OutboundMessage[]): Outcome => ({ to: "flow", flow, say: messages });

/** An invalid answer: the specific hint (and an example), then the same question again. */
export function retry(turn: Pick<Turn, "t">, key: MessageKey, params?: Params, example?: MessageKey): Outcome {
  const text = example ? `${turn.t(key, params)} ${turn.t(example)}` : turn.t(key, params);
  return { to: "stay", say: [{ text }], invalid: true };
}

/** The catalog key for a validation issue code from core/validation ("too_short" → "invalid.too_short"). */
export function invalidKey(code: string | undefined): MessageKey {
  switch (code) {
    case "too_short":
    case "too_long":
    case "invalid_phone":
    case "invalid_nip":
    case "invalid_email":
    case "invalid_datetime":
    case "missing_time":
    case "in_past":
    case "too_far":
    case "invalid_duration":
    case "end_before_start":
      return `invalid.${code}`;
    default:
      return "invalid.generic";
  }
}

export type { AgencyLevel, Locale };
