// The outbox relay: moves due PENDING rows into the channel queues. Rows are claimed with
// FOR UPDATE SKIP LOCKED inside a transaction that commits only after the jobs are in
// Redis, so several instances never double-queue, and while Redis is down the rows simply
// stay PENDING. Reminders wait as PENDING rows until their availableAt, so cancelling one
// is a status change in PostgreSQL, nothing to chase in Redis.
//
// Redis here keeps nothing on disk: a restart loses queued jobs. The sweeper re-adds the
// jobs of QUEUED rows that Redis no longer knows (same job id; the worker skips channels
// already delivered), at once when Redis' run id changes and periodically otherwise.
import type { Tx } from "../../core/db/client.js";
import type { AppContext } from "../../core/runtime/context.js";
import { type DeliveryChannel, type DeliveryQueues, jobIdOf, within } from "./queues.js";
import { resolveTargetsMany } from "./recipients.js";

export interface RelayOptions {
  batchSize?: number;
  /** Pause between polls when there is nothing to do. */
  pollMs?: number;
  /** QUEUED rows older than this are checked against Redis. */
  staleMs?: number;
  sweepEveryMs?: number;
}

export interface RelayResult {
  queued: number;
  unreachable: number;
}

const REDIS_TIMEOUT_MS = 5_000;

interface JobSpec {
  channel: DeliveryChannel;
  outboxId: string;
  kind: string;
}

async function addJobs(queues: DeliveryQueues, jobs: JobSpec[]) {
  const byChannel = new Map<DeliveryChannel, JobSpec[]>();
  for (const j of jobs) byChannel.set(j.channel, [...(byChannel.get(j.channel) ?? []), j]);
  await within(
    REDIS_TIMEOUT_MS,
    Promise.all(
      [...byChannel].map(([channel, list]) =>
        queues
          .get(channel)
          .addBulk(list.map((j) => ({ name: j.kind, data: { outboxId: j.outboxId, channel }, opts: { jobId: jobIdOf(j.outboxId, channel) } }))),
      ),
    ),
  );
}

