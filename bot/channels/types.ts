// The contract between the conversation engine and its channels (Telegram, WhatsApp, web).
// Channels turn platform updates into InboundEvents and render OutboundMessages; the engine
// never sees a platform type. WhatsApp has no inline keyboards, so every choice also has a
// number the user can type.
import type { Channel } from "../../core/db/generated/enums.js";

export type { Channel };

export interface InboundFile {
  /** Downloads the bytes; called only when the flow expects a file. */
  download(): Promise<Buffer>;
  fileName?: string;
  /** What the platform claims; never trusted, the content decides. */
  mimeType?: string;
  /** Size as announced by the platform, when known (to refuse big files before downloading). */
  size?: number;
  caption?: string;
}

export interface InboundEvent {
  channel: Channel;
  /** Where to reply: Telegram chat id, WhatsApp JID, web session id. */
  externalId: string;
  /** The platform's unique update/message id, for dedupe. */
  updateId: string;
  kind: "text" | "choice" | "file" | "unsupported" | "group";
  text?: string;
  /** Set when the user pressed a button (callback data). */
  choiceId?: string;
  file?: InboundFile;
  /** E.164 phone, when the channel knows it (WhatsApp). */
  phone?: string;
  displayName?: string;
  /** The platform's language hint (e.g. Telegram's language_code). */
  languageHint?: string;
  receivedAt?: Date;
}

export interface Choice {
  /** Stable id sent back as choiceId (also accepted typed). */
  id: string;
  label: string;
  /** In a multi-choice question: already picked (rendered with a tick). */
  selected?: boolean;
}

export interface OutboundDocument {
  attachmentId: string;
  fileName: string;
  mimeType: string;
}

export interface OutboundMessage {
  text: string;
  /** Rendered as buttons where possible, and always as a numbered list in the text. */
  choices?: Choice[];
  /** Allow picking several choices (e.g. topics). */
  multi?: boolean;
  document?: OutboundDocument;
}

/** What a channel adapter offers to the rest of the product (e.g. the notification worker). */
export interface ChannelSender {
  readonly channel: Channel;
  send(externalId: string, message: OutboundMessage): Promise<{ messageId?: string }>;
}

/** The key a chat's turns are ordered under (the engine's per-chat turn lock). */
export const chatKey = (channel: Channel, address: string): string => `${channel}:${address}`;

/**
 * A message as a chat app delivers it. The chat is known at once; working out the event may
 * take lookups (WhatsApp's LID mapping), and sending the replies takes time. The engine runs
 * both inside the chat's turn, so a chat's messages are answered, and its replies leave, in the
 * order the messages arrived, with no ordering of the channel's own.
 */
export interface Arrival {
  /** chatKey() of the chat the message came from, known before any await. */
  chat: string;
  /** The event to handle (null: nothing to answer). */
  event(): InboundEvent | null | Promise<InboundEvent | null>;
  /** Sends the turn's replies, before the chat's next turn starts. */
  reply(replies: OutboundMessage[]): Promise<void>;
}

/** The conversation engine, as every channel sees it: one inbound event in, replies out. */
export interface ConversationEngine {
  /** Handles one event in its chat's turn and returns the replies (the web channel, tests). */
  handle(event: InboundEvent): Promise<OutboundMessage[]>;
  /** Handles a chat app's message and sends its replies, all in the chat's turn. */
  receive(arrival: Arrival): Promise<void>;
}

/** Thrown by InboundFile.download() when the file turns out larger than allowed. */
export class FileTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`file larger than ${maxBytes} bytes`);
    this.name = "FileTooLargeError";
  }
}
