// A file the person sent: size check, download from the channel, then core storage. A refusal
// comes back as a reply in the person's language, never as an error.
import type { MessageKey } from "../../core/messages/index.js";
import { storeAttachment } from "../../core/storage/index.js";
import { FileTooLargeError } from "../channels/types.js";
import type { StoredFile, StoreFileOptions } from "./flow.js";
import { safeError } from "./log.js";
import { type TurnEnv, type TurnState, tr } from "./turn.js";

export async function storeFile(env: TurnEnv, ts: TurnState, opts: StoreFileOptions = {}): Promise<StoredFile> {
  const file = ts.event.file;
  const maxMb = env.ctx.config.MAX_UPLOAD_MB;
  const maxBytes = Math.floor(maxMb * 1024 * 1024);
  const refuse = (key: MessageKey): StoredFile => ({ ok: false, reply: { text: tr(ts)(key, { max: maxMb }) } });
  if (!file) return refuse("bot.invalid.needFile");
  if (file.size !== undefined && file.size > maxBytes) return refuse("bot.file.tooLarge");
  let bytes: Buffer;
  try {
    bytes = await file.download();
  } catch (err) {
    if (err instanceof FileTooLargeError) return refuse("bot.file.tooLarge");
    env.log.warn({ err: safeError(err), channel: ts.event.channel }, "file download failed");
    return refuse("bot.file.failed");
  }
  const stored = await storeAttachment(env.ctx.db, env.ctx.storage, {
    bytes,
    fileName: file.fileName,
    maxBytes,
    allowed: opts.allowed,
    requestId: opts.requestId,
    uploadedById: opts.uploadedById,
  });
  if (!stored.ok) return refuse(stored.reason === "too_large" ? "bot.file.tooLarge" : stored.reason === "empty" ? "bot.file.empty" : "bot.file.badType");
  const a = stored.attachment;
  ts.inbound.attachmentId = a.id;
  return { ok: true, attachment: { id: a.id, fileName: a.fileName, mimeType: a.mimeType, size: a.size } };
}
