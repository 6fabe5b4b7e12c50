// npm run bench:admin [-- --rows 100000 --requests 300 --concurrency 8]
//
// Seeds its own database with the demo offices and staff plus N coaching requests (one
// INSERT … SELECT generate_series, so 100k rows take seconds), then measures the admin panel
// in this process with fastify.inject as a signed-in supervisor:
//   - server time per request (Fastify's reply.elapsedTime: routing, session, queries, template)
//     p50/p95 over sequential requests, for the list (unfiltered, filtered, free text, deep
//     keyset page), the detail page and the dashboard;
//   - throughput with concurrent requests, for each HTML page and the same route answering JSON
//     without a template, and their ratio.
// Targets: p95 ≤ 50 ms for the list and the dashboard at 100k rows; HTML ≥ 0.6× JSON throughput.
// Creates and drops its own database and Redis prefix.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
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
  options: { rows: { type: "string" }, requests: { type: "string" }, concurrency: { type: "string" }, keep: { type: "boolean" } },
  allowPositionals: true,
});
const ROWS = Number(args.rows ?? 100_000);
const SAMPLES = Number(args.requests ?? 300);
const CONCURRENCY = Number(args.concurrency ?? 8);

const base = parseConfig();
const dbName = `sibina_bench_admin_${randomBytes(3).toString("hex")}`;
const url = new URL(base.DATABASE_URL);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function main() {
  console.log(`Admin bench: ${ROWS.toLocaleString("en")} requests, ${SAMPLES} timed requests per route, ${CONCURRENCY} concurrent for throughput`);
  await createDatabaseIfMissing(databaseUrl);
  const storageDir = await mkdtemp(path.join(tmpdir(), "sibina-bench-"));
  const db = createDb(databaseUrl, 16);
  const started = Date.now();
  try {
    await migrate(databaseUrl);
    await seedDemo(db, new LocalDiskStorage(storageDir));
    const t0 = Date.now();
    await seedRequests(db, ROWS);
    console.log(`seeded ${(await db.coachingRequest.count()).toLocaleString("en")} requests in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const config = parseConfig({
      ...process.env,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "silent",
      NODE_ENV: "production",
      SESSION_SECRET: randomBytes(24).toString("hex"),
    });
    const ctx = await createContext(config, {
      db,
      log: createLogger("silent"),
      redisPrefix: `sibina-bench:${randomBytes(3).toString("hex")}`,
      storage: new LocalDiskStorage(storageDir),
    });
    const app = await buildApp(ctx, { panel: { loginLimit: { max: 1000, timeWindow: 60_000 } } });
    // The same app with the dashboard cache off, to show the uncached cost as well.
    const cold = await buildApp(ctx, { panel: { loginLimit: { max: 1000, timeWindow: 60_000 }, dashboardFreshSeconds: 0 } });
    const serverMs = new Map<string, number[]>();
    let current = "";
    for (const server of [app, cold])
      server.addHook("onResponse", async (_req, reply) => {
        if (current) serverMs.get(current)?.push(reply.elapsedTime);
      });
    await app.ready();
    await cold.ready();

    // Sign in as the provincial supervisor (sees the province and its 12 district offices).
    const cookies = new Map<string, string>();
    const keep = (res: { cookies: unknown }) => {
      for (const c of res.cookies as { name: string; value: string }[]) cookies.set(c.name, c.value);
    };
    const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    const loginPage = await app.inject({ url: "/login" });
    keep(loginPage);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(loginPage.body)![1]!;
    const login = await app.inject({
      method: "POST",
      url: "/login",
      headers: { cookie: cookie(), "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ _csrf: csrf, email: "supervisor@sibina.test", password: DEMO_PASSWORD }).toString(),
    });
    if (login.statusCode !== 302) throw new Error(`login failed: ${login.statusCode}`);
    keep(login);

    const detailId = (await db.coachingRequest.findFirstOrThrow({ where: { code: "PB-B0050001" } })).id;
    const page1 = JSON.parse((await app.inject({ url: "/requests.json", headers: { cookie: cookie() } })).body) as { next: string };
    let deep = page1.next;
    for (let i = 0; i < 40; i++) deep = JSON.parse((await app.inject({ url: `/requests.json?after=${deep}`, headers: { cookie: cookie() } })).body).next;
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
      { name: "list (free text, rare)", html: "/requests?q=pengaju99999", json: "/requests.json?q=pengaju99999", target: false },
      { name: "detail", html: `/requests/${detailId}`, json: `/requests/${detailId}/json`, target: false },
      { name: "dashboard", html: "/dashboard", json: "/dashboard.json", target: true },
      { name: "dashboard (counts uncached)", html: "/dashboard", json: "/dashboard.json", target: false, uncached: true },
    ];

    const hit = async (u: string, server = app) => {
      const res = await server.inject({ url: u, headers: { cookie: cookie() } });
      if (res.statusCode !== 200) throw new Error(`${u}: ${res.statusCode}`);
      return res;
    };
    const latency = async (label: string, u: string, server = app) => {
      for (let i = 0; i < 20; i++) await hit(u, server);
      serverMs.set(label, []);
      current = label;
      // SAMPLES requests, or as many as fit in 10 s for a slow route.
      const until = Date.now() + 10_000;
      for (let i = 0; i < SAMPLES && (i < 30 || Date.now() < until); i++) await hit(u, server);
      current = "";
      return [...serverMs.get(label)!].sort((a, b) => a - b);
    };
    const throughput = async (u: string, server = app) => {
      let done = 0;
      const until = Date.now() + 2000;
      const t = Date.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (Date.now() < until) {
            await hit(u, server);
            done++;
          }
        }),
      );
      return done / ((Date.now() - t) / 1000);
    };

    console.log("");
    console.log(
      `${"route".padEnd(28)} ${"HTML p50".padStart(9)} ${"p95".padStart(7)} │ ${"JSON p50".padStart(9)} ${"p95".padStart(7)} │ ${"HTML/s".padStart(7)} ${"JSON/s".padStart(7)} ${"ratio".padStart(6)} │ target`,
    );
    let ok = true;
    for (const r of routes) {
      const server = r.uncached ? cold : app;
      const h = await latency(`${r.name} html`, r.html, server);
      const j = await latency(`${r.name} json`, r.json, server);
      const hr = await throughput(r.html, server);
      const jr = await throughput(r.json, server);
      const p95 = pct(h, 95);
      const ratio = hr / jr;
      const meets = (!r.target || p95 <= 50) && ratio >= 0.6;
      ok &&= meets;
      console.log(
        `${r.name.padEnd(28)} ${pct(h, 50).toFixed(1).padStart(7)}ms ${p95.toFixed(1).padStart(5)}ms │ ${pct(j, 50).toFixed(1).padStart(7)}ms ${pct(j, 95).toFixed(1).padStart(5)}ms │ ${hr.toFixed(0).padStart(7)} ${jr.toFixed(0).padStart(7)} ${ratio.toFixed(2).padStart(6)} │ ${r.target ? (meets ? "ok" : "MISSED") : ratio >= 0.6 ? "ok (ratio only)" : "MISSED"}`,
      );
    }
    console.log("");
    console.log(ok ? "All targets met (p95 ≤ 50 ms for lists and dashboard, HTML ≥ 0.6× JSON)." : "Some targets were missed (see MISSED).");
    await app.close();
    await cold.close();
    const keys = await ctx.redis.keys(`${ctx.redisPrefix}:*`);
    if (keys.length) await ctx.redis.del(...keys);
    ctx.redis.disconnect();
  } finally {
    await db.$disconnect();
    if (!args.keep) await dropDatabase(databaseUrl);
    await rm(storageDir, { recursive: true, force: true });
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s${args.keep ? ` (database ${dbName} kept)` : ""}`);
  }
}

await main();
