// Telegram updates → engine events. Pure and synchronous (the file is only downloaded when a
// step asks for it), so the engine can queue a person's updates in their arrival order.
import type { Update } from "telegraf/types";
import { FileTooLargeError, type InboundEvent, type InboundFile } from "../types.js";

export interface FileAccess {
  /** Resolves a file id to a download URL (Bot API getFile). */
  fileUrl(fileId: string): Promise<URL | string>;
  maxBytes: number;
}

interface TgFile {
  file_id: string;
  file_size?: number;
}

/** Downloads a URL, refusing (without reading further) once it passes maxBytes. */
export async function downloadCapped(url: URL | string, maxBytes: number): Promise<Buffer> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`download failed: HTTP ${res.status}`);
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await res.body.cancel();
    throw new FileTooLargeError(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new FileTooLargeError(maxBytes);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function inboundFile(file: TgFile, access: FileAccess, meta: { fileName?: string; mimeType?: string; caption?: string }): InboundFile {
  return {
    fileName: meta.fileName,
    mimeType: meta.mimeType,
    caption: meta.caption,
    size: file.file_size,
    download: async () => downloadCapped(await access.fileUrl(file.file_id), access.maxBytes),
  };
}

type AnyMessage = Record<string, unknown> & { chat?: { id: number | string; type?: string }; from?: { first_name?: string; language_code?: string } };

/** Normalises one update; null for updates that need no answer (membership changes, polls, channels). */
export function toEvent(update: Update, botId: string, access: FileAccess): InboundEvent | null {
  const base = { channel: "telegram" as const, updateId: `${botId}:${update.update_id}`, receivedAt: new Date() };

  if ("callback_query" in update) {
    const q = update.callback_query;
    const chat = q.message?.chat;
    if (!chat) return null; // inline-mode buttons have no chat to answer in
    const who = { ...base, externalId: String(chat.id), displayName: q.from.first_name, languageHint: q.from.language_code };
    if (chat.type !== "private") return { ...who, kind: "group" };
    if (!("data" in q) || typeof q.data !== "string") return { ...who, kind: "unsupported" };
    return { ...who, kind: "choice", choiceId: q.data };
  }

  let m: AnyMessage | undefined;
  let edited = false;
  if ("message" in update) m = update.message as unknown as AnyMessage;
  else if ("edited_message" in update) {
    m = update.edited_message as unknown as AnyMessage;
    edited = true;
  } else if ("channel_post" in update || "edited_channel_post" in update) return null;
  else {
    // Unknown or future update types: answer only when they come from a private chat.
    const payload = Object.values(update).find((v) => v && typeof v === "object") as AnyMessage | undefined;
    const chat = payload?.chat;
    if (chat?.type !== "private") return null;
    return { ...base, externalId: String(chat.id), kind: "unsupported" };
  }
  if (!m?.chat) return null;
  const who = { ...base, externalId: String(m.chat.id), displayName: m.from?.first_name, languageHint: m.from?.language_code };
  if (m.chat.type !== "private") return { ...who, kind: "group" };
  if (edited) return { ...who, kind: "unsupported" };
  if (typeof m.text === "string") return { ...who, kind: "text", text: m.text };
  const caption = typeof m.caption === "string" ? m.caption : undefined;
  const doc = m.document as (TgFile & { file_name?: string; mime_type?: string }) | undefined;
  if (doc?.file_id) return { ...who, kind: "file", file: inboundFile(doc, access, { fileName: doc.file_name, mimeType: doc.mime_type, caption }) };
  const photos = m.photo as TgFile[] | undefined;
  if (Array.isArray(photos) && photos.length) {
    // The largest size that fits; Telegram lists sizes smallest first.
    const fitting = photos.filter((p) => (p.file_size ?? 0) <= access.maxBytes);
    const best = (fitting.length ? fitting : photos)[(fitting.length ? fitting : photos).length - 1]!;
    return { ...who, kind: "file", file: inboundFile(best, access, { fileName: `foto-${update.update_id}.jpg`, mimeType: "image/jpeg", caption }) };
  }
  return { ...who, kind: "unsupported" };
}
