// Staff and agency imports from CSV/XLSX (core/imports): upload → preview with a verdict per
// row → apply all or nothing. The uploaded table waits in Redis for 30 minutes between preview
// and apply, keyed by the staff member, so nobody else can apply it. Exports give the same
// columns, so an exported file imports back unchanged.
import { randomBytes } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { isDomainError } from "../../core/errors.js";
import { agencyPreviewColumns, applyAgencies, exportAgencies, previewAgencies } from "../../core/imports/agencies.js";
import { applyStaff, exportStaff, previewStaff, STAFF_COLUMNS } from "../../core/imports/staff.js";
import { type ReadTable, readTable, writeCsv, writeXlsx } from "../../core/imports/table.js";
import type { MessageKey } from "../../core/messages/index.js";
import { readBotUsername } from "../../core/runtime/channel-status.js";
import { type FormBody, str } from "../http/forms.js";
import { actorOf, allow } from "../http/guard.js";
import { readMultipart } from "../http/uploads.js";

type Table = Extract<ReadTable, { ok: true }>;
const KINDS = {
  staff: { base: "/users/import", action: "user.manage", title: "import.staff.title", sheet: "Pegawai", file: "pegawai" },
  agency: { base: "/agencies/import", action: "agency.import", title: "import.agency.title", sheet: "Instansi", file: "instansi" },
} as const;
type Kind = keyof typeof KINDS;
const TTL_SECONDS = 30 * 60;
const tableSchema = z.object({
  ok: z.literal(true).default(true),
  header: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  format: z.enum(["csv", "xlsx"]),
});

export async function importRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  const keyOf = (request: FastifyRequest, kind: Kind, id: string) => `${ctx.redisPrefix}:import:${kind}:${request.staff!.id}:${id}`;
  const actor = (request: FastifyRequest) => ({ ...actorOf(request), ip: request.ip });

  async function page(reply: FastifyReply, kind: Kind, extra: Record<string, unknown> = {}) {
    return reply.view("imports/page", {
      title: reply.locals?.t(KINDS[kind].title),
      kind,
      base: KINDS[kind].base,
      maxMb: ctx.config.MAX_UPLOAD_MB,
      preview: null,
      error: null,
      result: null,
      ...extra,
    });
  }

  async function preview(request: FastifyRequest, kind: Kind, table: Table) {
    if (kind === "staff") return { columns: STAFF_COLUMNS.map((c) => c.header), ...(await previewStaff(ctx.db, actorOf(request), table)) };
    return { columns: agencyPreviewColumns(table), ...(await previewAgencies(ctx.db, actorOf(request), table)) };
  }

  for (const kind of Object.keys(KINDS) as Kind[]) {
    const k = KINDS[kind];
    app.get(k.base, { onRequest: allow(k.action) }, async (_request, reply) => page(reply, kind));

    app.post(k.base, { onRequest: allow(k.action), config: { multipart: true } }, async (request, reply) => {
      const { files } = await readMultipart(request, ["file"]);
      const file = files.file?.[0];
      if (!file || files.file!.length !== 1) return page(reply.code(422), kind, { error: { key: "import.error.noFile" } });
      const table = await readTable(await ctx.storage.get(file.storageKey));
      if (!table.ok) return page(reply.code(422), kind, { error: { key: `import.file.${table.problem}`, params: { cell: table.cell ?? "" } } });
      try {
        const result = await preview(request, kind, table);
        const id = randomBytes(12).toString("base64url");
        await ctx.redis.set(keyOf(request, kind, id), JSON.stringify({ header: table.header, rows: table.rows, format: table.format }), "EX", TTL_SECONDS);
        return page(reply, kind, { preview: { ...result, id, fileName: file.fileName } });
      } catch (e) {
        if (!isDomainError(e)) throw e;
        return page(reply.code(422), kind, { error: { key: e.messageKey, params: e.params } });
      }
    });

    app.post(`${k.base}/apply`, { onRequest: allow(k.action) }, async (request, reply) => {
      const id = str(request.body as FormBody, "id");
      if (!/^[\w-]{16}$/.test(id)) return page(reply.code(422), kind, { error: { key: "import.error.expired" } });
      const raw = await ctx.redis.get(keyOf(request, kind, id));
      const table = raw ? tableSchema.safeParse(JSON.parse(raw)) : null;
      if (!table?.success) return page(reply.code(422), kind, { error: { key: "import.error.expired" } });
      try {
        if (kind === "staff") {
          const result = await applyStaff(ctx.db, actor(request), table.data, {
            send: Boolean(ctx.config.SMTP_URL),
            telegramBot: await readBotUsername(ctx.redis, ctx.redisPrefix),
          });
          await ctx.redis.del(keyOf(request, kind, id));
          // Temporary passwords are shown once, on this answer only.
          return page(reply, kind, {
            result: {
              key: "import.staff.done",
              params: { created: result.created.length, updated: result.updated, unchanged: result.unchanged },
              created: result.created,
            },
          });
        }
        const result = await applyAgencies(ctx.db, actor(request), table.data);
        await ctx.redis.del(keyOf(request, kind, id));
        return page(reply, kind, { result: { key: "import.agency.done", params: result, created: [] } });
      } catch (e) {
        if (!isDomainError(e)) throw e;
        return page(reply.code(409), kind, { error: { key: e.messageKey as MessageKey, params: e.params } });
      }
    });
  }

  // Exports: the same columns as the imports, so the file imports back unchanged.
  const exporters = { staff: exportStaff, agency: exportAgencies };
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const k = KINDS[kind];
    app.get(`${k.base}/export.xlsx`, { onRequest: allow(k.action) }, async (request, reply) => {
      const { header, rows } = await exporters[kind](ctx.db, actorOf(request));
      reply.header("content-type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      reply.header("content-disposition", `attachment; filename="${k.file}.xlsx"`);
      return reply.send(await writeXlsx(k.sheet, header, rows));
    });
    app.get(`${k.base}/export.csv`, { onRequest: allow(k.action) }, async (request, reply) => {
      const { header, rows } = await exporters[kind](ctx.db, actorOf(request));
      reply.header("content-type", "text/csv; charset=utf-8");
      reply.header("content-disposition", `attachment; filename="${k.file}.csv"`);
      return reply.send(writeCsv(header, rows));
    });
  }
}
