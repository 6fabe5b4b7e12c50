// npm run bench:admin [-- --rows 100000 --requests 300 --concurrency 8 --runs 3 --only list --keep --db NAME]
//
// Seeds its own database with the demo offices and staff plus N coaching requests (one
// INSERT … SELECT generate_series, so 100k rows take seconds), then measures the admin panel
// in this process with fastify.inject as a signed-in supervisor:
//   - server time per request (Fastify's reply.elapsedTime: routing, session, queries, template)
//     p50/p95 over sequential requests, for the list (unfiltered, filtered, free text, deep
//     keyset page), the detail page and the dashboard;
//   - throughput with concurrent requests, for each HTML page and the same route answering JSON
//     without a template, and their ratio. Routes with a JSON twin (/requests.json,
//     /dashboard.json) use it; the other list pages (users, modules, testimonials, offices,
//     agencies, inbox, audit, coachings …) answer their view data as JSON in a bench-only mode
//     (panel option viewDataForBench): same route, session and queries, no template.
// Every measurement is repeated --runs times (default 3); the table gives medians and says for
// each route whether each target is met. --db reuses a database kept by an earlier --keep run.
// Targets: p95 ≤ 50 ms for the list and the dashboard at 100k rows; HTML ≥ 0.6× JSON throughput;
// the semester monitoring report of a province (12 kab/kota, 300 loci, 5,000 coachings) p95 ≤ 300 ms.
// Creates and drops its own database and Redis prefix.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseConfig } from "../core/config.js";
import { createDb } from "../core/db/client.js";
import { createContext } from "../core/runtime/context.js";
import { createLogger } from "../core/runtime/logger.js";
import { LocalDiskStorage } from "../core/storage/index.js";
import { buildApp } from "../main.js";
import { DEMO_PASSWORD, seedDemo } from "../prisma/seed-data.js";
import { createDatabaseIfMissing, dropDatabase, migrate } from "../prisma/tools/migrations.js";
import { seedRequests } from "./seed.js";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string" },
    requests: { type: "string" },
    concurrency: { type: "string" },
    keep: { type: "boolean" },
    // Only the semester report (skips the request lists and the dashboard).
    "programme-only": { type: "boolean" },
    runs: { type: "string" },
    // Only the routes whose name contains this text.
    only: { type: "string" },
    // An existing database kept by --keep (already seeded): skips creating, seeding and dropping.
    db: { type: "string" },
  },
  allowPositionals: true,
});
const ROWS = Number(args.rows ?? 100_000);
const SAMPLES = Number(args.requests ?? 300);
const CONCURRENCY = Number(args.concurrency ?? 8);
const RUNS = Math.max(1, Number(args.runs ?? 3));
const P95_TARGET_MS = 50;
const RATIO_TARGET = 0.6;

const base = parseConfig();
const reuse = Boolean(args.db);
const dbName = args.db ?? `sibina_bench_admin_${randomBytes(3).toString("hex")}`;
const url = new URL(base.DATABASE_URL);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();

/**
 * The programme at province scale for the semester report: BPS Provinsi Riau and its 12 kab/kota
 * offices, 300 loci on their teams (with contact records, EPSS candidates, five plan items each
 * and IPS scores), 5,000 DONE coachings of the year (a third realising a plan item), most of them
 * documented. Set-based inserts, so it takes seconds.
 */
