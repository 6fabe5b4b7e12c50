// Renders engine replies for WhatsApp. Interactive buttons and lists are unreliable from a
// linked device, so choices are always a numbered list in the text (the engine's plainText;
// it accepts the typed number or the word). Documents are read from storage by the Attachment's key.
import type { AnyMessageContent } from "@whiskeysockets/baileys";
import type { Db } from "../../../core/db/client.js";
import type { Storage } from "../../../core/storage/index.js";
import { plainText } from "../../engine/render.js";
import type { OutboundMessage } from "../types.js";
import { rememberSent } from "./sent-store.js";
import type { WaSocket } from "./socket.js";

export interface OutboundDeps {
  db: Db;
  storage: Storage;
  /** Runs right before the send; throws when this instance may no longer send (lease fencing). */
  guard?: () => Promise<void>;
}

/** What to hand to sock.sendMessage for one engine reply. */
export async function toContent(message: OutboundMessage, deps: OutboundDeps): Promise<AnyMessageContent> {
  const text = plainText(message);
  if (!message.document) return { text };
  const attachment = await deps.db.attachment.findUnique({ where: { id: message.document.attachmentId } });
  if (!attachment) throw new Error(`attachment ${message.document.attachmentId} not found`);
  const bytes = await deps.storage.get(attachment.storageKey);
  return {
    document: bytes,
    mimetype: message.document.mimeType || attachment.mimeType,
    fileName: message.document.fileName || attachment.fileName,
    ...(text ? { caption: text } : {}),
  };
}

/** Sends one reply and keeps it for retry receipts; returns WhatsApp's message id. */
export async function sendOutbound(sock: WaSocket, jid: string, message: OutboundMessage, deps: OutboundDeps): Promise<string | undefined> {
  const content = await toContent(message, deps);
  await deps.guard?.();
  const sent = await sock.sendMessage(jid, content);
  await rememberSent(deps.db, sent);
  return sent?.key?.id ?? undefined;
}
