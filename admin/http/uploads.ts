// Files from multipart forms: size is capped by @fastify/multipart (413), the type is decided
// by core/storage from the bytes, and files are stored under random keys.
import type { AppContext } from "../../core/runtime/context.js";
import { ACCEPTED_TYPES, storeAttachment } from "../../core/storage/index.js";
import type { FormBody } from "./forms.js";

interface FilePart {
  type: "file";
  filename: string;
  toBuffer(): Promise<Buffer>;
}

const isFilePart = (v: unknown): v is FilePart => !!v && typeof v === "object" && (v as { type?: string }).type === "file";

/** The non-empty files of a form field (a field may hold one part or several). */
export async function filesOf(body: FormBody | undefined, field: string): Promise<{ fileName: string; bytes: Buffer }[]> {
  const raw = body?.[field];
  const parts = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(isFilePart);
  const out: { fileName: string; bytes: Buffer }[] = [];
  for (const part of parts) {
    const bytes = await part.toBuffer();
    if (bytes.length === 0 && !part.filename) continue; // an empty file input
    out.push({ fileName: part.filename, bytes });
  }
  return out;
}

export type StoreOutcome =
  | { ok: true; attachmentIds: string[]; labels: string[] }
  | { ok: false; reason: "too_large" | "empty" | "bad_type"; fileName: string };

/** Stores every file or none: the first refused file stops the batch (its stored siblings are removed). */
export async function storeFiles(
  ctx: AppContext,
  files: { fileName: string; bytes: Buffer }[],
  opts: { requestId?: string | null; uploadedById: string; allowed?: Record<string, { ext: string; label: string }> },
): Promise<StoreOutcome> {
  const stored: { id: string; storageKey: string; label: string }[] = [];
  for (const f of files) {
    const result = await storeAttachment(ctx.db, ctx.storage, {
      bytes: f.bytes,
      fileName: f.fileName,
      maxBytes: ctx.config.MAX_UPLOAD_MB * 1024 * 1024,
      allowed: opts.allowed ?? ACCEPTED_TYPES,
      requestId: opts.requestId ?? null,
      uploadedById: opts.uploadedById,
    });
    if (!result.ok) {
      for (const s of stored) {
        await ctx.db.attachment.delete({ where: { id: s.id } }).catch(() => undefined);
        await ctx.storage.remove(s.storageKey).catch(() => undefined);
      }
      return { ok: false, reason: result.reason, fileName: f.fileName };
    }
    const label = Object.entries(opts.allowed ?? ACCEPTED_TYPES).find(([mime]) => mime === result.attachment.mimeType)?.[1].label ?? "";
    stored.push({ id: result.attachment.id, storageKey: result.attachment.storageKey, label });
  }
  return { ok: true, attachmentIds: stored.map((s) => s.id), labels: stored.map((s) => s.label) };
}
