// What the admin Channels page needs from delivery: queue sizes, failed jobs with their
// errors, and a "retry" that gives a failed job exactly one more attempt.
import type { ChannelOperations, FailedJob, QueueOverview, RejectedDelivery } from "../../core/channels/operations.js";
import type { AppContext } from "../../core/runtime/context.js";
import { requestPairing } from "../channels/whatsapp/pairing.js";
import { channelOfQueue, deliveryQueues, type NotifyJob, within } from "./queues.js";
import { REJECTED } from "./rejections.js";

const TIMEOUT_MS = 3000;

/** Job counts per notification queue. Throws QueueUnavailableError when Redis is down (the page says so). */
export async function queueOverview(ctx: AppContext): Promise<QueueOverview[]> {
  const queues = deliveryQueues(ctx);
  await queues.ready();
  return within(
    TIMEOUT_MS,
    Promise.all(
      queues.all().map(async (q) => {
        const c = await q.getJobCounts("waiting", "delayed", "active", "failed", "completed");
        return { name: q.name, waiting: c.waiting ?? 0, delayed: c.delayed ?? 0, active: c.active ?? 0, failed: c.failed ?? 0, completed: c.completed ?? 0 };
      }),
    ),
  );
}

/** The most recent failed jobs across all queues, newest first. */
export async function listFailed(ctx: AppContext, limit = 50): Promise<FailedJob[]> {
  const n = Math.max(1, Math.min(500, Math.trunc(limit)));
  const queues = deliveryQueues(ctx);
  await queues.ready();
  const perQueue = await within(
    TIMEOUT_MS,
    Promise.all(
      queues.all().map(async (q) =>
        (await q.getFailed(0, n - 1)).filter(Boolean).map(
          (job): FailedJob => ({
            queue: q.name,
            jobId: String(job.id),
            outboxId: (job.data as NotifyJob).outboxId,
            error: (job.failedReason ?? "").slice(0, 500),
            failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
            attempts: job.attemptsMade,
          }),
        ),
      ),
    ),
  );
  return perQueue
    .flat()
    .sort((a, b) => (b.failedAt?.getTime() ?? 0) - (a.failedAt?.getTime() ?? 0))
    .slice(0, n);
}

/**
 * Gives one failed job one more attempt (its attempt count is kept, so a new failure fails it
 * again at once instead of starting a fresh series of retries). Returns false when the job is
 * unknown or no longer failed.
 */
export async function retryFailed(ctx: AppContext, queueName: string, jobId: string): Promise<boolean> {
  const channel = channelOfQueue(queueName);
  if (!channel) return false;
  const queues = deliveryQueues(ctx);
  await queues.ready();
  const job = await within(TIMEOUT_MS, queues.get(channel).getJob(jobId));
  if (!job || !(await within(TIMEOUT_MS, job.isFailed()))) return false;
  await ctx.db.outbox.updateMany({ where: { id: job.data.outboxId, status: "FAILED" }, data: { status: "QUEUED", lastError: null } });
  await within(TIMEOUT_MS, job.retry("failed"));
  return true;
}

/** Notices a platform refused after accepting the send (e.g. WhatsApp 463), newest first. */
export async function listRejected(ctx: AppContext, limit = 20): Promise<RejectedDelivery[]> {
  const rows = await ctx.db.delivery.findMany({
    where: { status: REJECTED },
    orderBy: { createdAt: "desc" },
    take: Math.max(1, Math.min(200, Math.trunc(limit))),
    select: { outboxId: true, channel: true, error: true, createdAt: true, outbox: { select: { kind: true, status: true } } },
  });
  return rows.map((r) => ({
    outboxId: r.outboxId,
    kind: r.outbox.kind,
    channel: r.channel,
    error: r.error ?? "",
    at: r.createdAt,
    outboxStatus: r.outbox.status,
  }));
}

export { QUEUE_NAMES } from "./queues.js";

/** The panel's window on channels and queues (see core/channels/operations.ts); wired in main.ts. */
export function channelOperations(ctx: AppContext): ChannelOperations {
  return {
    requestPairing: (phone) => requestPairing(ctx.redis, ctx.redisPrefix, phone, { timeoutMs: 15_000 }),
    queueOverview: () => queueOverview(ctx),
    listFailed: (limit) => listFailed(ctx, limit),
    retryFailed: (queue, jobId) => retryFailed(ctx, queue, jobId),
    listRejected: (limit) => listRejected(ctx, limit),
  };
}
