// PostgreSQL going away under the panel (a proxy in front of it is cut, as when the database
// restarts): staff get a proper 503 page in their language, never raw JSON, and the panel
// recovers by itself once the database is back.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createEngine } from "../../bot/engine/index.js";
import { createDb, type Db } from "../../core/db/client.js";
import type { AppContext } from "../../core/runtime/context.js";
import { CuttableProxy } from "../helpers/tcp-proxy.js";
import { emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let p: Panel;
let proxy: CuttableProxy;
let viaProxy: Db;
let realDb: Db;
let proxyUrl: string;

beforeAll(async () => {
  p = await startPanel();
  const u = new URL(p.t.url);
  proxy = await CuttableProxy.start({ host: u.hostname, port: Number(u.port || 5432) });
  u.hostname = "127.0.0.1";
  u.port = String(proxy.port);
  proxyUrl = u.toString();
  viaProxy = createDb(proxyUrl, 4);
  realDb = p.ctx.db;
  // The panel's database connection now goes through the proxy.
  p.ctx.db = viaProxy;
});
afterAll(async () => {
  if (p) p.ctx.db = realDb;
  await viaProxy?.$disconnect().catch(() => {});
  await proxy?.cut();
  await p?.close();
});

it("answers a 503 page, not JSON, while PostgreSQL is unreachable, and recovers by itself", async () => {
  const supervisor = await signedIn(p.app, emailOf("SUPERVISOR"));
  expect((await supervisor.get("/dashboard")).statusCode).toBe(200);

  await proxy.cut();
  for (const url of ["/dashboard", "/requests"]) {
    const res = await supervisor.get(url);
    expect(res.statusCode, url).toBe(503);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.headers["retry-after"]).toBe("15");
    expect(res.body).toContain("<!doctype html>");
    expect(res.body).toContain("Sibina sebentar terganggu");
    expect(res.body).not.toContain("is not a function");
  }
  const english = await supervisor.get("/dashboard", { "accept-language": "en-GB,en" });
  expect(english.statusCode).toBe(503);
  // The staff member's saved language is unknown without the database: the browser's is used.
  expect(english.body).toContain("Sibina is briefly disturbed");

  await proxy.restore();
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = (await supervisor.get("/dashboard")).statusCode;
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(status).toBe(200);
});

it("chat users hear 'briefly disturbed' while PostgreSQL is unreachable, and carry on once it is back", async () => {
  // The engine on the same context, its database (Prisma and its own pg pool) through the proxy.
  const ctx: AppContext = Object.create(p.ctx, { db: { value: viaProxy }, config: { value: { ...p.ctx.config, DATABASE_URL: proxyUrl } } });
  const engine = createEngine(ctx, { reminders: false });
  const say = (text: string) =>
    engine.handle({ channel: "web", externalId: "pgoutagesession00000001", updateId: `pg-${Math.random()}`, kind: "text", text, receivedAt: new Date() });
  try {
    expect((await say("/start"))[0]?.text).toContain("Halo");
    await proxy.cut();
    const replies = await say("1");
    expect(replies.map((r) => r.text)).toEqual([expect.stringContaining("sebentar terganggu")]);
    await proxy.restore();
    const deadline = Date.now() + 30_000;
    let again = await say("1");
    while (again[0]?.text.includes("terganggu") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      again = await say("1");
    }
    expect(again.map((r) => r.text).join("\n")).toContain("UU Pelindungan Data Pribadi");
  } finally {
    await proxy.restore();
    await engine.close();
  }
});
