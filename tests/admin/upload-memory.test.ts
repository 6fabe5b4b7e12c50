// Issue 11, acceptance: memory stays within 30 MB of baseline while anonymous clients post
// 100 MB multipart bodies, and such a body is refused before it is read. The server runs in a
// child process (its RSS is what is measured); clients post from distinct loopback addresses.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LocalDiskStorage } from "../../core/storage/index.js";
import { seedDemo, tinyPdf } from "../../prisma/seed-data.js";
import { createTestDb, type TestDb, testRedisPrefix } from "../helpers/db.js";
import { emailOf, SESSION_SECRET } from "./helpers.js";
import { loopback, NetClient } from "./net-client.js";

const MB = 1024 * 1024;
const BODY = 100 * MB;
const BOUNDARY = "----sibinamemoryprobe";

let t: TestDb;
let storageDir: string;
let prefix: string;
let child: ChildProcess;
let port = 0;

interface Memory {
  rss: number;
  peak: number;
}
function ask(type: "settle" | "memory"): Promise<Memory> {
  return new Promise((resolve) => {
    const onMessage = (msg: { type: string } & Memory) => {
      if (msg.type !== "memory") return;
      child.off("message", onMessage);
      resolve(msg);
    };
    child.on("message", onMessage);
    child.send({ type });
  });
}

