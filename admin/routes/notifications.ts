// The bell: in-panel notifications of the signed-in staff member, their page, and a live stream
// (server-sent events) that brings the unread count and the newest item without a reload.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { t } from "../../core/messages/index.js";
import { latestNotices, markAllRead, openNotice, unreadCount } from "../../core/notifications/panel.js";
import { localPath } from "../http/audit.js";
import { type FormBody, str } from "../http/forms.js";
import { allow } from "../http/guard.js";
import { NoticeStream } from "../http/notice-stream.js";

const HEARTBEAT_MS = 25_000;

export async function notificationRoutes(app: FastifyInstance) {
  const { ctx } = app.panel;
  const stream = new NoticeStream(ctx.config.DATABASE_URL, ctx.log);
  app.addHook("onClose", async () => stream.close());
  const open = new Set<() => void>();
  // Open streams end when the server closes (otherwise close() would wait for them).
  app.addHook("preClose", async () => {
    for (const end of [...open]) end();
  });

  app.get("/notifications", { onRequest: allow() }, async (request, reply) => {
    const items = await latestNotices(ctx.db, request.staff!.id, 50);
    return reply.view("notifications", { title: reply.locals?.t("bell.title"), items });
  });

  app.post("/notifications/read", { onRequest: allow() }, async (request, reply) => {
    await markAllRead(ctx.db, request.staff!.id);
    return reply.redirect(localPath(str(request.body as FormBody, "back"), "/notifications"));
  });

  app.get("/notifications/stream", { onRequest: allow() }, async (request, reply) => {
    const userId = request.staff!.id;
    const locale = request.locale;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    let sending = Promise.resolve();
    const push = () => {
      sending = sending
        .then(async () => {
          const [unread, [latest]] = await Promise.all([unreadCount(ctx.db, userId), latestNotices(ctx.db, userId, 1)]);
          const item = latest
            ? {
                id: latest.id,
                href: `/notifications/${latest.id}`,
                text: t(locale, `bell.kind.${latest.kind}` as never, { code: latest.code }),
                read: latest.read,
              }
            : null;
          res.write(`event: notice\ndata: ${JSON.stringify({ unread, item })}\n\n`);
        })
        .catch((err) => ctx.log.warn({ err }, "panel notice stream write failed"));
    };
    const unsubscribe = await stream.subscribe(userId, push);
    const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(end);
      if (!res.writableEnded) res.end();
    };
    open.add(end);
    request.raw.on("close", end);
    push();
  });

  app.get("/notifications/:id", { onRequest: allow() }, async (request, reply) => {
    const id = z.uuid().safeParse((request.params as { id: string }).id);
    if (!id.success) return reply.callNotFound();
    const link = await openNotice(ctx.db, request.staff!.id, id.data);
    if (!link) return reply.callNotFound();
    return reply.redirect(link);
  });
}
