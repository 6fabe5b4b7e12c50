// The web channel: the simulator page talks to the engine over plain HTTP. Replies to the
// person's own message come back in the HTTP response; proactive messages (notifications,
// idle reminders) are kept per session in a capped, expiring Redis list that the page polls.
import type { Redis } from "ioredis";
import { z } from "zod";
import type { ChannelSender, OutboundMessage } from "../types.js";

export const sessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

export interface WebMessage {
  /** Increasing per session; the page asks for messages after the last one it saw. */
  id: number;
  at: string;
  message: OutboundMessage;
}

export interface WebChannelOptions {
  /** Messages kept per session (default 50). */
  cap?: number;
  /** Seconds a quiet session's messages are kept (default 7 days). */
  ttlSeconds?: number;
}

export class WebChannel implements ChannelSender {
  readonly channel = "web" as const;
  private readonly cap: number;
  private readonly ttl: number;

  constructor(
    private readonly ctx: { redis: Redis; redisPrefix: string },
    opts: WebChannelOptions = {},
  ) {
    this.cap = opts.cap ?? 50;
    this.ttl = opts.ttlSeconds ?? 7 * 24 * 3600;
  }

  private key(sessionId: string, what: "outbox" | "seq" | "files") {
    return `${this.ctx.redisPrefix}:web:${sessionId}:${what}`;
  }

  async send(sessionId: string, message: OutboundMessage): Promise<{ messageId?: string }> {
    sessionIdSchema.parse(sessionId);
    const id = await this.ctx.redis.incr(this.key(sessionId, "seq"));
    const entry: WebMessage = { id, at: new Date().toISOString(), message };
    const multi = this.ctx.redis
      .multi()
      .rpush(this.key(sessionId, "outbox"), JSON.stringify(entry))
      .ltrim(this.key(sessionId, "outbox"), -this.cap, -1)
      .expire(this.key(sessionId, "outbox"), this.ttl)
      .expire(this.key(sessionId, "seq"), this.ttl);
    await multi.exec();
    if (message.document) await this.allowFile(sessionId, message.document.attachmentId);
    return { messageId: String(id) };
  }

  /** Proactive messages with an id greater than `after`, oldest first. */
  async messagesAfter(sessionId: string, after: number): Promise<WebMessage[]> {
    sessionIdSchema.parse(sessionId);
    const raw = await this.ctx.redis.lrange(this.key(sessionId, "outbox"), 0, -1);
    const out: WebMessage[] = [];
    for (const r of raw) {
      try {
        const m = JSON.parse(r) as WebMessage;
        if (m.id > after) out.push(m);
      } catch {
        // a damaged entry is skipped, never fatal
      }
    }
    return out;
  }

  /** Remembers that this session was sent this file, so it may download it. */
  async allowFile(sessionId: string, attachmentId: string): Promise<void> {
    await this.ctx.redis.multi().sadd(this.key(sessionId, "files"), attachmentId).expire(this.key(sessionId, "files"), this.ttl).exec();
  }

  async mayDownload(sessionId: string, attachmentId: string): Promise<boolean> {
    return (await this.ctx.redis.sismember(this.key(sessionId, "files"), attachmentId)) === 1;
  }
}