async function seedProgrammeScale(db: ReturnType<typeof createDb>, year: number) {
  const offices = await db.office.findMany({ where: { OR: [{ code: "1400" }, { parent: { code: "1400" } }] }, select: { id: true }, orderBy: { code: "asc" } });
  const staff = await db.user.findMany({ select: { id: true } });
  const ids = offices.map((o) => o.id);
  await db.$executeRawUnsafe(
    `INSERT INTO "Agency" (id, name, level, "officeId", "leaderName", email, "walidataUnit", "epssContactName", "epssContactWhatsapp", "contactUpdatedAt", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), 'Lokus Bench ' || i, 'REGENCY', ($1::uuid[])[1 + i % array_length($1::uuid[], 1)], 'Kepala ' || i, 'lokus' || i || '@go.id',
            'Bidang Statistik', 'Narahubung ' || i, '+628127700' || lpad(i::text, 4, '0'),
            CASE WHEN i % 4 = 0 THEN NULL ELSE make_timestamp($2, 1 + i % 4, 1 + i % 27, 3, 0, 0) END, now(), now()
     FROM generate_series(1, 300) AS i`,
    ids,
    year,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "CoachingTeam" (id, "officeId", year, name, "decreeType", "decreeNumber", "decreeUploadedAt", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), o, $2, 'Tim Bench ' || o, 'SURAT_KEPUTUSAN', 'SK-' || o, make_timestamp($2, 1, 10 + (row_number() over ())::int % 21, 3, 0, 0), now(), now()
     FROM unnest($1::uuid[]) AS o`,
    ids,
    year,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "TeamLocus" ("teamId", "agencyId") SELECT t.id, a.id FROM "Agency" a JOIN "CoachingTeam" t ON t."officeId" = a."officeId" AND t.year = $1 WHERE a.name LIKE 'Lokus Bench %'`,
    year,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "TeamMember" ("teamId", "userId", role)
     SELECT t.id, u, (ARRAY['KETUA_PELAKSANA','KOORDINATOR','ANGGOTA','TIM_MONEV']::"TeamRole"[])[1 + (row_number() over ())::int % 4]
     FROM "CoachingTeam" t CROSS JOIN LATERAL (SELECT unnest($2::uuid[]) AS u LIMIT 4) m WHERE t.year = $1
     ON CONFLICT DO NOTHING`,
    year,
    staff.map((u) => u.id),
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "WorkPlan" (id, "agencyId", "officeId", year, activity, "plannedDate", mechanism, organiser, fullday, "expectedOutput", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), a.id, a."officeId", $1, 'Kegiatan ' || k, make_date($1, 1 + (k * 2 + a.n) % 12, 1 + a.n % 27), 'OFFLINE', 'BPS', k = 3, 'Output', make_timestamp($1, 2, 1 + a.n % 27, 3, 0, 0), now()
     FROM (SELECT id, "officeId", row_number() over ()::int AS n FROM "Agency" WHERE name LIKE 'Lokus Bench %') a CROSS JOIN generate_series(1, 5) AS k`,
    year,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "EpssCandidate" (id, "agencyId", "officeId", year, "activityName", "activityYear", method, producer, "echelon2Unit", reason, "createdAt", "updatedAt")
     SELECT gen_random_uuid(), id, "officeId", $1, 'Survei ' || name, $1 - 1, 'SURVEY', 'Produsen', 'Sekretariat', 'Data prioritas', make_timestamp($1, 3, 1 + length(name) % 27, 3, 0, 0), now()
     FROM "Agency" WHERE name LIKE 'Lokus Bench %' AND length(name) % 3 <> 0`,
    year,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "IpsScore" ("agencyId", year, score, "updatedAt") SELECT id, $1, 1.5 + (length(name) % 30) / 10.0, now() FROM "Agency" WHERE name LIKE 'Lokus Bench %'`,
    year,
  );
  // 5,000 DONE coachings: every third realises a plan item of its lokus.
  await db.$executeRawUnsafe(
    `WITH loci AS (SELECT id, "officeId", name, row_number() over (ORDER BY id)::int AS n FROM "Agency" WHERE name LIKE 'Lokus Bench %'),
          plans AS (SELECT id, "agencyId", row_number() over (PARTITION BY "agencyId" ORDER BY id)::int AS k FROM "WorkPlan" WHERE year = $1)
     INSERT INTO "CoachingRequest" (id, code, "requesterName", "requesterPhone", "requesterEmail", "agencyId", "agencyName", "agencyLevel", "isDataProducer",
        "serviceType", topics, description, location, mode, "startAt", "endAt", "picName", "picPhone", status, "officeId", channel, locale, initiative, "workPlanId", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), 'PB-P' || lpad(i::text, 6, '0'), 'Tim Bench', '+6281200000000', 'bench@bps.go.id', l.id, l.name, 'REGENCY', true,
            'ASISTENSI', ARRAY['SATU_DATA'::"Topic"], 'Pembinaan bench ' || i, 'Kantor lokus', 'OFFLINE',
            make_timestamp($1, 1 + i % 11, 1 + i % 27, 2, 0, 0), make_timestamp($1, 1 + i % 11, 1 + i % 27, 5, 0, 0), 'PIC', '+6281200000000', 'DONE',
            l."officeId", 'web', 'id', CASE WHEN i % 3 = 0 THEN 'BPS'::"Organiser" ELSE 'NON_BPS'::"Organiser" END,
            (SELECT p.id FROM plans p WHERE p."agencyId" = l.id AND p.k = 1 + i % 5 AND i % 3 = 0), now(), now()
     FROM generate_series(1, 5000) AS i JOIN loci l ON l.n = 1 + i % 300`,
    year,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "Documentation" (id, "requestId", kind, link, "uploadedById", "createdAt")
     SELECT gen_random_uuid(), r.id, 'ATTENDANCE', 'https://s.bps.go.id/dok', $1::uuid, r."endAt" + ((length(r.code) + ascii(right(r.code, 1))) % 12) * interval '1 day'
     FROM "CoachingRequest" r WHERE r.code LIKE 'PB-P%' AND ascii(right(r.code, 1)) % 5 <> 0`,
    staff[0]!.id,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "ReportingDeadline" (year, kind, "dueDate", "daysAfter", "updatedAt") VALUES
     ($1, 'TEAM_DECREE', make_date($1, 1, 31), NULL, now()), ($1, 'CONTACTS', make_date($1, 2, 28), NULL, now()),
     ($1, 'EPSS_CANDIDATES', make_date($1, 3, 31), NULL, now()), ($1, 'WORK_PLAN', make_date($1, 2, 15), NULL, now()), ($1, 'ACTIVITIES', NULL, 7, now())
     ON CONFLICT (year, kind) DO NOTHING`,
    year,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "CapacityEvent" (id, "officeId", title, "heldOn", internalisation, "createdAt") SELECT gen_random_uuid(), o, 'Internalisasi', make_date($2, 1, 10), true, now() FROM unnest($1::uuid[]) AS o`,
    ids,
    year,
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function main() {
  console.log(`Admin bench: ${ROWS.toLocaleString("en")} requests, ${SAMPLES} timed requests per route, ${CONCURRENCY} concurrent for throughput`);
  await createDatabaseIfMissing(databaseUrl);
  const storageDir = await mkdtemp(path.join(tmpdir(), "sibina-bench-"));
  const db = createDb(databaseUrl, 16);
  const started = Date.now();
  try {
    const programmeYear = new Date().getUTCFullYear() - 1;
    if (!reuse) {
      await migrate(databaseUrl);
      await seedDemo(db, new LocalDiskStorage(storageDir));
      const t0 = Date.now();
      await seedRequests(db, ROWS);
      console.log(`seeded ${(await db.coachingRequest.count()).toLocaleString("en")} requests in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      // The demo seed already holds this year's programme for Riau; the scale data goes a year before it.
      const t1 = Date.now();
      await seedProgrammeScale(db, programmeYear);
      const benchLoci = await db.teamLocus.count({ where: { team: { year: programmeYear } } });
      const benchCoachings = await db.coachingRequest.count({ where: { code: { startsWith: "PB-P" } } });
      console.log(
        `seeded the programme of ${programmeYear}: 13 offices, ${benchLoci} loci, ${benchCoachings.toLocaleString("en")} coachings in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
      );
    } else console.log(`reusing database ${dbName}: ${(await db.coachingRequest.count()).toLocaleString("en")} requests`);

    const config = parseConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "silent",
      NODE_ENV: "production",
      SESSION_SECRET: randomBytes(24).toString("hex"),
      // Production requires it since two-factor secrets are sealed (nobody signs in with 2FA here).
      TOTP_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    });
    const ctx = await createContext(config, {
      db,
      log: createLogger("silent"),
      redisPrefix: `sibina-bench:${randomBytes(3).toString("hex")}`,
      storage: new LocalDiskStorage(storageDir),
    });
    const panel = { loginLimit: { max: 1000, timeWindow: 60_000 }, viewDataForBench: true };
    const app = await buildApp(ctx, { panel });
    // The same app with the dashboard cache off, to show the uncached cost as well.
    const cold = await buildApp(ctx, { panel: { ...panel, dashboardFreshSeconds: 0 } });
    const serverMs = new Map<string, number[]>();
    let current = "";
    for (const server of [app, cold])
      server.addHook("onResponse", async (_req, reply) => {
        if (current) serverMs.get(current)?.push(reply.elapsedTime);
      });
    await app.ready();
    await cold.ready();

    // Sign in as the provincial supervisor (sees the province and its 12 district offices), and as
    // the admin for the pages only an admin may open (users, offices, audit …).
    const signIn = async (email: string) => {
      const cookies = new Map<string, string>();
      const keep = (res: { cookies: unknown }) => {
        for (const c of res.cookies as { name: string; value: string }[]) cookies.set(c.name, c.value);
      };
      const header = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      const loginPage = await app.inject({ url: "/login" });
      keep(loginPage);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(loginPage.body)![1]!;
      const login = await app.inject({
        method: "POST",
        url: "/login",
        headers: { cookie: header(), "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams({ _csrf: csrf, email, password: DEMO_PASSWORD }).toString(),
      });
      if (login.statusCode !== 302) throw new Error(`login of ${email} failed: ${login.statusCode}`);
      keep(login);
      return header();
    };
    const supervisor = await signIn("supervisor@sibina.test");
    const admin = await signIn("admin@sibina.test");
    let session = supervisor;
    const cookie = () => session;

    const riauId = (await db.office.findUniqueOrThrow({ where: { code: "1400" } })).id;
    const detailId = (await db.coachingRequest.findFirst({ where: { code: "PB-B0050001" } }))?.id ?? "";
    let deep = "";
    if (!args["programme-only"]) {
      deep = (JSON.parse((await app.inject({ url: "/requests.json", headers: { cookie: cookie() } })).body) as { next: string }).next;
      for (let i = 0; i < 40; i++) deep = JSON.parse((await app.inject({ url: `/requests.json?after=${deep}`, headers: { cookie: cookie() } })).body).next;
    }
    // json: a JSON twin of the route; "data": the same URL answering its view data (bench mode).
    const routes: { name: string; html: string; json: string; target: boolean; uncached?: boolean }[] = [
      { name: "list (unfiltered)", html: "/requests", json: "/requests.json", target: true },
      { name: "list (status + service)", html: "/requests?status=IN_REVIEW&service=FGD", json: "/requests.json?status=IN_REVIEW&service=FGD", target: true },
      {
        name: "list (date range + agency)",
        html: "/requests?from=2025-01-01&to=2025-06-30&agency=kesehatan",
        json: "/requests.json?from=2025-01-01&to=2025-06-30&agency=kesehatan",
        target: true,
      },
      { name: "list (page 41, keyset)", html: `/requests?after=${deep}`, json: `/requests.json?after=${deep}`, target: true },
      { name: "list (office + status)", html: `/requests?office=${riauId}&status=DONE`, json: `/requests.json?office=${riauId}&status=DONE`, target: true },
      { name: "list (free text, rare)", html: "/requests?q=pengaju99999", json: "/requests.json?q=pengaju99999", target: false },
      { name: "detail", html: `/requests/${detailId}`, json: `/requests/${detailId}/json`, target: false },
      { name: "dashboard", html: "/dashboard", json: "/dashboard.json", target: true },
      { name: "dashboard (counts uncached)", html: "/dashboard", json: "/dashboard.json", target: true, uncached: true },
      ...["/users", "/modules", "/testimonials", "/offices", "/programme", "/inbox", "/audit", "/coachings", "/notifications"].map((u) => ({
        name: `page ${u}`,
        html: u,
        json: "data",
        // Only the requests list and the dashboard carry the p95 target.
        target: false,
      })),
    ].filter((r) => !args.only || r.name.includes(args.only));

    const hit = async (u: string, server = app, data = false) => {
      const res = await server.inject({ url: u, headers: { cookie: cookie(), ...(data ? { "x-bench-view": "data" } : {}) } });
      if (res.statusCode !== 200) throw new Error(`${u}: ${res.statusCode}`);
      return res;
    };
    const latency = async (label: string, u: string, server = app, data = false) => {
      for (let i = 0; i < 20; i++) await hit(u, server, data);
      serverMs.set(label, []);
      current = label;
      // SAMPLES requests, or as many as fit in 10 s for a slow route.
      const until = Date.now() + 10_000;
      for (let i = 0; i < SAMPLES && (i < 30 || Date.now() < until); i++) await hit(u, server, data);
      current = "";
      return [...serverMs.get(label)!].sort((a, b) => a - b);
    };
    const throughput = async (u: string, server = app, data = false) => {
      let done = 0;
      const until = Date.now() + 2000;
      const t = Date.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (Date.now() < until) {
            await hit(u, server, data);
            done++;
          }
        }),
      );
      return done / ((Date.now() - t) / 1000);
    };

    interface Run {
      htmlP50: number;
      htmlP95: number;
      jsonP50: number;
      jsonP95: number;
      htmlPerS: number;
      jsonPerS: number;
    }
    const results = new Map<string, Run[]>(routes.map((r) => [r.name, []]));
    for (let run = 1; run <= (args["programme-only"] ? 0 : RUNS); run++) {
      for (const r of routes) {
        const server = r.uncached ? cold : app;
        const data = r.json === "data";
        // The supervisor where the supervisor may open the page, otherwise the admin.
        session = supervisor;
        if ((await server.inject({ url: r.html, headers: { cookie: session } })).statusCode === 403) session = admin;
        const jsonUrl = data ? r.html : r.json;
        const h = await latency(`${r.name} html`, r.html, server);
        const j = await latency(`${r.name} json`, jsonUrl, server, data);
        // HTML and JSON throughput alternate twice, so a burst of machine noise falls on both.
        const hr = [await throughput(r.html, server)];
        const jr = [await throughput(jsonUrl, server, data)];
        hr.push(await throughput(r.html, server));
        jr.push(await throughput(jsonUrl, server, data));
        const result = {
          htmlP50: pct(h, 50),
          htmlP95: pct(h, 95),
          jsonP50: pct(j, 50),
          jsonP95: pct(j, 95),
          htmlPerS: (hr[0]! + hr[1]!) / 2,
          jsonPerS: (jr[0]! + jr[1]!) / 2,
        };
        results.get(r.name)!.push(result);
        console.log(
          `run ${run}/${RUNS} ${r.name.padEnd(28)} HTML p95 ${result.htmlP95.toFixed(1)} ms, ${result.htmlPerS.toFixed(0)}/s · JSON ${result.jsonPerS.toFixed(0)}/s · ratio ${(result.htmlPerS / result.jsonPerS).toFixed(2)}`,
        );
      }
    }

    let ok = true;
    if (!args["programme-only"]) {
      console.log("");
      console.log(
        `medians of ${RUNS} run${RUNS === 1 ? "" : "s"} (load average ${loadavg()
          .map((l) => l.toFixed(2))
          .join(" ")})`,
      );
      console.log(
        `${"route".padEnd(28)} ${"HTML p50".padStart(9)} ${"p95".padStart(7)} │ ${"JSON p50".padStart(9)} ${"p95".padStart(7)} │ ${"HTML/s".padStart(7)} ${"JSON/s".padStart(7)} ${"ratio".padStart(6)} │ p95 ≤ ${P95_TARGET_MS} ms │ ratio ≥ ${RATIO_TARGET}`,
      );
      for (const r of routes) {
        const runs = results.get(r.name)!;
        const m = (k: keyof Run) => median(runs.map((x) => x[k]));
        const ratio = median(runs.map((x) => x.htmlPerS / x.jsonPerS));
        const p95 = m("htmlP95");
        const p95Met = p95 <= P95_TARGET_MS;
        const ratioMet = ratio >= RATIO_TARGET;
        ok &&= (!r.target || p95Met) && ratioMet;
        console.log(
          `${r.name.padEnd(28)} ${m("htmlP50").toFixed(1).padStart(7)}ms ${p95.toFixed(1).padStart(5)}ms │ ${m("jsonP50").toFixed(1).padStart(7)}ms ${m("jsonP95").toFixed(1).padStart(5)}ms │ ${m("htmlPerS").toFixed(0).padStart(7)} ${m("jsonPerS").toFixed(0).padStart(7)} ${ratio.toFixed(2).padStart(6)} │ ${(r.target ? (p95Met ? "met" : "MISSED") : "(none)").padEnd(11)} │ ${ratioMet ? "met" : "MISSED"}`,
        );
      }
    }
    // The semester report of the province (its own page plus the roll-up of 12 kab/kota): p95 ≤ 300 ms.
    session = supervisor;
    const semester = `/monitoring?office=${riauId}&year=${programmeYear}&semester=1`;
    const report = await latency("semester report", semester);
    const reportP95 = pct(report, 95);
    const xlsx = await latency("semester xlsx", `/monitoring/report.xlsx?office=${riauId}&year=${programmeYear}&semester=1`);
    const pdf = await latency("semester pdf", `/monitoring/report.pdf?office=${riauId}&year=${programmeYear}&semester=1`);
    ok &&= reportP95 <= 300;
    console.log(
      `${"semester report (province)".padEnd(28)} ${pct(report, 50).toFixed(1).padStart(7)}ms ${reportP95.toFixed(1).padStart(5)}ms │ target p95 ≤ 300 ms: ${reportP95 <= 300 ? "met" : "MISSED"}`,
    );
    console.log(`${"semester report XLSX".padEnd(28)} ${pct(xlsx, 50).toFixed(1).padStart(7)}ms ${pct(xlsx, 95).toFixed(1).padStart(5)}ms │ (no target)`);
    console.log(`${"semester report PDF".padEnd(28)} ${pct(pdf, 50).toFixed(1).padStart(7)}ms ${pct(pdf, 95).toFixed(1).padStart(5)}ms │ (no target)`);
    console.log("");
    console.log(
      ok
        ? `All targets met (p95 ≤ ${P95_TARGET_MS} ms for lists and the dashboard, HTML ≥ ${RATIO_TARGET}× JSON, semester report p95 ≤ 300 ms).`
        : "Some targets were missed (see MISSED).",
    );
    await app.close();
    await cold.close();
    const keys = await ctx.redis.keys(`${ctx.redisPrefix}:*`);
    if (keys.length) await ctx.redis.del(...keys);
    ctx.redis.disconnect();
  } finally {
    await db.$disconnect();
    if (!args.keep && !reuse) await dropDatabase(databaseUrl);
    await rm(storageDir, { recursive: true, force: true });
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s${args.keep ? ` (database ${dbName} kept)` : ""}`);
  }
}

await main();