beforeAll(async () => {
  t = await createTestDb(4);
  storageDir = await mkdtemp(path.join(tmpdir(), "sibina-memory-"));
  await seedDemo(t.db, new LocalDiskStorage(storageDir));
  prefix = testRedisPrefix();
  child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", fileURLToPath(new URL("./support/panel-server.ts", import.meta.url))], {
    env: { ...process.env, DATABASE_URL: t.url, STORAGE_DIR: storageDir, PANEL_PREFIX: prefix, SESSION_SECRET, MAX_UPLOAD_MB: "10" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [ready] = (await once(child, "message")) as [{ type: string; port: number }];
  expect(ready.type).toBe("ready");
  port = ready.port;
}, 120_000);

afterAll(async () => {
  if (child?.connected) {
    child.send({ type: "stop" });
    await once(child, "exit");
  }
  await t?.drop();
  if (storageDir) await rm(storageDir, { recursive: true, force: true });
});

interface Outcome {
  status: number;
  /** Bytes of the body written when the answer arrived. */
  sentAtAnswer: number;
  /** Bytes written in all (the client stops once answered or cut off). */
  sent: number;
}

/** Streams a 100 MB multipart body (fields first, then one big file) until the server answers. */
function post100Mb(urlPath: string, from: string, opts: { cookie?: string; fields?: Record<string, string>; chunked?: boolean } = {}): Promise<Outcome> {
  const fields = Object.entries(opts.fields ?? {})
    .map(([k, v]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join("");
  const head = Buffer.from(
    `${fields}--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="besar.pdf"\r\nContent-Type: application/pdf\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const total = head.length + BODY + tail.length;
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered: Omit<Outcome, "sent"> | null = null;
    let cut = false;
    const req = http.request({
      host: "127.0.0.1",
      port,
      path: urlPath,
      method: "POST",
      localAddress: from,
      agent: false,
      headers: {
        "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
        ...(opts.chunked ? {} : { "content-length": total }),
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
      },
    });
    req.on("response", (res) => {
      answered = { status: res.statusCode ?? 0, sentAtAnswer: sent };
      res.resume();
      res.on("end", () => req.destroy());
    });
    req.on("error", () => {
      cut = true;
    });
    req.on("close", () => (answered ? resolve({ ...answered, sent }) : reject(new Error(`no answer from ${urlPath} after ${sent} bytes`))));
    (async () => {
      const chunk = tinyPdf("besar");
      const filler = Buffer.alloc(256 * 1024, 0x20);
      req.write(head);
      req.write(chunk);
      sent = head.length + chunk.length;
      while (sent < total - tail.length && !answered && !cut) {
        const piece = filler.subarray(0, Math.min(filler.length, total - tail.length - sent));
        sent += piece.length;
        if (!req.write(piece)) await drainedOrClosed(req);
      }
      if (!answered && !cut) req.end(tail);
    })().catch(reject);
  });
}

/** Waits until the request can take more, or is gone (its listeners removed either way). */
function drainedOrClosed(req: http.ClientRequest): Promise<void> {
  return new Promise((go) => {
    const done = () => {
      req.off("drain", done);
      req.off("close", done);
      go();
    };
    req.once("drain", done);
    req.once("close", done);
  });
}

const sessionCookie = (c: NetClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join("; ");

it("keeps memory flat and refuses anonymous 100 MB multipart bodies before reading them", { timeout: 120_000 }, async () => {
  // What each anonymous post must get: forms that take no files refuse multipart outright (400;
  // the simulator's JSON API has no multipart parser at all, 415); upload forms want a session (401).
  const expected: Record<string, number> = {
    "/locale": 400,
    "/login": 400,
    "/profile/password": 400,
    "/simulator/api/send": 415,
    "/modules": 401,
    "/requests": 401,
    "/coachings/00000000-0000-4000-8000-000000000000/documentation": 401,
  };
  // Warm up every code path once (templates, each refusal, a sign-in), then take the baseline:
  // what is measured is what further posts cost, not code compiled on first use.
  const op = new NetClient(port, loopback(0));
  expect((await op.login(emailOf("OPERATOR"))).statusCode).toBe(302);
  for (let i = 0; i < 3; i++) await new NetClient(port, loopback(1 + i)).get("/login");
  for (const [i, urlPath] of Object.keys(expected).entries()) await post100Mb(urlPath, loopback(50 + i));
  const baseline = await ask("settle");

  const rounds: Outcome[] = [];
  for (let round = 0; round < 2; round++) {
    const anon = await Promise.all(
      Object.keys(expected).map(async (urlPath, i) => {
        const c = new NetClient(port, loopback(10 + round * 10 + i));
        if (urlPath === "/locale" || urlPath === "/login") await c.get("/login"); // a session with a CSRF secret, as a browser has
        return { urlPath, ...(await post100Mb(urlPath, c.localAddress, { cookie: sessionCookie(c), fields: { _csrf: c.csrf ?? "" } })) };
      }),
    );
    for (const o of anon) {
      // Refused before it is read: answered while the body had barely started (socket buffers aside).
      expect(o.sentAtAnswer, o.urlPath).toBeLessThan(16 * MB);
      expect(o.sent, o.urlPath).toBeLessThan(BODY);
      expect(o.status, o.urlPath).toBe(expected[o.urlPath]);
    }
    rounds.push(...anon);
  }
  const after = await ask("memory");
  const growth = after.peak - baseline.rss;
  console.log(
    `upload memory: baseline ${(baseline.rss / MB).toFixed(1)} MB, peak ${(after.peak / MB).toFixed(1)} MB (+${(growth / MB).toFixed(1)} MB) over ${rounds.length} anonymous 100 MB posts; ` +
      `answered after ${(Math.max(...rounds.map((r) => r.sentAtAnswer)) / MB).toFixed(1)} MB at most`,
  );
  expect(growth).toBeLessThan(30 * MB);
});

it("streams a signed-in upload to disk and stops it at the limit without holding it in memory", { timeout: 120_000 }, async () => {
  const op = new NetClient(port, loopback(40));
  await op.login(emailOf("OPERATOR"));
  await op.get("/modules/new");
  const baseline = await ask("settle");
  // No Content-Length (chunked): only the streamed count can stop it.
  const res = await post100Mb("/modules", op.localAddress, {
    cookie: sessionCookie(op),
    fields: { _csrf: op.csrf!, title: "Modul raksasa", category: "Uji" },
    chunked: true,
  });
  const after = await ask("memory");
  expect(res.status).toBe(413);
  // Stopped near the 10 MB file limit, far from the 100 MB sent at it.
  expect(res.sentAtAnswer).toBeLessThan(30 * MB);
  expect(after.peak - baseline.rss).toBeLessThan(30 * MB);
  expect(await t.db.module.count({ where: { title: "Modul raksasa" } })).toBe(0);
  // Nothing of it stays in storage (only the seeded module files are there).
  const stored = (await readdir(storageDir, { recursive: true })).filter((f) => /[a-f0-9]{40}$/.test(String(f)));
  expect(stored.length).toBe(await t.db.attachment.count());
});
