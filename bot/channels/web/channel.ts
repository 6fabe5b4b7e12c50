// The web channel: the simulator page talks to the engine over plain HTTP. Replies to the
// person's own message come back in the HTTP response; proactive messages (notifications,
// idle reminders) are stored in PostgreSQL per session, and the page polls for those after the
// last id it saw. The id comes from a database sequence, so it only grows: a Redis restart (or
// anything else) can neither lose a message nor make a page skip new ones.
import { z } from "zod";
import type { AppContext } from "../../../core/runtime/context.js";
import type { ChannelSender, OutboundMessage } from "../types.js";

export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

export interface WebMessage {
  /** Increasing; the page asks for messages after the last one it saw. */
  id: number;
  at: string;
  message: OutboundMessage;
}

export interface WebChannelOptions {
  /** Messages returned per poll, the newest ones (default 50). */
  cap?: number;
  /** Days a message (and a file grant) is kept (default 7). */
  keepDays?: number;
}

const HOUR_MS = 3600_000;

export class WebChannel implements ChannelSender {
  readonly channel = "web" as const;
  private readonly cap: number;
  private readonly keepMs: number;
  private lastCleanup = 0;

  constructor(
    private readonly ctx: Pick<AppContext, "db">,
    opts: WebChannelOptions = {},
  ) {
    this.cap = opts.cap ?? 50;
    this.keepMs = (opts.keepDays ?? 7) * 24 * HOUR_MS;
  }

  async send(sessionId: string, message: OutboundMessage): Promise<{ messageId?: string }> {
    sessionIdSchema.parse(sessionId);
    const row = await this.ctx.db.webMessage.create({ data: { sessionId, message: JSON.parse(JSON.stringify(message)) } });
    if (message.document) await this.allowFile(sessionId, message.document.attachmentId);
    await this.cleanup();
    return { messageId: String(row.id) };
  }

  /** Proactive messages with an id greater than `after`, oldest first (at most the newest `cap`). */
  async messagesAfter(sessionId: string, after: number): Promise<WebMessage[]> {
    sessionIdSchema.parse(sessionId);
    const rows = await this.ctx.db.webMessage.findMany({
      where: { sessionId, id: { gt: BigInt(after) } },
      orderBy: { id: "desc" },
      take: this.cap,
    });
    return rows.reverse().map((r) => ({ id: Number(r.id), at: r.createdAt.toISOString(), message: r.message as unknown as OutboundMessage }));
  }

  /** Remembers that this session was sent this file, so it may download it. */
  async allowFile(sessionId: string, attachmentId: string): Promise<void> {
    await this.ctx.db.webFileGrant.upsert({
      where: { sessionId_attachmentId: { sessionId, attachmentId } },
      create: { sessionId, attachmentId },
      update: {},
    });
  }

  async mayDownload(sessionId: string, attachmentId: string): Promise<boolean> {
    const since = new Date(Date.now() - this.keepMs);
    return (await this.ctx.db.webFileGrant.count({ where: { sessionId, attachmentId, createdAt: { gte: since } } })) > 0;
  }

  /** Drops what is older than the keeping time, at most once an hour per process. */
  private async cleanup() {
    if (Date.now() - this.lastCleanup < HOUR_MS) return;
    this.lastCleanup = Date.now();
    const before = new Date(Date.now() - this.keepMs);
    await this.ctx.db.webMessage.deleteMany({ where: { createdAt: { lt: before } } });
    await this.ctx.db.webFileGrant.deleteMany({ where: { createdAt: { lt: before } } });
  }
}
