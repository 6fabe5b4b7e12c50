// The reporting-deadline job: a BullMQ job scheduler runs core's scanDeadlines a few times a day
// (one instance runs it at a time, whatever the number of processes). It only writes outbox rows;
// the relay and the channel workers deliver them like every other notice.
import { Queue, Worker } from "bullmq";
import { scanDeadlines } from "../../core/programme/deadlines.js";
import type { AppContext } from "../../core/runtime/context.js";
import { bullPrefix } from "./queues.js";

export const DEADLINE_QUEUE = "programme-deadlines";
const EVERY_MS = 6 * 3600_000;

export interface DeadlineJob {
  queue: Queue;
  worker: Worker;
  /** Runs a scan now (also what the scheduler does). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export async function startDeadlineJob(ctx: AppContext, opts: { everyMs?: number; now?: () => Date } = {}): Promise<DeadlineJob> {
  const connection = ctx.redis.duplicate({ maxRetriesPerRequest: null });
  const workerConnection = ctx.redis.duplicate({ maxRetriesPerRequest: null });
  const queue = new Queue(DEADLINE_QUEUE, { connection, prefix: bullPrefix(ctx) });
  const worker = new Worker(
    DEADLINE_QUEUE,
    async () => {
      const written = await scanDeadlines(ctx.db, opts.now?.() ?? new Date());
      if (written > 0) ctx.log.info({ written }, "reporting-deadline notices written");
      return written;
    },
    { connection: workerConnection, prefix: bullPrefix(ctx), concurrency: 1 },
  );
  worker.on("error", (err) => ctx.log.warn({ err }, "deadline job worker error"));
  await queue.upsertJobScheduler("scan", { every: opts.everyMs ?? EVERY_MS }, { name: "scan", opts: { removeOnComplete: 20, removeOnFail: 50 } });
  return {
    queue,
    worker,
    async runNow() {
      await queue.add("scan-now", {}, { removeOnComplete: 20, removeOnFail: 50 });
    },
    async stop() {
      await worker.close();
      await queue.close();
      await Promise.all([connection.quit().catch(() => undefined), workerConnection.quit().catch(() => undefined)]);
    },
  };
}
