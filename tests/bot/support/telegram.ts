// telegram-test-api (a Bot API emulator) behind a thin HTTP proxy that adds what the emulator
// lacks: real long polling (so Telegraf does not spin), getFile and file downloads, sendDocument,
// and a way to deliver an update twice or inject update shapes the emulator cannot make
// (edited messages, stickers from groups...). Telegraf talks to the proxy over HTTP exactly as
// it talks to api.telegram.org; people are simulated with the emulator's own client.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import TelegramServerModule from "telegram-test-api";
import type { TelegramServer as TelegramServerClass } from "telegram-test-api/lib/telegramServer.js";

// The package is CommonJS with a default export (the class).
const TelegramServer = ((TelegramServerModule as unknown as { default?: unknown }).default ?? TelegramServerModule) as unknown as typeof TelegramServerClass;
type Server = TelegramServerClass;
type Client = ReturnType<Server["getClient"]>;

export interface BotMessage {
  chatId: string;
  text: string;
  buttons: { text: string; data: string }[];
  document?: { fileName: string; size: number };
}

export interface ApiCall {
  method: string;
  body: Record<string, unknown>;
}

/** Bot API calls the proxy answers itself or that tests inspect (see `calls`). */
const RECORDED = new Set([
  "getUpdates",
  "getFile",
  "sendDocument",
  "sendChatAction",
  "setMyCommands",
  "setWebhook",
  "deleteWebhook",
  "answerCallbackQuery",
  "getMe",
]);

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

