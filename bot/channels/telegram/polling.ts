// Long polling that does not wait for a whole batch. Telegraf's own loop handles the updates
// of one getUpdates call together and asks for more only when the slowest is done, so one
// slow message (a submission) holds up everybody else's. Here updates are handed on as they
// arrive (the engine keeps each person's order) and Telegram is told an update is done (the
// offset) only once it and every earlier one are: after a crash, unfinished updates are
// delivered again, and the engine's dedupe handles each once.
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
  log: Logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class PipelinedPolling {
  private readonly inFlight = new Map<number, Promise<void>>();
  private readonly abort = new AbortController();
  private highest = -1;
  private stopped = false;

  constructor(
    private readonly telegram: Telegram,
    private readonly handle: (update: Update) => Promise<void>,
    private readonly opts: PollingOptions,
  ) {}

  /** The offset that confirms every finished update and nothing unfinished. */
  private offset(): number {
    return this.inFlight.size ? Math.min(...this.inFlight.keys()) : this.highest + 1;
  }

  /** Polls until stop(); rejects on errors no retry can fix (401 bad token, 409 another poller). */
  async run(): Promise<void> {
    const max = this.opts.maxInFlight ?? 500;
    while (!this.stopped) {
      if (this.inFlight.size >= max) {
        await Promise.race(this.inFlight.values());
        continue;
      }
      let updates: Update[];
      try {
        updates = await this.telegram.callApi(
          "getUpdates",
          { offset: this.offset(), timeout: this.opts.timeoutSeconds ?? 50, allowed_updates: [...this.opts.allowedUpdates] as never },
          { signal: this.abort.signal as never }, // Telegraf types its own AbortSignal polyfill
        );
      } catch (err) {
        const e = err as { name?: string; code?: number; parameters?: { retry_after?: number } };
        if (this.stopped || e.name === "AbortError") break;
        if (e.code === 401 || e.code === 409) throw err;
        this.opts.log.warn({ err: safeError(err) }, "getUpdates failed; retrying");
        await sleep((e.parameters?.retry_after ?? 3) * 1000);
        continue;
      }
      let fresh = 0;
      for (const update of updates) {
        const id = update.update_id;
        this.highest = Math.max(this.highest, id);
        if (this.inFlight.has(id)) continue; // not confirmed yet, so Telegram sent it again
        fresh++;
        const done = this.handle(update)
          .catch((err) => this.opts.log.error({ err: safeError(err) }, "telegram update failed"))
          .finally(() => this.inFlight.delete(id));
        this.inFlight.set(id, done);
      }
      // Only unfinished updates came back: wait for one to finish instead of asking again at once.
      if (fresh === 0 && updates.length > 0) await Promise.race(this.inFlight.values());
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