/** One pass: queue up to batchSize due rows. Throws (rows stay PENDING) when Redis is down. */
export async function relayOnce(
  ctx: AppContext,
  queues: DeliveryQueues,
  enabled: ReadonlySet<DeliveryChannel>,
  batchSize = 200,
  now = new Date(),
): Promise<RelayResult> {
  await queues.ready();
  return ctx.db.$transaction(
    async (tx: Tx) => {
      const claimed = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Outbox" WHERE status = 'PENDING' AND "availableAt" <= ${now}
        ORDER BY "availableAt", "createdAt" LIMIT ${batchSize} FOR UPDATE SKIP LOCKED`;
      if (claimed.length === 0) return { queued: 0, unreachable: 0 };
      // Kept in claim order (oldest first), so a person's notices are queued in the order written.
      const byId = new Map((await tx.outbox.findMany({ where: { id: { in: claimed.map((c) => c.id) } } })).map((r) => [r.id, r]));
      const rows = claimed.map((c) => byId.get(c.id)!);
      const jobs: JobSpec[] = [];
      const queued: string[] = [];
      const unreachable: string[] = [];
      const targets = await resolveTargetsMany(tx, rows, enabled);
      for (const [i, row] of rows.entries()) {
        const channels = [...new Set(targets[i]!.map((t) => t.channel))];
        if (channels.length === 0) unreachable.push(row.id);
        else {
          queued.push(row.id);
          for (const channel of channels) jobs.push({ channel, outboxId: row.id, kind: row.kind });
        }
      }
      if (jobs.length) await addJobs(queues, jobs);
      if (queued.length) await tx.outbox.updateMany({ where: { id: { in: queued } }, data: { status: "QUEUED", queuedAt: new Date() } });
      if (unreachable.length) await tx.outbox.updateMany({ where: { id: { in: unreachable } }, data: { status: "UNREACHABLE" } });
      return { queued: queued.length, unreachable: unreachable.length };
    },
    { timeout: 60_000, maxWait: 10_000 },
  );
}

export interface SweepResult {
  checked: number;
  readded: number;
}

/**
 * Re-adds the jobs of QUEUED rows last checked before `before` that Redis has lost. Checked
 * rows are stamped with the current time, so repeated calls walk through the backlog.
 */
export async function sweepLost(
  ctx: AppContext,
  queues: DeliveryQueues,
  enabled: ReadonlySet<DeliveryChannel>,
  before: Date,
  batchSize = 500,
): Promise<SweepResult> {
  await queues.ready();
  const rows = await ctx.db.outbox.findMany({
    where: { status: "QUEUED", queuedAt: { lt: before } },
    orderBy: { queuedAt: "asc" },
    take: batchSize,
    include: { deliveries: { select: { channel: true, status: true } } },
  });
  const lost: JobSpec[] = [];
  const targets = await resolveTargetsMany(ctx.db, rows, enabled);
  for (const [i, row] of rows.entries()) {
    const sent = new Set(row.deliveries.filter((d) => d.status === "SENT").map((d) => d.channel));
    const channels = [...new Set(targets[i]!.map((t) => t.channel))].filter((c) => !sent.has(c));
    for (const channel of channels) {
      const state = await within(REDIS_TIMEOUT_MS, queues.get(channel).getJobState(jobIdOf(row.id, channel)));
      if (state === "unknown") lost.push({ channel, outboxId: row.id, kind: row.kind });
    }
  }
  if (lost.length) await addJobs(queues, lost);
  // Checked rows go to the back of the line, so a long WhatsApp backlog does not starve the rest.
  if (rows.length) await ctx.db.outbox.updateMany({ where: { id: { in: rows.map((r) => r.id) }, status: "QUEUED" }, data: { queuedAt: new Date() } });
  return { checked: rows.length, readded: lost.length };
}

async function redisRunId(queues: DeliveryQueues): Promise<string | null> {
  const info = await within(REDIS_TIMEOUT_MS, queues.connection.info("server"));
  return /run_id:(\w+)/.exec(info)?.[1] ?? null;
}

export interface Relay {
  /** Runs one relay pass now (tests, and right after a change for low latency). */
  kick(): void;
  stop(): Promise<void>;
}

/** Polls the outbox until stopped. Errors (Redis or PostgreSQL down) are logged and retried. */
export function startRelay(ctx: AppContext, queues: DeliveryQueues, enabled: ReadonlySet<DeliveryChannel>, opts: RelayOptions = {}): Relay {
  const batchSize = opts.batchSize ?? 200;
  const pollMs = opts.pollMs ?? 1_000;
  const staleMs = opts.staleMs ?? 120_000;
  const sweepEveryMs = opts.sweepEveryMs ?? 60_000;
  const log = ctx.log.child({ part: "relay" });
  let running = true;
  let wake: (() => void) | null = null;
  let lastSweep = 0;
  let runId: string | null = null;
  let failures = 0;

  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const loop = (async () => {
    while (running) {
      try {
        const id = await redisRunId(queues);
        // At start and after a Redis restart every QUEUED row is checked; otherwise only stale ones.
        const restarted = id !== runId;
        runId = id;
        if (restarted || Date.now() - lastSweep >= sweepEveryMs) {
          lastSweep = Date.now();
          const before = new Date(restarted ? Date.now() : Date.now() - staleMs);
          let readded = 0;
          for (let more = true; more && running; ) {
            const r = await sweepLost(ctx, queues, enabled, before);
            readded += r.readded;
            more = r.checked === 500;
          }
          if (readded) log.warn({ readded }, "re-queued notifications that Redis had lost");
        }
        const { queued, unreachable } = await relayOnce(ctx, queues, enabled, batchSize);
        if (failures > 0) log.info("outbox relay recovered");
        failures = 0;
        if (unreachable) log.info({ unreachable }, "notifications with no reachable recipient");
        if (queued + unreachable >= batchSize) continue;
      } catch (e) {
        if (failures++ === 0) log.warn({ err: { name: (e as Error).name, message: (e as Error).message } }, "outbox relay paused; rows stay pending");
      }
      if (running) await nap(failures ? Math.min(5_000, pollMs * 2 ** Math.min(failures, 3)) : pollMs);
    }
  })();

  return {
    kick: () => wake?.(),
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
