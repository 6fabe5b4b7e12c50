// One BullMQ worker per channel. Each job is one outbox row on one channel. Before sending,
// the worker re-reads the row (a cancelled reminder is never sent), skips a channel already
// recorded as delivered, writes a Delivery claim (SENDING) and reserves a paced send slot;
// the claim becomes SENT once the platform accepted the message. Many jobs run at once (API
// calls take 50–300 ms), but one person's notices go out one at a time and in queue order, so
// a crash can repeat at most one message per person: the one whose claim it left behind.
import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import { recordTranscript } from "../../core/inbox/service.js";
import { stillRelevant } from "../../core/notifications/intents.js";
import { ensureSuratTugas, LETTER_KINDS } from "../../core/programme/letters.js";
import type { AppContext } from "../../core/runtime/context.js";
import { claimSend, releaseClaim } from "./claims.js";
import { oneAtATime, recipientOrder } from "./order.js";
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
  /**
   * A SENDING claim older than this belongs to a run that died and is taken over (default: the
   * lock duration, since BullMQ hands a job to another run only after its lock lapsed).
   */
  claimTtlMs?: number;
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

// Telegram: at 28 sends/s and 80–300 ms per API call, about 3–9 calls are in flight at once;
// the rest of the jobs load and render meanwhile. WhatsApp's gaps are seconds long: the next
// job prepares while one waits for its slot (more would only crowd the event loop between a
// slot and its send), and a late wake-up is absorbed by the jitter (pacing.ts).
const DEFAULT_CONCURRENCY: Record<DeliveryChannel, number> = { telegram: 24, whatsapp: 2, web: 4, email: 2 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pacing key of an address: a WhatsApp number is the same recipient as a JID or a phone. */
const paceKey = (channel: DeliveryChannel, address: string) => (channel === "whatsapp" ? address.replace(/@.*$/, "").replace(/\D/g, "") : address);

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

/** An error the platform itself gave (an API answer, or the channel being down here), not a lost connection or a timeout. */
const answered = (e: unknown) =>
  retryAfterMs(e) !== null || isChannelDown(e) || typeof (e as { response?: { error_code?: unknown } })?.response?.error_code === "number";

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
  // A person's notices one at a time and in queue order; different people's concurrently.
  const order = recipientOrder();
  // This process's jobs queue here for the channel's global slot (shared with other instances
  // through Redis), so they do not all poll Redis at once.
  const slotQueue = oneAtATime();
  const lockMs = opts.lockDurationMs ?? DEFAULT_LOCK_MS;
  const claimTtlMs = opts.claimTtlMs ?? lockMs;

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
    const ticket = order.ticket();
    try {
      return await handle(job, token, {
        name: (key) => order.name(ticket, key),
        turn: (key) => order.turn(ticket, key),
      });
    } finally {
      order.done(ticket);
    }
  }

  /**
   * The global slot and the recipient's, waiting in-process for the recipient (about a second on
   * Telegram) while holding this person's turn, so their next notice cannot overtake this one.
   */
  async function takeSlot(key: string) {
    const patience = pacer.recipientGapMs(key) + 1_000;
    const started = Date.now();
    for (;;) {
      const slot = await slotQueue(() => pacer.acquire(key));
      if (slot.kind !== "recipient_busy" || Date.now() - started + slot.retryInMs > patience) return slot;
      await sleep(slot.retryInMs);
    }
  }

  /** Counts one message against today's cap (WhatsApp), or says how long until the next day. */
  async function countToday(): Promise<{ day: string } | { waitMs: number } | null> {
    const cap = await sender.dailyCap?.();
    if (cap === null || cap === undefined) return null;
    const day = officeDay(Date.now());
    if (await pacer.takeDaily(cap, day.key)) return { day: day.key };
    log.warn({ cap }, "daily cap reached; notices wait for the next day");
    return { waitMs: day.endsInMs };
  }

  async function handle(
    job: Job<NotifyJob>,
    token: string | undefined,
    mine: { name(key: string): void; turn(key: string): Promise<void> },
  ): Promise<SendOutcome> {
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
    // Named before rendering (a Surat Tugas PDF takes a while to make): jobs for other people
    // behind this one need not wait for it.
    const key = paceKey(channel, target.address);
    mine.name(key);
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

    await mine.turn(key);
    // Checked again right before sending: cancelled meanwhile (a re-run of a stalled job that
    // was sent meanwhile finds the claim SENT).
    const now = await db.outbox.findUnique({ where: { id: outboxId }, select: { status: true } });
    if (!now || now.status === "CANCELLED") return "cancelled";
    // Reads the send needs (a document's file record) before the slot, not between slot and send.
    const fire = sender.prepare ? await sender.prepare(target.address, message) : () => sender.send(target.address, message);
    // Today's count is taken before the claim and the slot: nothing but the send itself may come
    // between the paced slot and the message leaving.
    const counted = sender.dailyCap ? await countToday() : null;
    if (counted && "waitMs" in counted) return rateLimited(counted.waitMs);
    const uncount = async () => {
      if (counted && "day" in counted) await pacer.untakeDaily(counted.day);
    };
    // The claim, written before the slot is taken so that no database write comes between the
    // paced slot and the send. From here until it is SENT, a crash leaves this message in doubt.
    const claim = await claimSend(db, outboxId, channel, target.address, claimTtlMs);
    if (claim.kind !== "mine") await uncount();
    if (claim.kind === "done") return "already_sent";
    if (claim.kind === "held") {
      await job.moveToDelayed(Date.now() + claim.retryInMs, token);
      throw new DelayedError();
    }
    const slot = await takeSlot(key);
    if (slot.kind !== "go") await Promise.all([releaseClaim(db, outboxId, channel), uncount()]);
    if (slot.kind === "recipient_busy") {
      await job.moveToDelayed(Date.now() + slot.retryInMs, token);
      throw new DelayedError();
    }
    if (slot.kind === "channel_busy") return rateLimited(slot.retryInMs);

    let result: { messageId?: string };
    try {
      result = await withTimeout(opts.sendTimeoutMs ?? 30_000, fire());
    } catch (e) {
      // The platform answered: it did not take the message, so nothing is in doubt.
      if (answered(e)) await Promise.all([releaseClaim(db, outboxId, channel), uncount()]);
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
    // Recorded before this person's next notice may start: a crash leaves at most this one in doubt.
    await Promise.all([recordSent(outboxId, target.address, result.messageId), pacer.sentTo(key)]);
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
    lockDuration: lockMs,
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
