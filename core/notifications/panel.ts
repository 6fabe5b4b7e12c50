// In-panel notifications (the bell): a PanelNotice per staff member, written in the same
// transaction as the change that causes it. pg_notify inside that transaction is delivered only
// on commit, so the panel's live stream (admin/http/notice-stream.ts) never announces a change
// that rolled back.
import type { Db, Prisma, Tx } from "../db/client.js";

export const PANEL_CHANNEL = "sibina_panel_notice";

/** The outbox kinds that also appear in the bell, and the page each opens (null: no page, no bell item). */
const byRequest = (path: string) => (r: NoticeSource) => (r.requestId ? `/requests/${r.requestId}${path}` : null);
const PANEL_KINDS: Record<string, (r: NoticeSource) => string | null> = {
  "request.submitted": byRequest(""),
  "request.escalated": byRequest(""),
  "request.clarification_answer": byRequest("#messages"),
  "coach.assigned": byRequest(""),
  "documentation.uploaded": (r) => (r.requestId ? `/coachings/${r.requestId}/documentation` : null),
  // A PIC asked for a person (issue 13): the conversation in the Inbox.
  "inbox.waiting": (r) => {
    const id = (r.payload as { conversationId?: unknown } | null | undefined)?.conversationId;
    return typeof id === "string" ? `/inbox/${id}` : null;
  },
};
export const PANEL_NOTICE_KINDS = Object.keys(PANEL_KINDS);

interface NoticeSource {
  kind: string;
  dedupeKey: string;
  requestId?: string | null;
  recipientUserId?: string | null;
  payload?: unknown;
}

/** Writes the bell's rows for these outbox rows (staff recipients of the kinds above) and announces them. */
export async function writePanelNotices(tx: Tx, rows: readonly (Prisma.OutboxCreateManyInput | NoticeSource)[]): Promise<number> {
  const notices = rows.flatMap((r) => {
    const link = r.recipientUserId ? PANEL_KINDS[r.kind]?.(r as NoticeSource) : null;
    if (!link) return [];
    return [{ userId: r.recipientUserId!, kind: r.kind, requestId: r.requestId ?? null, link, dedupeKey: `panel:${r.dedupeKey}` }];
  });
  if (notices.length === 0) return 0;
  const { count } = await tx.panelNotice.createMany({ data: notices, skipDuplicates: true });
  for (const userId of new Set(notices.map((n) => n.userId))) await tx.$executeRaw`SELECT pg_notify(${PANEL_CHANNEL}, ${userId})`;
  return count;
}

export async function unreadCount(db: Db, userId: string): Promise<number> {
  return db.panelNotice.count({ where: { userId, readAt: null } });
}

/** The newest notices with their request's ticket code, for the bell's list. */
export async function latestNotices(db: Db, userId: string, take = 30) {
  const rows = await db.panelNotice.findMany({ where: { userId }, orderBy: { createdAt: "desc" }, take });
  const codes = new Map(
    (
      await db.coachingRequest.findMany({
        where: { id: { in: rows.map((r) => r.requestId).filter((x): x is string => !!x) } },
        select: { id: true, code: true },
      })
    ).map((r) => [r.id, r.code]),
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    link: r.link,
    code: (r.requestId && codes.get(r.requestId)) || "",
    read: r.readAt !== null,
    createdAt: r.createdAt,
  }));
}

/** Marks one notice read (only the owner's) and returns where it leads. */
export async function openNotice(db: Db, userId: string, id: string, now = new Date()): Promise<string | null> {
  const notice = await db.panelNotice.findFirst({ where: { id, userId } });
  if (!notice) return null;
  if (!notice.readAt) await db.panelNotice.update({ where: { id }, data: { readAt: now } });
  return notice.link;
}

export async function markAllRead(db: Db, userId: string, now = new Date()) {
  await db.panelNotice.updateMany({ where: { userId, readAt: null }, data: { readAt: now } });
}
