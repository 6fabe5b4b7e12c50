// Periodic jobs as BullMQ job schedulers: the schedule lives in Redis under a fixed id, so
// however many instances run, each period runs once per deployment (not once per process),
// and a restart neither skips nor doubles a run.
import { Queue, Worker } from "bullmq";
import { pruneChatBookkeeping } from "../core/retention.js";
import type { AppContext } from "../core/runtime/context.js";
import { safeError } from "./engine/log.js";

export const HOUSEKEEPING_QUEUE = "housekeeping";

export interface PeriodicJob {
  /** Stable id: the scheduler's key in Redis. */
  id: string;
  everyMs: number;
  run(ctx: AppContext): Promise<unknown>;
}

/** The product's periodic jobs. */
export const PERIODIC_JOBS: readonly PeriodicJob[] = [{ id: "prune-chat-bookkeeping", everyMs: 6 * 3600_000, run: (ctx) => pruneChatBookkeeping(ctx.db) }];

export interface Housekeeping {
  stop(): Promise<void>;
}

export async function startHousekeeping(ctx: AppContext, jobs: readonly PeriodicJob[] = PERIODIC_JOBS): Promise<Housekeeping> {
  const log = ctx.log.child({ mod: "housekeeping" });
  const connection = ctx.redis.duplicate({ maxRetriesPerRequest: null });
  connection.on("error", (err) => log.warn({ err: safeError(err) }, "housekeeping redis error"));
  const queue = new Queue(HOUSEKEEPING_QUEUE, { connection, prefix: ctx.redisPrefix });
  const byId = new Map(jobs.map((j) => [j.id, j]));
  for (const job of jobs) {
    // Upserting the same id from every instance keeps one schedule. With `every`, BullMQ runs the
    // first one at once (its `immediately` option only adds a console warning for that case).
    await queue.upsertJobScheduler(job.id, { every: job.everyMs }, { name: job.id, opts: { removeOnComplete: 20, removeOnFail: 50 } });
  }
  const worker = new Worker(
    HOUSEKEEPING_QUEUE,
    async (bullJob) => {
      const job = byId.get(bullJob.name);
      if (!job) return null;
      const result = await job.run(ctx);
      log.info({ job: job.id, result }, "periodic job done");
      return result ?? null;
    },
    { connection, prefix: ctx.redisPrefix, concurrency: 1 },
  );
  worker.on("error", (err) => log.warn({ err: safeError(err) }, "housekeeping worker error"));
  return {
    async stop() {
      await worker.close();
      await queue.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
