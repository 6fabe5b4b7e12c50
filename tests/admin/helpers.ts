// The admin panel on a real cloned database and real Redis, driven with fastify.inject,
// plus a tiny cookie-keeping client that signs in and submits forms with their CSRF token.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { parseConfig } from "../../core/config.js";
import { type AppContext, createContext } from "../../core/runtime/context.js";
import { createLogger } from "../../core/runtime/logger.js";
import { createRedis } from "../../core/runtime/redis.js";
import { LocalDiskStorage } from "../../core/storage/index.js";
import { buildApp } from "../../main.js";
import { DEMO_PASSWORD, DEMO_USERS, seedDemo } from "../../prisma/seed-data.js";
import { createTestDb, type TestDb, testRedisPrefix } from "../helpers/db.js";

export { DEMO_PASSWORD, DEMO_USERS };
export const SESSION_SECRET = "test-session-secret-0123456789abcdef";

export interface Panel {
  app: FastifyInstance;
  ctx: AppContext;
  t: TestDb;
  storageDir: string;
  close(): Promise<void>;
}

export async function startPanel(
  opts: {
    seed?: boolean;
    maxUploadMb?: number;
    loginMax?: number;
    listen?: boolean;
    dashboardFreshSeconds?: number;
    /** More configuration (e.g. TRUST_PROXY, ALLOW_INSECURE_HTTP). */
    env?: Record<string, string>;
    /** The sign-in throttle's clock. */
    now?: () => number;
    /** bench:admin's mode: pages answer their view data as JSON on request. */
    viewDataForBench?: boolean;
  } = {},
): Promise<Panel> {
  const t = await createTestDb();
  const storageDir = await mkdtemp(path.join(tmpdir(), "sibina-admin-"));
  const storage = new LocalDiskStorage(storageDir);
  if (opts.seed !== false) await seedDemo(t.db, storage);
  const config = parseConfig({
    NODE_ENV: "test",
    DATABASE_URL: t.url,
    STORAGE_DIR: storageDir,
    MAX_UPLOAD_MB: String(opts.maxUploadMb ?? 1),
    LOG_LEVEL: "silent",
    SESSION_SECRET,
    ...opts.env,
  });
  const ctx = await createContext(config, {
    db: t.db,
    redis: createRedis(config.REDIS_URL),
    log: createLogger("silent"),
    storage,
    redisPrefix: testRedisPrefix(),
  });
  const app = await buildApp(ctx, {
    panel: {
      sessionSecret: SESSION_SECRET,
      loginLimit: { max: opts.loginMax ?? 1000, timeWindow: 60_000 },
      dashboardFreshSeconds: opts.dashboardFreshSeconds,
      now: opts.now,
      viewDataForBench: opts.viewDataForBench,
    },
  });
  if (opts.listen) await app.listen({ host: "127.0.0.1", port: 0 });
  else await app.ready();
  return {
    app,
    ctx,
    t,
    storageDir,
    async close() {
      await app.close();
      const keys = await ctx.redis.keys(`${ctx.redisPrefix}:*`);
      if (keys.length) await ctx.redis.del(...keys);
      ctx.redis.disconnect();
      await t.drop();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

export const emailOf = (role: "ADMIN" | "OPERATOR" | "SUPERVISOR" | "COACH") => DEMO_USERS.find((u) => u.roles.length === 1 && u.roles[0] === role)!.email;

const csrfPattern = /name="_csrf" value="([^"]+)"/;
export const csrfOf = (html: string) => csrfPattern.exec(html)?.[1] ?? null;

type Form = Record<string, string | string[]>;
export const urlencoded = (form: Form) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const one of Array.isArray(v) ? v : [v]) u.append(k, one);
  return u.toString();
};

/**
 * A browser-like client over inject(): keeps cookies, remembers the last CSRF token it saw.
 * `ip` is the socket's address as the server sees it (forwarding headers are not trusted by
 * default); tests of per-client throttles use NetClient, over real sockets, instead.
 */
export class Client {
  cookies = new Map<string, string>();
  csrf: string | null = null;
  constructor(
    readonly app: FastifyInstance,
    readonly ip = "127.0.0.1",
  ) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  private keep(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now()) || c.value === "";
      if (expired) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const type = String(res.headers["content-type"] ?? "");
    if (type.includes("text/html")) this.csrf = csrfOf(res.body) ?? this.csrf;
    return res;
  }

  async get(url: string, headers: Record<string, string> = {}) {
    return this.keep(await this.app.inject({ method: "GET", url, remoteAddress: this.ip, headers: { cookie: this.cookieHeader(), ...headers } }));
  }

  /** Posts a urlencoded form; the CSRF token is added unless the form carries its own (or null). */
  async post(url: string, form: Form = {}, opts: { csrf?: string | null } = {}) {
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    const body = token === null ? form : { _csrf: token, ...form };
    return this.keep(
      await this.app.inject({
        method: "POST",
        url,
        remoteAddress: this.ip,
        headers: { cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
        payload: urlencoded(body),
      }),
    );
  }

  /** Posts multipart: fields plus files ({ field, name, type, bytes }). */
  async upload(url: string, fields: Form, files: { field: string; name: string; type: string; bytes: Buffer }[], opts: { csrf?: string | null } = {}) {
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    const boundary = `----sibina${Math.random().toString(16).slice(2)}`;
    const parts: Buffer[] = [];
    const all = token === null ? fields : { _csrf: token, ...fields };
    for (const [k, v] of Object.entries(all))
      for (const one of Array.isArray(v) ? v : [v]) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${one}\r\n`));
    for (const f of files) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.name}"\r\nContent-Type: ${f.type}\r\n\r\n`));
      parts.push(f.bytes, Buffer.from("\r\n"));
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return this.keep(
      await this.app.inject({
        method: "POST",
        url,
        remoteAddress: this.ip,
        headers: { cookie: this.cookieHeader(), "content-type": `multipart/form-data; boundary=${boundary}` },
        payload: Buffer.concat(parts),
      }),
    );
  }

  async login(email: string, password = DEMO_PASSWORD) {
    await this.get("/login");
    const res = await this.post("/login", { email, password });
    if (res.statusCode === 302 && res.headers.location !== "/login/totp") await this.get(String(res.headers.location));
    return res;
  }
}

export async function signedIn(app: FastifyInstance, email: string, ip?: string) {
  const c = new Client(app, ip);
  const res = await c.login(email);
  if (res.statusCode !== 302) throw new Error(`login failed for ${email}: ${res.statusCode}`);
  return c;
}
