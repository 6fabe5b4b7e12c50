// A browser-like client over real TCP sockets, bound to its own loopback address
// (127.0.0.2, 127.0.0.3, ...), so the server sees distinct clients exactly as it would on a
// network: per-client throttles and the audit log's addresses are exercised honestly.
import http from "node:http";
import { DEMO_PASSWORD } from "../../prisma/seed-data.js";
import { csrfOf, urlencoded } from "./helpers.js";

export interface NetResponse {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Form = Record<string, string | string[]>;

/** Every loopback address is this machine (127.0.0.0/8); each test picks its own. */
export const loopback = (n: number) => `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;

export class NetClient {
  cookies = new Map<string, string>();
  csrf: string | null = null;

  constructor(
    readonly port: number,
    readonly localAddress: string,
    /** Sent with every request (e.g. a Host header naming an intranet address). */
    readonly headers: Record<string, string> = {},
  ) {}

  private keep(res: NetResponse) {
    const set = res.headers["set-cookie"] ?? [];
    for (const line of set) {
      const [pair = "", ...attrs] = line.split(";").map((s) => s.trim());
      const name = pair.slice(0, pair.indexOf("="));
      const value = pair.slice(pair.indexOf("=") + 1);
      const expired = attrs.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) < Date.now()));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    if (String(res.headers["content-type"] ?? "").includes("text/html")) this.csrf = csrfOf(res.body) ?? this.csrf;
    return res;
  }

  request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<NetResponse> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: "127.0.0.1",
          port: this.port,
          localAddress: this.localAddress,
          method,
          path,
          // A fresh connection per request, always from this client's own address.
          agent: false,
          headers: { ...(cookie ? { cookie } : {}), ...this.headers, ...headers, ...(body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve(this.keep({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") })));
          res.on("error", reject);
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.request("GET", path, undefined, headers);
  }

  /** Posts a urlencoded form with the last CSRF token seen (unless the form says otherwise). */
  post(path: string, form: Form = {}, opts: { csrf?: string | null; headers?: Record<string, string> } = {}) {
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    const body = urlencoded(token === null ? form : { _csrf: token, ...form });
    return this.request("POST", path, body, { "content-type": "application/x-www-form-urlencoded", ...opts.headers });
  }

  /** The login form: GET for a token, then POST; follows the redirect when signed in without TOTP. */
  async login(email: string, password = DEMO_PASSWORD, headers: Record<string, string> = {}) {
    await this.get("/login", headers);
    const res = await this.post("/login", { email, password }, { headers });
    if (res.statusCode === 302 && res.headers.location !== "/login/totp") await this.get(String(res.headers.location), headers);
    return res;
  }
}
