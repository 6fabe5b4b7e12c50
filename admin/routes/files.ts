// Downloads: always as an attachment with the type the bytes proved, never rendered inline.
import type { FastifyInstance } from "fastify";
import { attachmentForStaff } from "../../core/storage/access.js";
import { actorOf, allow } from "../http/guard.js";

/** RFC 6266 / 5987: an ASCII fallback plus the UTF-8 name. */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

export async function fileRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  app.get("/files/:id", { onRequest: allow() }, async (request, reply) => {
    const { id } = request.params as { id: string };
    const file = await attachmentForStaff(ctx.db, actorOf(request), id);
    const stream = await ctx.storage.stream(file.storageKey);
    return reply
      .header("content-type", file.mimeType)
      .header("content-length", String(file.size))
      .header("content-disposition", contentDisposition(file.fileName))
      .header("cache-control", "private, no-store")
      .send(stream);
  });
}
