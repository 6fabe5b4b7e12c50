// Multipart forms, read as they arrive. Only routes marked `config: { multipart: true }` take
// them (panel.ts refuses multipart everywhere else before reading a byte), and those routes
// check the session in onRequest, so an anonymous body is never read. Here:
// - fields are collected (small, limited by @fastify/multipart/busboy);
// - the CSRF token (the form's first field) is checked before the first file byte is stored;
// - each file streams straight to storage, hashed on the way, under a per-file limit and a
//   total limit for the whole form (413 as soon as either is passed; the rest is not read);
// - core/storage then decides the type from the stored bytes; staged files that are not
//   recorded are removed when the response ends.
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import type { AppContext } from "../../core/runtime/context.js";
import { ACCEPTED_TYPES, newStorageKey, recordStagedAttachment, type StagedFile } from "../../core/storage/index.js";
import type { FormBody } from "./forms.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** This route reads a multipart form with readMultipart(); elsewhere multipart is refused early. */
    multipart?: boolean;
  }
  interface FastifyRequest {
    /** Storage keys written by this request and not (yet) recorded as attachments. */
    stagedUploads: Set<string> | null;
  }
}

export interface UploadLimits {
  /** One file. */
  fileBytes: number;
  /** All files of one form together. */
  totalBytes: number;
  files: number;
}

/** The limits for MAX_UPLOAD_MB: a file up to it, a form's files together up to five times it. */
export const uploadLimitsFor = (maxUploadMb: number): UploadLimits => ({
  fileBytes: maxUploadMb * 1024 * 1024,
  totalBytes: 5 * maxUploadMb * 1024 * 1024,
  files: 10,
});

/** Allowance for a form's fields and part headers on top of its files (for the Content-Length check). */
export const FORM_OVERHEAD_BYTES = 1024 * 1024;

function httpError(code: string, statusCode: number, message: string): FastifyError {
  return Object.assign(new Error(message), { code, statusCode, name: "UploadError" }) as FastifyError;
}
export const tooLarge = () => httpError("FST_REQ_FILE_TOO_LARGE", 413, "upload too large");

/** The CSRF check of @fastify/csrf-protection, as a promise (it answers through reply.send). */
function verifyCsrf(request: FastifyRequest): Promise<void> {
  return new Promise((resolve, reject) => {
    const answer = { send: (err: unknown) => reject(err) } as unknown as FastifyReply;
    request.server.csrfProtection(request, answer, () => resolve());
  });
}

export interface MultipartForm {
  body: FormBody;
  files: Record<string, StagedFile[]>;
}

/**
 * Reads the form: fields into `body`, files of the given fields to storage. Throws the CSRF
 * error (403), a 413 for too much data, or a 400 for a file in an unexpected field.
 */
export async function readMultipart(request: FastifyRequest, fileFields: readonly string[]): Promise<MultipartForm> {
  if (!request.isMultipart()) return { body: (request.body ?? {}) as FormBody, files: {} };
  const { ctx, uploadLimits } = request.server.panel;
  const body: Record<string, string | string[]> = {};
  const files: Record<string, StagedFile[]> = {};
  let csrfChecked = false;
  let total = 0;
  const checkCsrf = async () => {
    if (csrfChecked) return;
    request.body = body;
    await verifyCsrf(request);
    csrfChecked = true;
  };

  for await (const part of request.parts()) {
    if (part.type === "field") {
      const value = String(part.value ?? "");
      const prior = body[part.fieldname];
      body[part.fieldname] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
      continue;
    }
    await checkCsrf();
    if (!fileFields.includes(part.fieldname)) throw httpError("FST_INVALID_MULTIPART_CONTENT_TYPE", 400, "unexpected file field");
    const storageKey = newStorageKey();
    request.stagedUploads ??= new Set();
    request.stagedUploads.add(storageKey);
    const hash = createHash("sha256");
    let size = 0;
    async function* metered(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        total += chunk.length;
        if (total > uploadLimits.totalBytes) throw tooLarge();
        hash.update(chunk);
        yield chunk;
      }
    }
    // busboy drops a file's bytes past the per-file limit but reads on to the part's end;
    // stop at once instead (the rest of the body is never read).
    part.file.once("limit", () => part.file.destroy(tooLarge()));
    await ctx.storage.putStream(storageKey, Readable.from(metered(part.file)));
    if (part.file.truncated) throw tooLarge();
    if (size === 0 && !part.filename) {
      // An empty file input still sends an empty part.
      request.stagedUploads.delete(storageKey);
      await ctx.storage.remove(storageKey);
      continue;
    }
    const list = files[part.fieldname] ?? [];
    list.push({ fileName: part.filename, storageKey, size, sha256: hash.digest("hex") });
    files[part.fieldname] = list;
  }
  await checkCsrf();
  request.body = body;
  return { body, files };
}

/** Files staged by this request and never recorded are removed (refused forms, errors). */
export async function discardStaged(ctx: AppContext, request: FastifyRequest): Promise<void> {
  const keys = request.stagedUploads;
  if (!keys?.size) return;
  request.stagedUploads = null;
  await Promise.all([...keys].map((k) => ctx.storage.remove(k).catch((err) => ctx.log.warn({ err }, "could not remove a staged upload"))));
}

export type StoreOutcome =
  | { ok: true; attachmentIds: string[]; labels: string[] }
  | { ok: false; reason: "too_large" | "empty" | "bad_type"; fileName: string };

/** Records every staged file or none: the first refused file stops the batch (its recorded siblings are removed). */
export async function storeFiles(
  ctx: AppContext,
  request: FastifyRequest,
  files: StagedFile[],
  opts: { requestId?: string | null; uploadedById: string; allowed?: Record<string, { ext: string; label: string }> },
): Promise<StoreOutcome> {
  const stored: { id: string; storageKey: string; label: string }[] = [];
  for (const f of files) {
    const result = await recordStagedAttachment(ctx.db, ctx.storage, f, {
      maxBytes: request.server.panel.uploadLimits.fileBytes,
      allowed: opts.allowed ?? ACCEPTED_TYPES,
      requestId: opts.requestId ?? null,
      uploadedById: opts.uploadedById,
    });
    if (!result.ok) {
      for (const s of stored) {
        await ctx.db.attachment.delete({ where: { id: s.id } }).catch(() => undefined);
        await ctx.storage.remove(s.storageKey).catch(() => undefined);
      }
      await discardStaged(ctx, request);
      return { ok: false, reason: result.reason, fileName: f.fileName };
    }
    request.stagedUploads?.delete(f.storageKey);
    stored.push({ id: result.attachment.id, storageKey: result.attachment.storageKey, label: result.label });
  }
  return { ok: true, attachmentIds: stored.map((s) => s.id), labels: stored.map((s) => s.label) };
}
