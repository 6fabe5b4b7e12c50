// The idle reminder: one nudge after 30 minutes of silence in the middle of a form. It is a
// delayed BullMQ job (so a restart does not lose it). To keep the message path cheap, a form
// arms one job rather than one per answer: when the job fires and the person answered
// meanwhile, it re-arms itself for 30 minutes after their last answer instead of sending.
// Job ids are "<session>_<due time>", so re-arming twice for the same answer adds one job.
// The payload carries ids only.
import { Queue, Worker } from "bullmq";
import { queueIdleReminder } from "../../core/notifications/idle.js";
import type { AppContext } from "../../core/runtime/context.js";
import { safeError } from "./log.js";
import type { Session } from "./session.js";
import type { FlowRegistry } from "./turn.js";

export const IDLE_QUEUE = "bot-idle-reminder";

export interface IdleJob {
  sessionId: string;
}

export class IdleReminders {
  private readonly queue: Queue<IdleJob>;
  private worker: Worker<IdleJob> | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly delayMs: number,
  ) {
    this.queue = new Queue<IdleJob>(IDLE_QUEUE, { connection: ctx.redis, prefix: ctx.redisPrefix });
    // Redis outages are reported once by the connection itself; without a listener BullMQ
    // prints every failed reconnect.
    this.queue.on("error", () => {});
  }

  /** Starts delivering due reminders through `deliver` (one worker per instance). */
  start(deliver: (job: IdleJob) => Promise<void>): void {
    if (this.worker) return;
    this.worker = new Worker<IdleJob>(IDLE_QUEUE, (job) => deliver(job.data), {
      connection: this.ctx.redis,
      prefix: this.ctx.redisPrefix,
      concurrency: 4,
    });
    this.worker.on("error", (err) => this.ctx.log.warn({ err: safeError(err) }, "idle reminder worker error"));
  }

  get delay(): number {
    return this.delayMs;
  }

  /** Schedules the reminder of a session to fire at `due` (epoch ms). */
  async schedule(sessionId: string, due: number): Promise<void> {
    await this.queue.add(
      "idle",
      { sessionId },
      {
        jobId: `${sessionId}_${due}`, // BullMQ ids may not contain ":"
        delay: Math.max(0, due - Date.now()),
        removeOnComplete: true,
        removeOnFail: 100,
        attempts: 3,
        backoff: { type: "exponential", delay: 5_000 },
      },
    );
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
  }
}

/**
 * After a turn: the due time of a reminder to arm, or null. A form arms one only when none is
 * pending (`idleDue` passed), and keeps that time in the session.
 */
export function armIdleReminder(flows: FlowRegistry, session: Session, now: Date, delayMs: number): number | null {
  if (!flows.resumable(session.flow) || (session.data.idleDue ?? 0) > now.getTime()) return null;
  session.data.idleDue = now.getTime() + delayMs;
  return session.data.idleDue;
}

export interface IdleDelivery {
  ctx: AppContext;
  flows: FlowRegistry;
  reminders: IdleReminders;
  /** The per-chat turn lock, so the reminder never races a message of the same person. */
  underChatLock(chatKey: string, fn: () => Promise<void>): Promise<void>;
  sessionTtlMs: number;
  log: AppContext["log"];
}

/** A due reminder job: queue the notice, unless the person answered meanwhile (then re-arm). */
export async function deliverIdleReminder(d: IdleDelivery, job: IdleJob): Promise<void> {
  const { db } = d.ctx;
  const found = await db.conversationSession.findUnique({ where: { id: job.sessionId }, select: { channel: true, externalId: true } });
  if (!found) return;
  await d.underChatLock(`${found.channel}:${found.externalId}`, async () => {
    const session = await db.conversationSession.findUnique({ where: { id: job.sessionId } });
    if (!session || !d.flows.resumable(session.flow) || session.updatedAt.getTime() + d.sessionTtlMs <= Date.now()) return;
    // The person answered since this job was armed: wait for 30 minutes after that answer.
    const due = session.updatedAt.getTime() + d.reminders.delay;
    if (due > Date.now()) return d.reminders.schedule(session.id, due);
    // Through the outbox and the paced queue, like every notice that is not a direct reply.
    const queued = await queueIdleReminder(db, { channel: session.channel, externalId: session.externalId }, session.id, due);
    d.log.info({ channel: session.channel, session: session.id, queued }, "idle reminder queued");
  });
}
