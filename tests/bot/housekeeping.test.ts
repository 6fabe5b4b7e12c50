// Periodic jobs run once per period for the whole deployment, however many instances start
// them (BullMQ job schedulers), and the chat bookkeeping prune forgets only what is a week old.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PeriodicJob, startHousekeeping } from "../../bot/housekeeping.js";
import { pruneChatBookkeeping } from "../../core/retention.js";
import { type BotTestContext, botTestContext } from "./support/context.js";

let b: BotTestContext;
beforeAll(async () => {
  b = await botTestContext({ poolSize: 4 });
});
afterAll(async () => b.close());

describe("periodic jobs", () => {
  it("two instances share one schedule: each period runs once, not once per instance", async () => {
    const runs: number[] = [];
    const job: PeriodicJob = {
      id: "count",
      everyMs: 1000,
      run: async () => {
        runs.push(Date.now());
      },
    };
    const started = Date.now();
    const one = await startHousekeeping(b.ctx, [job]);
    const two = await startHousekeeping(b.ctx, [job]);
    try {
      // Long enough for several periods, even on a busy machine.
      while (runs.length < 4 && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 1500));
      const elapsedPeriods = (Date.now() - started) / job.everyMs;
      expect(runs.length).toBeGreaterThanOrEqual(4);
      // One run at start, then one per period on BullMQ's time grid (the first grid point may
      // come early): at most two more than whole periods. Two instances each on its own timer
      // would run about twice per period.
      expect(runs.length).toBeLessThanOrEqual(Math.floor(elapsedPeriods) + 2);
      expect(runs.length).toBeLessThan(2 * Math.floor(elapsedPeriods));
    } finally {
      await one.stop();
      await two.stop();
    }
  });
});

describe("chat bookkeeping prune", () => {
  it("deletes handled update ids and sessions a week past use, keeps the rest", async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 8 * 24 * 3600_000);
    const recent = new Date(now.getTime() - 2 * 24 * 3600_000);
    await b.ctx.db.processedUpdate.createMany({
      data: [
        { channel: "telegram", updateId: "old-1", createdAt: old },
        { channel: "telegram", updateId: "new-1", createdAt: recent },
      ],
    });
    await b.ctx.db.conversationSession.createMany({
      data: [
        { channel: "web", externalId: "old-session", flow: "menu", step: "start", expiresAt: old },
        { channel: "web", externalId: "live-session", flow: "menu", step: "start", expiresAt: new Date(now.getTime() + 3600_000) },
      ],
    });
    expect(await pruneChatBookkeeping(b.ctx.db, now)).toEqual({ updates: 1, sessions: 1 });
    expect((await b.ctx.db.processedUpdate.findMany({ select: { updateId: true } })).map((u) => u.updateId)).toEqual(["new-1"]);
    expect((await b.ctx.db.conversationSession.findMany({ select: { externalId: true } })).map((s) => s.externalId)).toEqual(["live-session"]);
  });
});
