// The idle reminder: one nudge after 30 minutes of silence in the middle of a form. It is a
// delayed BullMQ job (so a restart does not lose it), debounced per session: every answer
// replaces the pending job, and the job itself checks the session version before sending,
// so a person who answered meanwhile is never nudged. The payload carries ids only.
import { Queue, Worker } from "bullmq";
import type { AppContext } from "../../core/runtime/context.js";

export const IDLE_QUEUE = "bot-idle-reminder";

export interface IdleJob {
  sessionId: string;
  version: number;
}

export class IdleReminders {
  private readonly queue: Queue<IdleJob>;
  private worker: Worker<IdleJob> | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly delayMs: number,
  ) {
    this.queue = new Queue<IdleJob>(IDLE_QUEUE, { connection: ctx.redis, prefix: ctx.redisPrefix });
  }

  /** Starts delivering due reminders through `deliver` (one worker per instance). */
  start(deliver: (job: IdleJob) => Promise<void>): void {
    if (this.worker) return;
    this.worker = new Worker<IdleJob>(IDLE_QUEUE, (job) => deliver(job.data), {
      connection: this.ctx.redis,
      prefix: this.ctx.redisPrefix,
      concurrency: 4,
    });
    this.worker.on("error", (err) => this.ctx.log.warn({ err }, "idle reminder worker error"));
  }

  /** (Re)schedules the reminder of a session; the previous pending one is replaced. */
  async schedule(sessionId: string, version: number): Promise<void> {
    await this.queue.add(
      "idle",
      { sessionId, version },
      {
        delay: this.delayMs,
        deduplication: { id: sessionId, ttl: this.delayMs, extend: true, replace: true },
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
