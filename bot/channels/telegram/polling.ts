// Long polling that does not wait for a whole batch. Telegraf's own loop handles the updates
// of one getUpdates call together and asks for more only when the slowest is done, so one
// slow message (a submission) holds up everybody else's. Here updates are handed on as they
// arrive (the engine keeps each person's order) and Telegram is told an update is done (the
// offset) only once it and every earlier one are: after a crash, unfinished updates are
// delivered again, and the engine's dedupe handles each once.
//
// Telegram returns every update at or above the offset on each call until a higher offset
// confirms it. So while an early update is still being handled, every call answers at once
// with it (and with later ones that finished meanwhile). Two rules keep that from spinning:
// an update this poller has seen is never handed on twice (in flight, or finished but not yet
// confirmable), and while the offset is held by an update in flight the next call waits until
// that update is done, or a short while, instead of asking again at once.
import type { Telegram } from "telegraf";
import type { Update } from "telegraf/types";
import type { Logger } from "../../../core/runtime/logger.js";
import { safeError } from "../../engine/log.js";

export interface PollingOptions {
  allowedUpdates: readonly string[];
  /** Updates handled at once before polling pauses (back-pressure). */
  maxInFlight?: number;
  /** Long-poll timeout in seconds. */
  timeoutSeconds?: number;
  /** Longest wait for the update that holds the offset before asking Telegram again. */
  heldOffsetWaitMs?: number;
  log: Logger;
}

/**
 * Waits `ms`, or less when `signal` aborts or `until` settles. Either way its timer and listener go
 * at once (under load, pauses left pending after `until` won piled up listeners on the signal).
 */
const pause = (ms: number, signal: AbortSignal, until?: Promise<unknown>) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
    until?.then(done, done);
  });

/** Seconds to wait after a failed getUpdates: Telegram's retry_after, or a backoff growing to 30 s. */
export function pollRetryDelayMs(err: unknown, failures: number): number {
  const e = err as { code?: number; response?: { error_code?: number; parameters?: { retry_after?: number } }; parameters?: { retry_after?: number } };
  const retryAfter = e?.response?.parameters?.retry_after ?? e?.parameters?.retry_after;
  if (typeof retryAfter === "number" && retryAfter > 0) return retryAfter * 1000;
  return Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5));
}

export class PipelinedPolling {
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Finished updates above the offset (an earlier one is still in flight): never handed on again. */
  private readonly finished = new Set<number>();
  private readonly abort = new AbortController();
  private highest = -1;
  private stopped = false;
  /** getUpdates calls made (for tests and logs). */
  polls = 0;

  constructor(
    private readonly telegram: Telegram,
    private readonly handle: (update: Update) => Promise<void>,
    private readonly opts: PollingOptions,
  ) {}

  /** The offset that confirms every finished update and nothing unfinished. */
  private offset(): number {
    return this.inFlight.size ? Math.min(...this.inFlight.keys()) : this.highest + 1;
  }

  private seen(id: number, offset: number): boolean {
    return id < offset || this.inFlight.has(id) || this.finished.has(id);
  }

  /** Polls until stop(); rejects only when the token is refused (401). 409 and 429 are waited out. */
  async run(): Promise<void> {
    const max = this.opts.maxInFlight ?? 500;
    let failures = 0;
    while (!this.stopped) {
      if (this.inFlight.size >= max) {
        await Promise.race(this.inFlight.values());
        continue;
      }
      // The earliest update in flight holds the offset: Telegram would answer at once with it.
      if (this.inFlight.size) {
        const holder = this.inFlight.get(this.offset());
        await pause(this.opts.heldOffsetWaitMs ?? 500, this.abort.signal, holder);
        if (this.stopped) break;
      }
      const offset = this.offset();
      for (const id of this.finished) if (id < offset) this.finished.delete(id);
      let updates: Update[];
      // One signal per call: node-fetch leaves its listener on the signal it was given.
      const call = new AbortController();
      const cancel = () => call.abort();
      this.abort.signal.addEventListener("abort", cancel);
      try {
        this.polls++;
        updates = await this.telegram.callApi(
          "getUpdates",
          { offset, timeout: this.opts.timeoutSeconds ?? 50, allowed_updates: [...this.opts.allowedUpdates] as never },
          { signal: call.signal as never }, // Telegraf types its own AbortSignal polyfill
        );
        failures = 0;
      } catch (err) {
        const e = err as { name?: string; code?: number };
        if (this.stopped || e.name === "AbortError") break;
        if (e.code === 401) throw err;
        failures++;
        const wait = pollRetryDelayMs(err, failures);
        // 409: another poller on this token (an instance that has not let go yet) or a webhook.
        this.opts.log.warn({ err: safeError(err), code: e.code, waitMs: wait }, "getUpdates failed; retrying");
        await pause(wait, this.abort.signal);
        continue;
      } finally {
        this.abort.signal.removeEventListener("abort", cancel);
      }
      for (const update of updates) {
        const id = update.update_id;
        this.highest = Math.max(this.highest, id);
        if (this.seen(id, offset)) continue; // not confirmed yet, so Telegram sent it again
        const done = this.handle(update)
          .catch((err) => this.opts.log.error({ err: safeError(err) }, "telegram update failed"))
          .finally(() => {
            this.inFlight.delete(id);
            this.finished.add(id);
          });
        this.inFlight.set(id, done);
      }
    }
  }

  /** Stops polling, lets the updates being handled finish, and confirms them to Telegram. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()]);
    if (this.highest >= 0) {
      await this.telegram.callApi("getUpdates", { offset: this.offset(), limit: 1, timeout: 0 }).catch(() => {});
    }
  }
}
