// First run without demo data: `npm start` (main.ts) on an empty database serves a one-time
// setup page at a URL with a single-use token printed to the console. Setting up "BPS Provinsi
// Papua" creates the office chain and the first admin; the product then starts, and an
// assignment notice of that office gives WIT dates.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { composeNotice, loadNotice, panelLinks } from "../../bot/delivery/render.js";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { authenticate } from "../../core/users/service.js";
import { formatDateTime } from "../../core/validation/datetime.js";
import { createTestDb, type TestDb, testRedisPrefix } from "../helpers/db.js";
import { actorOf, makeUser, requestInput } from "../helpers/fixtures.js";

let t: TestDb;
let child: ChildProcess | undefined;
let storage = "";
let output = "";
let base = "";

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, ms = 90_000): Promise<T> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; output:\n${output}`);
}

beforeAll(async () => {
  t = await createTestDb();
  storage = await mkdtemp(path.join(tmpdir(), "sibina-setup-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const main = fileURLToPath(new URL("../../main.ts", import.meta.url));
  child = spawn(process.execPath, ["--import", "tsx", main], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      DATABASE_URL: t.url,
      REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      REDIS_PREFIX: testRedisPrefix(),
      HOST: "127.0.0.1",
      PORT: String(port),
      STORAGE_DIR: storage,
      LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    output += String(d);
  });
  child.stderr?.on("data", (d) => {
    output += String(d);
  });
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  await t?.drop();
  if (storage) await rm(storage, { recursive: true, force: true });
});

it("leads an empty database through the setup page to a working office in WIT", async () => {
  const url = await waitFor(() => /(http:\/\/\S+\/setup\?token=[\w-]+)/.exec(output)?.[1], "the setup URL on the console");
  expect(url.startsWith(`${base}/setup?token=`)).toBe(true);
  const token = new URL(url).searchParams.get("token") ?? "";

  // Without the token (or with a wrong one) nothing is offered; every other path leads nowhere.
  expect((await fetch(`${base}/setup`)).status).toBe(403);
  expect((await fetch(`${base}/setup?token=${token.slice(1)}x`)).status).toBe(403);
  expect((await fetch(`${base}/login`)).status).toBe(503);

  const page = await fetch(url);
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain("9100 · BPS Provinsi Papua (WIT)");
  expect(html).toContain("1471 · BPS Kota Pekanbaru (WIB)");

  const post = (fields: Record<string, string>) =>
    fetch(`${base}/setup`, { method: "POST", body: new URLSearchParams({ token, ...fields }), redirect: "manual" });
  // A weak password is refused and nothing is written.
  const weak = await post({ officeCode: "9100", name: "Admin Papua", email: "admin@papua.bps.go.id", password: "password1234" });
  expect(weak.status).toBe(422);
  expect(await t.db.office.count()).toBe(0);
  // An office that is not in the list is refused.
  expect((await post({ officeCode: "9999", name: "Admin Papua", email: "admin@papua.bps.go.id", password: "Kop1-Jayapura-Senja!" })).status).toBe(422);

  const ok = await post({ officeCode: "9100", name: "Admin Papua", email: "admin@papua.bps.go.id", password: "Kop1-Jayapura-Senja!" });
  expect(ok.status).toBe(200);
  expect(await ok.text()).toContain("BPS Provinsi Papua (WIT)");

  const offices = await t.db.office.findMany({ orderBy: { code: "asc" } });
  expect(offices.map((o) => [o.code, o.name, o.timeZone])).toEqual([
    ["0000", "BPS RI", "WIB"],
    ["9100", "BPS Provinsi Papua", "WIT"],
  ]);
  expect(offices[1]?.parentId).toBe(offices[0]?.id);
  const admin = await t.db.user.findUniqueOrThrow({ where: { email: "admin@papua.bps.go.id" } });
  expect(admin.roles).toEqual(["ADMIN"]);
  expect(admin.officeId).toBe(offices[1]?.id);
  expect((await authenticate(t.db, "admin@papua.bps.go.id", "Kop1-Jayapura-Senja!")).ok).toBe(true);

  // The product proper now answers on the same port.
  await waitFor(async () => (await fetch(`${base}/login`).catch(() => null))?.status === 200, "the panel after setup");
  // Single use: the setup page is gone, and the token sets up nothing more.
  expect((await fetch(url)).status).toBe(404);
  expect((await post({ officeCode: "1400", name: "Someone Else", email: "x@bps.go.id", password: "Kop1-Jayapura-Senja!" })).status).not.toBe(200);
  expect(await t.db.office.count()).toBe(2);

  // A request handled by the Papua office: the coach's assignment notice gives WIT times.
  const papua = offices[1]!;
  const sup = await makeUser(t.db, papua.id, ["SUPERVISOR"]);
  const coach = await makeUser(t.db, papua.id, ["COACH"]);
  const start = new Date(Date.UTC(2027, 2, 10, 1, 0)); // 10:00 WIT, 08:00 WIB
  const { request } = await submitRequest(
    t.db,
    requestInput({ agencyName: "Dinas Kominfo Provinsi Papua", startAt: start, endAt: new Date(start.getTime() + 2 * 3600_000) }),
    { channel: "web", defaultOfficeId: papua.id, now: new Date(Date.UTC(2027, 1, 1)) },
  );
  expect(request.officeId).toBe(papua.id);
  await changeStatus(t.db, actorOf(sup), { requestId: request.id, to: "IN_REVIEW" });
  await changeStatus(t.db, actorOf(sup), { requestId: request.id, to: "APPROVED", coachIds: [coach.id] });
  const row = await t.db.outbox.findFirstOrThrow({ where: { requestId: request.id, kind: "coach.assigned", recipientUserId: coach.id } });
  const notice = composeNotice(await loadNotice(t.db, row), "id", panelLinks({ HOST: "127.0.0.1", PORT: 3000 }));
  expect(formatDateTime(start, "WIT")).toBe("10/03/2027 10:00 WIT");
  expect(notice.text).toContain("10:00 WIT");
  expect(notice.text).not.toContain("WIB");
}, 180_000);
