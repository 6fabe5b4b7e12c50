// File storage behind a small interface (local disk by default, STORAGE_DIR), plus the one
// place that decides which uploads are acceptable: by size and by content, never by name.
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Db, Tx } from "../db/client.js";
import { loadFileType } from "../runtime/libraries.js";

export interface Storage {
  put(key: string, bytes: Buffer): Promise<void>;
  /** Writes a stream as it arrives (uploads are never held in memory); nothing is left on failure. */
  putStream(key: string, source: Readable): Promise<void>;
  get(key: string): Promise<Buffer>;
  stream(key: string): Promise<Readable>;
  remove(key: string): Promise<void>;
}

export class LocalDiskStorage implements Storage {
  constructor(private readonly root: string) {}
  private pathOf(key: string): string {
    if (!/^[a-f0-9]{2}\/[a-f0-9]{40}$/.test(key)) throw new Error("invalid storage key");
    return path.join(path.resolve(this.root), key);
  }
  async put(key: string, bytes: Buffer) {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, bytes, { flag: "wx" });
  }
  async putStream(key: string, source: Readable) {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    try {
      await pipeline(source, createWriteStream(file, { flags: "wx" }));
    } catch (e) {
      await rm(file, { force: true });
      throw e;
    }
  }
  get(key: string) {
    return readFile(this.pathOf(key));
  }
  async stream(key: string) {
    const file = this.pathOf(key);
    await stat(file);
    return createReadStream(file);
  }
  async remove(key: string) {
    await rm(this.pathOf(key), { force: true });
  }
}

export const newStorageKey = () => {
  const hex = randomBytes(20).toString("hex");
  return `${hex.slice(0, 2)}/${hex}`;
};

/** File kinds accepted from chat and forms, keyed by the MIME type their content reveals. */
export const ACCEPTED_TYPES: Record<string, { ext: string; label: string }> = {
  "application/pdf": { ext: "pdf", label: "PDF" },
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { ext: "docx", label: "DOCX" },
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": { ext: "xlsx", label: "XLSX" },
  "application/vnd.openxmlformats-officedocument.presentationml.presentation": { ext: "pptx", label: "PPTX" },
  "image/jpeg": { ext: "jpg", label: "JPG" },
  "image/png": { ext: "png", label: "PNG" },
};
/** Documentation may also be a video. */
export const VIDEO_TYPES: Record<string, { ext: string; label: string }> = {
  "video/mp4": { ext: "mp4", label: "MP4" },
  "video/quicktime": { ext: "mov", label: "MOV" },
};

export type FileCheck = { ok: true; mimeType: string; ext: string; label: string } | { ok: false; reason: "too_large" | "empty" | "bad_type" };

/** Decides by the bytes themselves (magic numbers); the claimed name and type are ignored. */
export async function checkFile(bytes: Buffer, maxBytes: number, allowed: Record<string, { ext: string; label: string }> = ACCEPTED_TYPES): Promise<FileCheck> {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  if (bytes.length > maxBytes) return { ok: false, reason: "too_large" };
  const detected = await (await loadFileType()).fileTypeFromBuffer(bytes);
  const kind = detected ? allowed[detected.mime] : undefined;
  if (!detected || !kind) return { ok: false, reason: "bad_type" };
  return { ok: true, mimeType: detected.mime, ...kind };
}

/** A safe display name: no paths, no control characters, with the extension the content proves. */
export function safeFileName(name: string | undefined, ext: string): string {
  const base = (name ?? "file")
    .split(/[\\/]/)
    .pop()!
    .replace(/[^\p{L}\p{N} ._()-]/gu, "")
    .replace(/\.[^.]*$/, "")
    .trim()
    .slice(0, 80);
  return `${base || "file"}.${ext}`;
}

export interface StoredFileInput {
  bytes: Buffer;
  fileName?: string;
  maxBytes: number;
  allowed?: Record<string, { ext: string; label: string }>;
  requestId?: string | null;
  uploadedById?: string | null;
}

/** Checks, stores and records a file. Returns the Attachment row, or why it was refused. */
export async function storeAttachment(db: Db | Tx, storage: Storage, input: StoredFileInput) {
  const check = await checkFile(input.bytes, input.maxBytes, input.allowed);
  if (!check.ok) return { ok: false as const, reason: check.reason };
  const storageKey = newStorageKey();
  await storage.put(storageKey, input.bytes);
  const attachment = await db.attachment.create({
    data: {
      fileName: safeFileName(input.fileName, check.ext),
      mimeType: check.mimeType,
      size: input.bytes.length,
      sha256: createHash("sha256").update(input.bytes).digest("hex"),
      storageKey,
      requestId: input.requestId ?? null,
      uploadedById: input.uploadedById ?? null,
    },
  });
  return { ok: true as const, attachment };
}

/** A file already written to storage by an upload, not yet checked or recorded. */
export interface StagedFile {
  fileName: string;
  storageKey: string;
  size: number;
  sha256: string;
}

/** Checks a staged file by its stored bytes and records it; a refused file is removed from storage. */
export async function recordStagedAttachment(
  db: Db | Tx,
  storage: Storage,
  staged: StagedFile,
  opts: { maxBytes: number; allowed?: Record<string, { ext: string; label: string }>; requestId?: string | null; uploadedById?: string | null },
) {
  const allowed = opts.allowed ?? ACCEPTED_TYPES;
  let check: FileCheck;
  if (staged.size === 0) check = { ok: false, reason: "empty" };
  else if (staged.size > opts.maxBytes) check = { ok: false, reason: "too_large" };
  else {
    const stream = await storage.stream(staged.storageKey);
    try {
      const detected = await (await loadFileType()).fileTypeFromStream(Readable.toWeb(stream) as ReadableStream<Uint8Array>);
      const kind = detected ? allowed[detected.mime] : undefined;
      check = detected && kind ? { ok: true, mimeType: detected.mime, ...kind } : { ok: false, reason: "bad_type" };
    } finally {
      stream.destroy();
    }
  }
  if (!check.ok) {
    await storage.remove(staged.storageKey);
    return { ok: false as const, reason: check.reason };
  }
  const attachment = await db.attachment.create({
    data: {
      fileName: safeFileName(staged.fileName, check.ext),
      mimeType: check.mimeType,
      size: staged.size,
      sha256: staged.sha256,
      storageKey: staged.storageKey,
      requestId: opts.requestId ?? null,
      uploadedById: opts.uploadedById ?? null,
    },
  });
  return { ok: true as const, attachment, label: check.label };
}
