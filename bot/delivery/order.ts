// In-process ordering for a channel worker that runs many jobs at once. Jobs load and render
// concurrently and different people's notices are sent concurrently, but one person's notices
// go out one at a time, in the order their jobs were taken from the queue.

/**
 * Each job takes a ticket when it starts, names its recipient once it knows the address, and
 * then waits while an earlier job has not named its recipient yet or names the same one.
 */
export function recipientOrder() {
  // ticket → recipient key (null: not known yet). A Map iterates in insertion (= ticket) order.
  const active = new Map<number, string | null>();
  let issued = 0;
  let wake: () => void = () => {};
  let changed = new Promise<void>((r) => {
    wake = r;
  });
  const signal = () => {
    const wakeAll = wake;
    changed = new Promise<void>((r) => {
      wake = r;
    });
    wakeAll();
  };
  const blocked = (ticket: number, key: string) => {
    for (const [t, k] of active) {
      if (t >= ticket) return false;
      if (k === null || k === key) return true;
    }
    return false;
  };
  return {
    ticket(): number {
      const t = issued++;
      active.set(t, null);
      return t;
    },
    /** Names the job's recipient as soon as it is known, so later jobs for others need not wait for it. */
    name(ticket: number, key: string): void {
      active.set(ticket, key);
      signal();
    },
    /** Resolves when every earlier job of this process that could be for `key` has finished. */
    async turn(ticket: number, key: string): Promise<void> {
      if (active.get(ticket) !== key) this.name(ticket, key);
      while (blocked(ticket, key)) await changed;
    },
    done(ticket: number): void {
      active.delete(ticket);
      signal();
    },
    /** Jobs started and not finished (for tests and diagnostics). */
    get inFlight(): number {
      return active.size;
    },
  };
}

/** Runs tasks one after another, first come first served (a process's queue for the global slot). */
export function oneAtATime() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => {});
    return run;
  };
}
