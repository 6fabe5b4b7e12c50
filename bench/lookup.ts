// npm run bench:lookup [-- --rows 100000 --lookups 3000 --runs 3]
//
// The requester's status lookup (SPEKTRAL P4: "cek status" with a ticket code) through the
// product's code (core lookupByCode: one statement through Prisma's $queryRaw, the row checked
// with zod; the request, its office's zone and its coaches' names) against the same statement on
// a raw pg pool, on a database of N requests.
// Sequential lookups of random existing codes; rounds alternate between the two so machine
// noise falls on both alike. Prints lookups per second, p50/p95 per lookup, and the ratio.
// Target: Prisma ≥ 0.6× raw pg. Creates and drops its own database.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { parseConfig } from "../core/config.js";
import { createDb } from "../core/db/client.js";
import { lookupByCode } from "../core/requests/service.js";
import { LocalDiskStorage } from "../core/storage/index.js";
import { seedDemo } from "../prisma/seed-data.js";
import { createDatabaseIfMissing, dropDatabase, migrate } from "../prisma/tools/migrations.js";
import { seedRequests } from "./seed.js";

const { values: args } = parseArgs({ options: { rows: { type: "string" }, lookups: { type: "string" }, runs: { type: "string" } } });
const ROWS = Number(args.rows ?? 100_000);
const LOOKUPS = Number(args.lookups ?? 3000);
const RUNS = Number(args.runs ?? 3);
const TARGET = 0.6;

const url = new URL(parseConfig().DATABASE_URL);
url.pathname = `/sibina_bench_lookup_${randomBytes(3).toString("hex")}`;
const databaseUrl = url.toString();

// The same statement lookupByCode sends, on a bare pg pool: the ratio is then the cost of the
// product's layer (Prisma's raw query path, the row's schema check, shaping), not of the SQL.
const RAW = `
    SELECT r.id::text, r.code, r.status::text, r."serviceType"::text, r."agencyName", r."startAt", r."endAt", r.location,
           r."rejectionReason", r."identityId"::text, r."requesterId"::text, r."requesterPhone", r."picPhone", o."timeZone"::text,
           ARRAY(SELECT u.name FROM "Assignment" a JOIN "User" u ON u.id = a."coachId" WHERE a."requestId" = r.id) AS coaches
      FROM "CoachingRequest" r JOIN "Office" o ON o.id = r."officeId"
     WHERE r.code = $1 AND r."deletedAt" IS NULL
     LIMIT 1`;

interface Round {
  perSecond: number;
  p50: number;
  p95: number;
}

async function timed(codes: string[], one: (code: string) => Promise<unknown>): Promise<Round> {
  const times: number[] = [];
  const t0 = performance.now();
  for (const code of codes) {
    const s = performance.now();
    if (!(await one(code))) throw new Error(`lookup of ${code} found nothing`);
    times.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  return { perSecond: codes.length / (total / 1000), p50: times[Math.floor(times.length * 0.5)]!, p95: times[Math.floor(times.length * 0.95)]! };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  console.log(`Lookup bench: ${ROWS.toLocaleString("en")} requests, ${LOOKUPS} sequential lookups per round, ${RUNS} rounds each`);
  await createDatabaseIfMissing(databaseUrl);
  const storageDir = await mkdtemp(path.join(tmpdir(), "sibina-bench-"));
  const db = createDb(databaseUrl, 4);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  try {
    await migrate(databaseUrl);
    await seedDemo(db, new LocalDiskStorage(storageDir));
    await seedRequests(db, ROWS);
    const all = await db.coachingRequest.findMany({ select: { code: true, requesterPhone: true }, where: { code: { startsWith: "PB-B" } } });
    const phoneOf = new Map(all.map((r) => [r.code, r.requesterPhone]));
    const pick = () => Array.from({ length: LOOKUPS }, () => all[Math.floor(Math.random() * all.length)]!.code);
    // The requester asks about their own request (the phone their channel vouches for).
    const prisma = (code: string) => lookupByCode(db, code, { phones: [phoneOf.get(code)!] });
    const raw = async (code: string) => {
      const row = (await pool.query(RAW, [code])).rows[0] as { requesterPhone: string; picPhone: string } | undefined;
      return row && (row.requesterPhone === phoneOf.get(code) || row.picPhone === phoneOf.get(code)) ? row : null;
    };
    await timed(pick().slice(0, 300), prisma);
    await timed(pick().slice(0, 300), raw);
    const rounds: { prisma: Round; raw: Round }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const codes = pick();
      const p = await timed(codes, prisma);
      const r = await timed(codes, raw);
      rounds.push({ prisma: p, raw: r });
      console.log(
        `round ${i + 1}: prisma ${p.perSecond.toFixed(0)}/s (p50 ${p.p50.toFixed(2)} ms, p95 ${p.p95.toFixed(2)} ms)  raw pg ${r.perSecond.toFixed(0)}/s (p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms)`,
      );
    }
    const ratio = median(rounds.map((x) => x.prisma.perSecond / x.raw.perSecond));
    console.log(
      `\nload average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(
          " ",
        )} · median of ${RUNS}: prisma ${median(rounds.map((x) => x.prisma.perSecond)).toFixed(0)}/s, raw pg ${median(rounds.map((x) => x.raw.perSecond)).toFixed(0)}/s, ratio ${ratio.toFixed(2)}× (target ≥ ${TARGET}×: ${ratio >= TARGET ? "met" : "missed"})`,
    );
  } finally {
    await pool.end();
    await db.$disconnect();
    await dropDatabase(databaseUrl);
    await rm(storageDir, { recursive: true, force: true });
  }
}

await main();
