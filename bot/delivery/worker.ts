// One BullMQ worker per channel. Each job is one outbox row on one channel. Before sending,
// the worker re-reads the row (a cancelled reminder is never sent), skips a channel already
// recorded as delivered, and reserves a paced send slot. The Delivery row is written right
// after the platform accepts the message, so a crash can repeat at most that one message.
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import { recordTranscript } from "../../core/inbox/service.js";
import { stillRelevant } from "../../core/notifications/intents.js";
import { ensureSuratTugas, LETTER_KINDS } from "../../core/programme/letters.js";
import type { AppContext } from "../../core/runtime/context.js";
import { NO_PACING, officeDay, Pacer, type PacingRule, telegramRule, whatsappRule } from "./pacing.js";
import { bullPrefix, type DeliveryChannel, type NotifyJob, queueName } from "./queues.js";
import { resolveTarget } from "./recipients.js";
import { REJECTED } from "./rejections.js";
import { composeNotice, loadNotice, panelLinks } from "./render.js";
import { isChannelDown, isPermanent, type NoticeMessage, retryAfterMs, type Sender } from "./senders.js";

export interface ChannelWorkerOptions {
  concurrency?: number;
  /** How long a job's lock lasts; a crashed worker's job is picked up again after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long to wait before retrying while the channel is down here (e.g. WhatsApp disconnected). */
  channelDownDelayMs?: number;
  pacing?: PacingRule;
  /** A send that takes longer fails (and is retried), so one hung request cannot stall the queue. */
  sendTimeoutMs?: number;
}

export type SendOutcome = "sent" | "already_sent" | "rejected" | "cancelled" | "missing";

const DAY_MS = 24 * 3600_000;
export const DEFAULT_LOCK_MS = 8_000;
export const DEFAULT_STALLED_CHECK_MS = 2_000;

export function pacingFor(ctx: AppContext, channel: DeliveryChannel): PacingRule {
  if (channel === "telegram") return telegramRule(ctx.config.TELEGRAM_RATE_PER_SECOND);
  if (channel === "whatsapp") return whatsappRule(ctx.config.WHATSAPP_MIN_GAP_MS, ctx.config.WHATSAPP_RECIPIENT_GAP_MS);
  return NO_PACING;
}

const DEFAULT_CONCURRENCY: Record<DeliveryChannel, number> = { telegram: 16, whatsapp: 1, web: 4, email: 2 };

/** The pacing key of an address: a WhatsApp number is the same recipient as a JID or a phone. */
const paceKey = (channel: DeliveryChannel, address: string) => (channel === "whatsapp" ? address.replace(/@.*$/, "").replace(/\D/g, "") : address);

/**
 * Lets jobs prepare (load, render) concurrently but send one at a time, in the order they were
 * taken from the queue: each job gets a ticket and waits for its turn to send.
 */
function turnstile() {
  let issued = 0;
  let serving = 0;
  const finished = new Set<number>();
  const waiting = new Map<number, () => void>();
  return {
    ticket: () => issued++,
    async turn(ticket: number) {
      if (ticket !== serving) await new Promise<void>((resolve) => waiting.set(ticket, resolve));
    },
    done(ticket: number) {
      finished.add(ticket);
      while (finished.delete(serving)) serving++;
      const next = waiting.get(serving);
      if (next) {
        waiting.delete(serving);
        next();
      }
    },
  };
}

