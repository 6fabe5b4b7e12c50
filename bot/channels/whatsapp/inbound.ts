// Turns what Baileys delivers (proto.WebMessageInfo in messages.upsert) into engine events.
// Everything WhatsApp can send is sorted into: an event for the engine, a group message (we
// answer once that only private chats work), or something to ignore silently (our own echoes,
// status broadcasts, newsletters, reactions, protocol messages). Never throws on odd shapes.
import {
  isHostedLidUser,
  isHostedPnUser,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  isLidUser,
  isPnUser,
  normalizeMessageContent,
  proto,
  toNumber,
  type WAMessage,
} from "@whiskeysockets/baileys";
import type { InboundEvent, InboundFile } from "../types.js";
import { type LidLookup, resolveSender, type Sender } from "./identity.js";

export type Normalised =
  | { kind: "ignore"; reason: string }
  | { kind: "group"; groupJid: string; updateId: string }
  | { kind: "event"; event: InboundEvent; sender: Sender };

export interface InboundDeps {
  lids?: LidLookup;
  /** Fetches a media message's bytes; called lazily, only when the flow wants the file. */
  download(message: WAMessage): Promise<Buffer>;
}

// Housekeeping that is not a message from a person: never answered.
const SILENT = [
  "protocolMessage",
  "reactionMessage",
  "encReactionMessage",
  "pollUpdateMessage",
  "keepInChatMessage",
  "pinInChatMessage",
  "senderKeyDistributionMessage",
  "messageContextInfo",
  "encEventResponseMessage",
  "secretEncryptedMessage",
] as const;

const isEdit = (m: proto.IMessage | null | undefined) =>
  m?.protocolMessage?.type === proto.Message.ProtocolMessage.Type.MESSAGE_EDIT || Boolean(m?.editedMessage);

type Content =
  | { kind: "text"; text: string }
  | { kind: "choice"; choiceId: string; text?: string }
  | { kind: "file"; file: Omit<InboundFile, "download"> }
  | { kind: "unsupported" }
  | { kind: "silent" };

const str = (v: string | null | undefined) => (typeof v === "string" && v.length > 0 ? v : undefined);
const size = (v: unknown) => {
  if (v === null || v === undefined) return undefined;
  const n = toNumber(v as number);
  return Number.isFinite(n) && n > 0 ? n : undefined;
};

/** What the person sent, whatever envelope (ephemeral, view-once, document-with-caption) it came in. */
export function readContent(raw: proto.IMessage | null | undefined): Content {
  if (!raw) return { kind: "silent" };
  // An edit changes an earlier answer we have already handled; ask for a new message instead.
  if (isEdit(raw)) return { kind: "unsupported" };
  const m = normalizeMessageContent(raw);
  if (!m) return { kind: "silent" };
  if (isEdit(m)) return { kind: "unsupported" };

  const text = str(m.conversation) ?? str(m.extendedTextMessage?.text);
  if (text !== undefined) return { kind: "text", text };

  const list = m.listResponseMessage;
  const rowId = str(list?.singleSelectReply?.selectedRowId);
  if (rowId) return { kind: "choice", choiceId: rowId, text: str(list?.title) };
  const button = m.buttonsResponseMessage;
  if (str(button?.selectedButtonId)) return { kind: "choice", choiceId: button!.selectedButtonId!, text: str(button?.selectedDisplayText) };
  const template = m.templateButtonReplyMessage;
  if (str(template?.selectedId)) return { kind: "choice", choiceId: template!.selectedId!, text: str(template?.selectedDisplayText) };
  const flow = m.interactiveResponseMessage?.nativeFlowResponseMessage?.paramsJson;
  if (flow) {
    try {
      const id = (JSON.parse(flow) as { id?: unknown }).id;
      if (typeof id === "string" && id) return { kind: "choice", choiceId: id, text: str(m.interactiveResponseMessage?.body?.text) };
    } catch {
      return { kind: "unsupported" };
    }
  }

  const doc = m.documentMessage ?? raw.documentWithCaptionMessage?.message?.documentMessage;
  if (doc) {
    return {
      kind: "file",
      file: { fileName: str(doc.fileName) ?? str(doc.title), mimeType: str(doc.mimetype), size: size(doc.fileLength), caption: str(doc.caption) },
    };
  }
  const image = m.imageMessage;
  if (image) return { kind: "file", file: { mimeType: str(image.mimetype), size: size(image.fileLength), caption: str(image.caption) } };

  const present = Object.entries(m).filter(([, v]) => v !== null && v !== undefined && v !== "");
  if (present.length === 0 || present.every(([k]) => (SILENT as readonly string[]).includes(k))) return { kind: "silent" };
  // Stickers, locations, contacts, voice notes, videos, polls…: the engine answers with a hint.
  return { kind: "unsupported" };
}

const isPrivateChat = (jid: string) => Boolean(isPnUser(jid) || isLidUser(jid) || isHostedPnUser(jid) || isHostedLidUser(jid));

/** Sorts one upserted message (messages.upsert "notify", live, or "append", sent while we were offline). */
export async function normaliseMessage(msg: WAMessage, deps: InboundDeps): Promise<Normalised> {
  const key = msg.key;
  const jid = key?.remoteJid;
  const id = key?.id;
  if (!key || !jid || !id) return { kind: "ignore", reason: "no_key" };
  if (key.fromMe) return { kind: "ignore", reason: "from_me" };
  if (isJidStatusBroadcast(jid)) return { kind: "ignore", reason: "status" };
  if (isJidNewsletter(jid)) return { kind: "ignore", reason: "newsletter" };
  if (isJidBroadcast(jid)) return { kind: "ignore", reason: "broadcast" };

  const content = readContent(msg.message);
  if (content.kind === "silent") return { kind: "ignore", reason: msg.messageStubType ? "stub" : "protocol" };
  if (isJidGroup(jid)) return { kind: "group", groupJid: jid, updateId: id };
  if (!isPrivateChat(jid)) return { kind: "ignore", reason: "other_chat" };

  const sender = await resolveSender(key, deps.lids);
  if (!sender) return { kind: "ignore", reason: "no_sender" };
  const ts = msg.messageTimestamp ? toNumber(msg.messageTimestamp) : 0;
  const event: InboundEvent = {
    channel: "whatsapp",
    externalId: sender.identityJid,
    updateId: id,
    kind: content.kind,
    phone: sender.phone,
    displayName: str(msg.pushName),
    receivedAt: ts > 0 ? new Date(ts * 1000) : new Date(),
  };
  if (content.kind === "text") event.text = content.text;
  if (content.kind === "choice") {
    event.choiceId = content.choiceId;
    if (content.text) event.text = content.text;
  }
  if (content.kind === "file") event.file = { ...content.file, download: () => deps.download(msg) };
  return { kind: "event", event, sender };
}
