// Reporting-deadline notices: a few days before, and once passed, while a kind is unreported, on
// the office's wall clock; never twice; rendered in the recipient's language; written by the
// BullMQ job through the outbox.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDeadlineJob } from "../../bot/delivery/deadlines.js";
import { composeNotice, loadNotice, panelLinks } from "../../bot/delivery/render.js";
import { parseConfig } from "../../core/config.js";
import { scanDeadlines } from "../../core/programme/deadlines.js";
import { type AppContext, createContext } from "../../core/runtime/context.js";
import { createLogger } from "../../core/runtime/logger.js";
import { createRedis } from "../../core/runtime/redis.js";
import { LocalDiskStorage } from "../../core/storage/index.js";
import { createTestDb, type TestDb, testRedisPrefix } from "../helpers/db.js";
import { programmeFixture } from "./fixture.js";

let t: TestDb;
let f: Awaited<ReturnType<typeof programmeFixture>>;
const links = panelLinks({ PUBLIC_URL: "https://sibina.test", HOST: "127.0.0.1", PORT: 3000 });

beforeAll(async () => {
  t = await createTestDb();
  f = await programmeFixture(t.db);
  // The fixture's own notices (assignments, documentation reminders) are not what is tested here.
  await t.db.outbox.deleteMany({});
});
afterAll(async () => t?.drop());

const deadlineRows = () => t.db.outbox.findMany({ where: { kind: { startsWith: "programme.deadline" } }, orderBy: { dedupeKey: "asc" } });

describe("scanDeadlines", () => {
  it("reminds the unreported office's coaches before the deadline, once", async () => {
    // 29 January 09:00 WIB: two days and a bit before the end of 31 January.
    expect(await scanDeadlines(t.db, new Date("2026-01-29T02:00:00Z"))).toBe(3);
    const rows = await deadlineRows();
    expect(rows.map((r) => [r.kind, r.recipientUserId])).toEqual(
      expect.arrayContaining([
        ["programme.deadline.soon", f.users.lead.id],
        ["programme.deadline.soon", f.users.member.id],
        ["programme.deadline.soon", f.users.coachPku.id],
      ]),
    );
    // The Tim Monev is not a coach of the team: not reminded.
    expect(rows.some((r) => r.recipientUserId === f.users.monev.id)).toBe(false);
    expect(await scanDeadlines(t.db, new Date("2026-01-29T08:00:00Z"))).toBe(0);
  });

  it("tells only the offices still missing it once the deadline has passed", async () => {
    // 1 February 01:00 WIB: Riau uploaded its decree on 31 January, Pekanbaru never did.
    expect(await scanDeadlines(t.db, new Date("2026-01-31T18:00:00Z"))).toBe(1);
    const passed = (await deadlineRows()).filter((r) => r.kind === "programme.deadline.passed");
    expect(passed.map((r) => r.recipientUserId)).toEqual([f.users.coachPku.id]);
    const notice = composeNotice(await loadNotice(t.db, passed[0]!), "id", links);
    expect(notice.text).toContain("Dokumen Penetapan Tim Pembina");
    expect(notice.text).toContain("31/01/2026");
    expect(notice.text).toContain("BPS Kota Pekanbaru");
    expect(composeNotice(await loadNotice(t.db, passed[0]!), "en", links).text).toContain("Team appointment document");
  });

  it("asks the coaches of an undocumented coaching before and after its documentation deadline", async () => {
    // C3 ended 1 June at 11:00 WIB; documentation is due by the end of 8 June (7 days).
    await scanDeadlines(t.db, new Date("2026-06-07T02:00:00Z"));
    await scanDeadlines(t.db, new Date("2026-06-09T02:00:00Z"));
    const rows = (await deadlineRows()).filter((r) => r.requestId === f.coachings.c3.id);
    expect(rows.map((r) => [r.kind, r.recipientUserId])).toEqual([
      ["programme.deadline.passed", f.users.lead.id],
      ["programme.deadline.soon", f.users.lead.id],
    ]);
    const text = composeNotice(await loadNotice(t.db, rows[0]!), "id", links).text;
    expect(text).toContain(f.coachings.c3.code);
    expect(text).toContain("08/06/2026");
    // C1 was documented: nobody is asked about it.
    expect((await deadlineRows()).some((r) => r.requestId === f.coachings.c1.id)).toBe(false);
  });
});

it("the BullMQ job writes the notices to the outbox", async () => {
  const config = parseConfig({ NODE_ENV: "test", DATABASE_URL: t.url, LOG_LEVEL: "silent" });
  const ctx: AppContext = await createContext(config, {
    db: t.db,
    redis: createRedis(config.REDIS_URL),
    log: createLogger("silent"),
    storage: new LocalDiskStorage("/tmp"),
    redisPrefix: testRedisPrefix(),
  });
  await t.db.outbox.deleteMany({});
  const job = await startDeadlineJob(ctx, { everyMs: 3600_000, now: () => new Date("2026-01-29T02:00:00Z") });
  try {
    await job.runNow();
    const deadline = Date.now() + 60_000;
    while ((await deadlineRows()).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await deadlineRows()).length).toBe(3);
  } finally {
    await job.stop();
    const keys = await ctx.redis.keys(`${ctx.redisPrefix}:*`);
    if (keys.length) await ctx.redis.del(...keys);
    ctx.redis.disconnect();
  }
});