const readBody = (req: http.IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

function parseFields(req: http.IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = req.headers["content-type"] ?? "";
  const url = new URL(req.url ?? "/", "http://x");
  const query = Object.fromEntries(url.searchParams);
  if (type.includes("application/json") && body.length) return { ...query, ...JSON.parse(body.toString("utf8")) };
  if (type.includes("application/x-www-form-urlencoded")) return { ...query, ...Object.fromEntries(new URLSearchParams(body.toString("utf8"))) };
  if (type.includes("multipart/form-data")) {
    const text = body.toString("latin1");
    const out: Record<string, unknown> = { ...query };
    for (const m of text.matchAll(/name="([^"]+)"(?:; filename="([^"]*)")?[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/g)) {
      if (m[2] !== undefined) out[m[1]!] = { fileName: m[2], size: Buffer.byteLength(m[3]!, "latin1") };
      else out[m[1]!] = Buffer.from(m[3]!, "latin1").toString("utf8");
    }
    return out;
  }
  return query;
}

export class TelegramEmulator {
  readonly calls: ApiCall[] = [];
  private readonly files = new Map<string, Buffer>();
  private readonly delivered = new Map<number, Record<string, unknown>>();
  private injected: Record<string, unknown>[] = [];
  private nextInjectedId = 1_000_000;
  private readonly waiting = new Set<() => void>();
  /** Bumped on every new user update, so a poll never misses one that arrived mid-check. */
  private generation = 0;

  private constructor(
    readonly server: Server,
    private readonly proxy: http.Server,
    readonly apiRoot: string,
  ) {
    const wake = () => {
      this.generation++;
      for (const w of [...this.waiting]) w();
    };
    server.on("AddedUserMessage", wake);
    server.on("AddedUserCommand", wake);
    server.on("AddedUserCallbackQuery", wake);
  }

  static async start(): Promise<TelegramEmulator> {
    const server = new TelegramServer({ port: await freePort(), host: "127.0.0.1", storeTimeout: 600 });
    await server.start();
    let self: TelegramEmulator | null = null;
    const proxy = http.createServer((req, res) => {
      self!.handle(req, res).catch((err) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error_code: 500, description: String(err) }));
      });
    });
    proxy.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    self = new TelegramEmulator(server, proxy, `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`);
    return self;
  }

  async stop(): Promise<void> {
    for (const w of [...this.waiting]) w();
    this.proxy.closeAllConnections();
    await new Promise((r) => this.proxy.close(r));
    await this.server.stop();
  }

  /** A person chatting with the bot (the emulator's client). */
  client(token: string, opts: { chatId: number; firstName?: string; type?: "private" | "group" | "supergroup" }): Client {
    return this.server.getClient(token, {
      chatId: opts.chatId,
      userId: opts.chatId,
      firstName: opts.firstName ?? "Siti",
      type: opts.type ?? "private",
      interval: 10,
      timeout: 5000,
    });
  }

  /** Makes a file downloadable through getFile; returns its file_id. */
  putFile(bytes: Buffer): string {
    const id = `f_${randomBytes(6).toString("hex")}`;
    this.files.set(id, bytes);
    return id;
  }

  /** Delivers an update the bot already received once more (as Telegram does after a timeout). */
  redeliver(updateId: number): void {
    const update = this.delivered.get(updateId);
    if (!update) throw new Error(`update ${updateId} was never delivered`);
    this.injected.push(update);
    this.generation++;
    for (const w of [...this.waiting]) w();
  }

  /** Delivers a raw update the emulator cannot produce (edited message, group sticker...). */
  inject(update: Record<string, unknown>): number {
    const id = this.nextInjectedId++;
    this.injected.push({ update_id: id, ...update });
    this.generation++;
    for (const w of [...this.waiting]) w();
    return id;
  }

  /** Update ids delivered to the bot so far, in order. */
  deliveredIds(): number[] {
    return [...this.delivered.keys()];
  }

  /** Bot messages for a chat not read yet (each is returned once). */
  async botMessages(token: string, chatId: number): Promise<BotMessage[]> {
    const res = await fetch(`${this.server.config.apiURL}/getUpdates`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, chatId }),
    });
    const data = (await res.json()) as { result: { message: Record<string, unknown> }[] };
    return data.result.map(({ message }) => {
      const markup = message.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined;
      return {
        chatId: String(message.chat_id),
        text: String(message.text ?? message.caption ?? ""),
        buttons: (markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: b.callback_data })),
        document: message.document as BotMessage["document"],
      };
    });
  }

  /** Requests the proxy received, by Bot API method (for measurements). */
  readonly requests = new Map<string, number>();

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const methodName = url.pathname.split("/").pop() ?? "";
    this.requests.set(methodName, (this.requests.get(methodName) ?? 0) + 1);
    const body = await readBody(req);
    const send = (status: number, payload: unknown, type = "application/json") => {
      res.writeHead(status, { "content-type": type });
      res.end(type === "application/json" ? JSON.stringify(payload) : (payload as Buffer));
    };
    const file = /^\/file\/bot([^/]+)\/documents\/(.+)$/.exec(url.pathname);
    if (file) {
      const bytes = this.files.get(file[2]!);
      return bytes ? send(200, bytes, "application/octet-stream") : send(404, { ok: false, error_code: 404, description: "Not Found" });
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (!m) return this.forward(req, res, body);
    const [, token, method] = m as unknown as [string, string, string];
    // Plain sends go straight through (the emulator handles them); only calls tests look at are read.
    if (!RECORDED.has(method)) return this.forward(req, res, body);
    const fields = parseFields(req, body);
    this.calls.push({ method, body: fields });
    switch (method) {
      case "getUpdates":
        return send(200, { ok: true, result: await this.getUpdates(token, fields, req) });
      case "getFile": {
        const id = String(fields.file_id);
        const bytes = this.files.get(id);
        if (!bytes) return send(400, { ok: false, error_code: 400, description: "Bad Request: invalid file_id" });
        return send(200, { ok: true, result: { file_id: id, file_unique_id: id, file_size: bytes.length, file_path: `documents/${id}` } });
      }
      case "sendDocument": {
        const doc = fields.document as { fileName: string; size: number } | undefined;
        const markup = typeof fields.reply_markup === "string" ? JSON.parse(fields.reply_markup) : fields.reply_markup;
        const message = this.server.addBotMessage(
          { chat_id: String(fields.chat_id), text: String(fields.caption ?? ""), reply_markup: markup, document: doc } as never,
          token,
        );
        return send(200, { ok: true, result: { ...message, document: { file_id: "doc", file_unique_id: "doc", file_name: doc?.fileName } } });
      }
      case "sendChatAction":
      case "setMyCommands":
        return send(200, { ok: true, result: true });
      default:
        return this.forward(req, res, body);
    }
  }

  private async getUpdates(token: string, fields: Record<string, unknown>, req: http.IncomingMessage) {
    const timeoutMs = Math.min(Number(fields.timeout ?? 0), 25) * 1000;
    // Telegraf's offset sync on stop (limit=1, no timeout) must not consume anything.
    if (!timeoutMs && Number(fields.limit) === 1) return [];
    const take = async () => {
      const res = await fetch(`${this.server.config.apiURL}/bot${token}/getUpdates`, { method: "POST" });
      const fromEmulator = ((await res.json()) as { result: Record<string, unknown>[] }).result;
      const extra = this.injected;
      this.injected = [];
      const all = [...fromEmulator, ...extra];
      for (const u of all) if (!this.delivered.has(u.update_id as number)) this.delivered.set(u.update_id as number, u);
      return all;
    };
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = this.generation;
      const updates = await take();
      if (updates.length || Date.now() >= deadline || req.destroyed) return updates;
      if (this.generation !== seen) continue;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiting.delete(done);
          req.off("close", done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.waiting.add(done);
        req.on("close", done);
      });
    }
  }

  private forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const target = new URL(req.url ?? "/", this.server.config.apiURL);
      const out = http.request(
        target,
        { method: req.method, headers: { "content-type": req.headers["content-type"] ?? "application/json", "content-length": body.length } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, { "content-type": up.headers["content-type"] ?? "application/json" });
          up.pipe(res);
          up.on("end", resolve);
        },
      );
      out.on("error", reject);
      out.end(body);
    });
  }
}