async function withTimeout<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`send timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const shortError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 500);

export interface ChannelWorker {
  worker: Worker<NotifyJob, SendOutcome>;
  close(): Promise<void>;
}

export function startChannelWorker(ctx: AppContext, sender: Sender, opts: ChannelWorkerOptions = {}): ChannelWorker {
  const channel = sender.channel;
  const pacer = new Pacer(ctx.redis, ctx.redisPrefix, channel, opts.pacing ?? pacingFor(ctx, channel));
  const links = panelLinks(ctx.config);
  const log = ctx.log.child({ part: "delivery", channel });
  const db = ctx.db;
  // One send at a time per process, each recorded before the next: a crash repeats at most one
  // message, and a person's notices go out in the order they were queued.
  const sends = turnstile();

  async function recordSent(outboxId: string, address: string, messageId: string | undefined) {
    await db.$transaction([
      db.delivery.upsert({
        where: { outboxId_channel: { outboxId, channel } },
        create: { outboxId, channel, address, status: "SENT", externalId: messageId ?? null },
        update: { status: "SENT", error: null, externalId: messageId ?? null, address },
      }),
      db.outbox.update({ where: { id: outboxId }, data: { status: "SENT", sentAt: new Date(), lastError: null } }),
    ]);
  }

  async function recordFailure(job: Job<NotifyJob>, error: string, final: boolean, address = "") {
    const { outboxId } = job.data;
    await db.outbox.update({ where: { id: outboxId }, data: { attempts: { increment: 1 }, lastError: error } });
    if (!final) return;
    await db.delivery.upsert({
      where: { outboxId_channel: { outboxId, channel } },
      create: { outboxId, channel, address, status: "FAILED", error },
      update: { status: "FAILED", error },
    });
    await db.outbox.updateMany({ where: { id: outboxId, status: { in: ["PENDING", "QUEUED"] } }, data: { status: "FAILED" } });
  }

  async function process(job: Job<NotifyJob>, token?: string): Promise<SendOutcome> {
    const ticket = sends.ticket();
    try {
      return await handle(job, token, () => sends.turn(ticket));
    } finally {
      sends.done(ticket);
    }
  }

  async function handle(job: Job<NotifyJob>, token: string | undefined, myTurn: () => Promise<void>): Promise<SendOutcome> {
    const { outboxId } = job.data;
    const row = await db.outbox.findUnique({ where: { id: outboxId } });
    if (!row) return "missing";
    if (row.status === "CANCELLED" || row.status === "UNREACHABLE") return "cancelled";
    const earlier = (await db.delivery.findUnique({ where: { outboxId_channel: { outboxId, channel } } }))?.status;
    if (earlier === "SENT") return "already_sent";
    // Refused by the platform after sending (rejections.ts): never again on this channel.
    if (earlier === REJECTED) return "rejected";
    if (!(await stillRelevant(db, row))) {
      await db.outbox.updateMany({ where: { id: outboxId, status: { in: ["PENDING", "QUEUED"] } }, data: { status: "CANCELLED" } });
      return "cancelled";
    }
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (sender.ready === false) return waitForChannel(job, token);
    const target = await resolveTarget(db, row, channel);
    if (!target) {
      await recordFailure(job, "no address on this channel any more", true);
      throw new UnrecoverableError("recipient is no longer reachable on this channel");
    }
    const notice = composeNotice(await loadNotice(db, row), target.locale, links);
    const message: NoticeMessage = {
      text: notice.text,
      subject: notice.title,
      locale: target.locale,
      ...(notice.document ? { document: notice.document } : {}),
      ...(notice.choices ? { choices: notice.choices } : {}),
    };
    // The Surat Tugas and its calendar file travel as documents (made on first use, then reused).
    if (row.requestId && (LETTER_KINDS as readonly string[]).includes(row.kind)) {
      const files = await ensureSuratTugas(db, ctx.storage, row.requestId);
      const file = row.kind === "coach.letter" ? files.pdf : files.ics;
      message.document = { attachmentId: file.id, fileName: file.fileName, mimeType: file.mimeType };
    }

    await myTurn();
    // Checked again right before sending: cancelled meanwhile, or sent by a re-run of a stalled job.
    const now = await db.outbox.findUnique({
      where: { id: outboxId },
      select: { status: true, deliveries: { where: { channel, status: "SENT" }, select: { id: true } } },
    });
    if (!now || now.status === "CANCELLED") return "cancelled";
    if (now.deliveries.length > 0) return "already_sent";
    const slot = await pacer.acquire(paceKey(channel, target.address));
    if (slot.kind === "recipient_busy") {
      await job.moveToDelayed(Date.now() + slot.retryInMs, token);
      throw new DelayedError();
    }
    if (slot.kind === "channel_busy") return rateLimited(slot.retryInMs);
    if (sender.dailyCap) {
      const cap = await sender.dailyCap();
      const day = officeDay(Date.now());
      if (cap !== null && !(await pacer.takeDaily(cap, day.key))) {
        log.warn({ cap }, "daily cap reached; notices wait for the next day");
        return rateLimited(day.endsInMs);
      }
    }

    let result: { messageId?: string };
    try {
      result = await withTimeout(opts.sendTimeoutMs ?? 30_000, sender.send(target.address, message));
    } catch (e) {
      const wait = retryAfterMs(e);
      if (wait !== null) {
        const left = await pacer.pause(wait);
        log.warn({ jobId: job.id, retryAfterMs: wait }, "rate limited by the platform; channel paused");
        return rateLimited(left);
      }
      if (isChannelDown(e)) return waitForChannel(job, token);
      const permanent = isPermanent(e);
      await recordFailure(job, shortError(e), final || permanent, target.address);
      log.warn({ jobId: job.id, outboxId, attempt: job.attemptsMade + 1, permanent }, "notification send failed");
      if (permanent) throw new UnrecoverableError(shortError(e));
      throw e;
    }
    // Recorded before the next send may start: a crash leaves at most this one unconfirmed.
    await recordSent(outboxId, target.address, result.messageId);
    await intoTranscript(row, target.identityId, message);
    return "sent";
  }

  /**
   * A notice that reached a person's chat is part of their conversation in the Inbox (staff
   * replies and hand-backs are written there when they are made). Best effort: the notice is sent.
   */
  async function intoTranscript(
    row: { kind: string; recipientUserId: string | null },
    identityId: string | undefined,
    message: { text: string; document?: { attachmentId: string } },
  ) {
    if (!identityId || row.recipientUserId || row.kind.startsWith("inbox.")) return;
    try {
      const identity = await db.channelIdentity.findUnique({ where: { id: identityId }, select: { requesterId: true, userId: true } });
      if (!identity || identity.userId) return;
      await recordTranscript(db, { identityId, requesterId: identity.requesterId, defaultOfficeId: ctx.defaultOfficeId }, [
        { author: "BOT", text: message.text, attachmentId: message.document?.attachmentId ?? null },
      ]);
    } catch (err) {
      log.warn({ err: shortError(err) }, "notice not added to the transcript");
    }
  }

  /** The whole channel waits (worker.rateLimit) and the job goes back without using an attempt. */
  async function rateLimited(ms: number): Promise<never> {
    await worker.rateLimit(ms);
    throw Worker.RateLimitError();
  }

  /** The channel cannot send from here right now: try again later, without using an attempt, for up to a day. */
  async function waitForChannel(job: Job<NotifyJob>, token?: string): Promise<never> {
    if (Date.now() - job.timestamp > DAY_MS) throw new Error(`${channel} has been unavailable for a day`);
    await job.moveToDelayed(Date.now() + (opts.channelDownDelayMs ?? 30_000), token);
    throw new DelayedError();
  }

  const connection = ctx.redis.duplicate({ maxRetriesPerRequest: null });
  connection.on("error", () => {}); // reconnects by itself; the worker reports what matters
  const worker = new Worker<NotifyJob, SendOutcome>(queueName(channel), process, {
    connection,
    prefix: bullPrefix(ctx),
    concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY[channel],
    // A job a killed instance held comes back once its lock lapses and the next stalled check
    // runs: at most 8 + 2 s, so a restarted instance resumes the backlog within 10 s. A live
    // worker renews every 4 s, a wide margin for a busy event loop; and since the worker checks
    // the Delivery row again right before sending, a job run twice sends at most once more.
    lockDuration: opts.lockDurationMs ?? DEFAULT_LOCK_MS,
    stalledInterval: opts.stalledIntervalMs ?? DEFAULT_STALLED_CHECK_MS,
    // A stall is a slow instance, not a bad notice: let it come back a few times before failing.
    maxStalledCount: 5,
    // The real pacing is the Redis slot reservation; this cap is a backstop, and it is what
    // makes worker.rateLimit() hold the whole queue after a 429.
    limiter: { max: channel === "telegram" ? Math.ceil(ctx.config.TELEGRAM_RATE_PER_SECOND * 1.25) : 100, duration: 1000 },
  });
  // A channel that cannot send from this instance (WhatsApp held by another instance, or not
  // connected yet) takes no jobs here, so the instance that can send gets them at once.
  const readiness =
    sender.ready === undefined
      ? null
      : setInterval(() => {
          if (sender.ready === false && !worker.isPaused()) void worker.pause(true).catch(() => {});
          else if (sender.ready !== false && worker.isPaused()) void worker.resume().catch(() => {});
        }, 1_000);
  worker.on("error", (err) => log.warn({ err: { name: err.name, message: err.message } }, "delivery worker error"));
  worker.on("failed", (job, err) => {
    if (job && (job.attemptsMade >= (job.opts.attempts ?? 1) || err instanceof UnrecoverableError)) {
      log.error({ jobId: job.id, outboxId: job.data.outboxId }, "notification failed for good");
    }
  });
  return {
    worker,
    async close() {
      if (readiness) clearInterval(readiness);
      await worker.close();
      connection.disconnect();
    },
  };
}
