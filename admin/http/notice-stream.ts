// Live updates of the bell: one PostgreSQL connection LISTENs to the panel-notice channel
// (core/notifications/panel.ts notifies inside the committing transaction) and wakes the open
// server-sent-event streams of that staff member. Opened on the first stream, closed with the app.
import pg from "pg";
import { PANEL_CHANNEL } from "../../core/notifications/panel.js";
import type { Logger } from "../../core/runtime/logger.js";

export class NoticeStream {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly listeners = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
  ) {}

  private connect(): Promise<void> {
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.url });
      client.on("notification", (m) => {
        for (const wake of this.listeners.get(m.payload ?? "") ?? []) wake();
      });
      client.on("error", (err) => {
        this.log.warn({ err }, "panel notice listener lost its connection; reconnecting on the next stream");
        this.client = null;
        this.connecting = null;
      });
      await client.connect();
      await client.query(`LISTEN ${PANEL_CHANNEL}`);
      if (this.closed) await client.end();
      else this.client = client;
    })().catch((err) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }

  /** Calls `wake` whenever a notice for this user is committed; returns the unsubscribe. */
  async subscribe(userId: string, wake: () => void): Promise<() => void> {
    await this.connect();
    const set = this.listeners.get(userId) ?? new Set();
    set.add(wake);
    this.listeners.set(userId, set);
    return () => {
      set.delete(wake);
      if (set.size === 0) this.listeners.delete(userId);
    };
  }

  async close() {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
