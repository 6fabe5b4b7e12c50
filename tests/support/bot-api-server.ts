// A Bot API server of our own, as strict as Telegram where Sibina's correctness depends on it:
// - getUpdates returns every unconfirmed update again until a call with a higher `offset`
//   confirms it, and long-polls up to `timeout` seconds when there is nothing;
// - a second getUpdates for a token while one is open gets 409 Conflict, and so does polling
//   while a webhook is set;
// - a webhook gets each update POSTed (with the secret-token header) until it answers 2xx;
// - 429 with parameters.retry_after when a test asks for it;
// - sends are checked (chat_id, text length, callback_data length) and recorded for assertions.
// People are simulated with `user(token, …)`: they send text, commands, button presses, files.
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface BotMessage {
  messageId: number;
  chatId: string;
  text: string;
  buttons: { text: string; data: string }[];
  document?: { fileName: string; size: number };
  method: string;
}

export interface ApiCall {
  /** The first path segment when the bot's API root has one (http://…/<caller>): who called. */
  caller?: string;
  token: string;
  method: string;
  body: Record<string, unknown>;
  status: number;
  at: number;
}

type Update = Record<string, unknown> & { update_id: number };

interface ApiError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

class ApiFailure extends Error {
  constructor(readonly error: ApiError) {
    super(error.description);
  }
}

interface Webhook {
  url: string;
  secret?: string;
  allowed?: string[];
}

interface BotState {
  nextUpdateId: number;
  /** Updates not yet confirmed (polling) or not yet answered 2xx (webhook), oldest first. */
  pending: Update[];
  /** Every update ever queued, by id (for redelivery). */
  all: Map<number, Update>;
  polling: boolean;
  webhook: Webhook | null;
  delivering: boolean;
  nextMessageId: number;
  waiters: Set<() => void>;
}

const SEND_METHODS = new Set(["sendMessage", "sendDocument", "sendPhoto"]);
const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

const readBody = (req: http.IncomingMessage) =>
  new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

/** Bot API parameters: query string, JSON, urlencoded or multipart (files become {fileName,size}). */
function parseFields(req: http.IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = req.headers["content-type"] ?? "";
  const url = new URL(req.url ?? "/", "http://x");
  const query: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (type.includes("application/json") && body.length) return { ...query, ...JSON.parse(body.toString("utf8")) };
  if (type.includes("application/x-www-form-urlencoded")) return { ...query, ...Object.fromEntries(new URLSearchParams(body.toString("utf8"))) };
  if (type.includes("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
    const sep = `--${boundary?.[1] ?? boundary?.[2]}`;
    const text = body.toString("latin1");
    const out: Record<string, unknown> = { ...query };
    for (const part of text.split(sep).slice(1, -1)) {
      const headerEnd = part.indexOf("\r\n\r\n");
      const headers = part.slice(0, headerEnd);
      const content = part.slice(headerEnd + 4, part.length - 2);
      const name = /name="([^"]+)"/.exec(headers)?.[1];
      const fileName = /filename="([^"]*)"/.exec(headers)?.[1];
      if (!name) continue;
      out[name] = fileName !== undefined ? { fileName, size: Buffer.byteLength(content, "latin1") } : Buffer.from(content, "latin1").toString("utf8");
    }
    return out;
  }
  return query;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const json = (value: unknown) => (typeof value === "string" ? JSON.parse(value) : value);

export interface BotApiServerOptions {
  /** Delay before a webhook delivery that failed is tried again (Telegram waits longer). */
  webhookRetryMs?: number;
  /** Upper bound for getUpdates' timeout, in seconds (Telegram allows 50). */
  maxPollSeconds?: number;
  /**
   * Milliseconds a call takes, like Telegram's answer time over the network (benchmarks): half
   * before the call is carried out (the request's way there), half before the answer comes back.
   */
  serviceMs?: (method: string) => number;
}

export class BotApiServer {
  readonly calls: ApiCall[] = [];
  /** Everything the bots sent, in order. */
  readonly sent: BotMessage[] = [];
  private readonly unread = new Map<string, BotMessage[]>();
  private readonly bots = new Map<string, BotState>();
  private readonly files = new Map<string, Buffer>();
  private readonly forced = new Map<string, ApiError[]>();
  private readonly sentWaiters = new Set<() => void>();
  /** Called with every message a bot sends (benchmarks wake the waiting person with it). */
  readonly listeners = new Set<(message: BotMessage, token: string) => void>();
  /** Webhook deliveries tried (url, update id, HTTP status or 0 for a network error). */
  readonly webhookAttempts: { updateId: number; status: number }[] = [];
  private closed = false;

  private constructor(
    private readonly http: http.Server,
    readonly apiRoot: string,
    private readonly opts: BotApiServerOptions,
  ) {}

  static async start(opts: BotApiServerOptions = {}): Promise<BotApiServer> {
    let self: BotApiServer | null = null;
    const server = http.createServer((req, res) => {
      self!.handle(req, res).catch((err) => {
        if (res.headersSent) return res.end();
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error_code: 500, description: String(err) }));
      });
    });
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    self = new BotApiServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, opts);
    return self;
  }

  async stop(): Promise<void> {
    this.closed = true;
    for (const bot of this.bots.values()) for (const w of [...bot.waiters]) w();
    this.http.closeAllConnections();
    await new Promise((r) => this.http.close(r));
  }

  private bot(token: string): BotState {
    let bot = this.bots.get(token);
    if (!bot) {
      bot = {
        nextUpdateId: 1,
        pending: [],
        all: new Map(),
        polling: false,
        webhook: null,
        delivering: false,
        nextMessageId: 1,
        waiters: new Set(),
      };
      this.bots.set(token, bot);
    }
    return bot;
  }

  // ------------------------------------------------------------------ test controls

  /** Makes the next `times` calls of `method` fail with this error (e.g. 429 with retry_after). */
  failNext(method: string, error: ApiError, times = 1): void {
    const list = this.forced.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push(error);
    this.forced.set(method, list);
  }

  /** 429 Too Many Requests for the next `times` calls of `method`. */
  tooManyRequests(method: string, retryAfterSec: number, times = 1): void {
    this.failNext(
      method,
      { error_code: 429, description: `Too Many Requests: retry after ${retryAfterSec}`, parameters: { retry_after: retryAfterSec } },
      times,
    );
  }

  /** Queues a raw update for the bot (fields besides update_id); returns its update_id. */
  inject(token: string, fields: Record<string, unknown>): number {
    const bot = this.bot(token);
    const update: Update = { ...fields, update_id: bot.nextUpdateId++ };
    bot.all.set(update.update_id, update);
    this.enqueue(bot, update);
    return update.update_id;
  }

  /** Queues an update that was delivered before once more, as Telegram does when its confirmation was lost. */
  redeliver(token: string, updateId: number): void {
    const bot = this.bot(token);
    const update = bot.all.get(updateId);
    if (!update) throw new Error(`update ${updateId} was never queued`);
    this.enqueue(bot, update);
  }

  /** Update ids queued so far for a bot, oldest first. */
  updateIds(token: string): number[] {
    return [...this.bot(token).all.keys()];
  }

  /** Updates the bot has not confirmed (polling) or acknowledged (webhook). */
  unconfirmed(token: string): number {
    return this.bot(token).pending.length;
  }

  /** Makes a file downloadable through getFile; returns its file_id. */
  putFile(bytes: Buffer): string {
    const id = `f_${randomBytes(6).toString("hex")}`;
    this.files.set(id, bytes);
    return id;
  }

  /** Bot messages to a chat not read yet (each is returned once). */
  botMessages(token: string, chatId: number | string): BotMessage[] {
    const key = `${token}:${chatId}`;
    const list = this.unread.get(key) ?? [];
    this.unread.delete(key);
    return list;
  }

  /** Resolves with the first message to `chatId` sent after now that matches. */
  nextBotMessage(chatId: number | string, match: (m: BotMessage) => boolean = () => true, timeoutMs = 30_000): Promise<BotMessage> {
    const from = this.sent.length;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.sent.slice(from).find((m) => m.chatId === String(chatId) && match(m));
        if (!found) return;
        clearTimeout(timer);
        this.sentWaiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        this.sentWaiters.delete(check);
        reject(new Error(`no bot message to chat ${chatId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.sentWaiters.add(check);
    });
  }

  /** Calls of one method (optionally of one token). */
  count(method: string, token?: string): number {
    return this.calls.filter((c) => c.method === method && (token === undefined || c.token === token)).length;
  }

  /** A person chatting with the bot. */
  user(token: string, opts: { chatId: number; firstName?: string; type?: "private" | "group" | "supergroup"; languageCode?: string }) {
    return new BotApiUser(this, token, opts.chatId, opts.firstName ?? "Siti", opts.type ?? "private", opts.languageCode);
  }

  // ------------------------------------------------------------------ the Bot API

  private enqueue(bot: BotState, update: Update) {
    bot.pending.push(update);
    for (const w of [...bot.waiters]) w();
    if (bot.webhook) void this.deliver(bot);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const body = await readBody(req);
    const file = /^(?:\/[\w-]+)?\/file\/bot([^/]+)\/documents\/(.+)$/.exec(url.pathname);
    if (file) {
      const bytes = this.files.get(file[2]!);
      res.writeHead(bytes ? 200 : 404, { "content-type": "application/octet-stream" });
      return void res.end(bytes ?? "Not Found");
    }
    // An API root may carry a path (http://host/<caller>), so tests can tell instances apart.
    const m = /^(?:\/([\w-]+))?\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    const caller = m?.[1];
    const token = m?.[2] ?? "";
    const method = m?.[3] ?? "";
    let fields: Record<string, unknown> = {};
    const reply = (status: number, payload: object) => {
      this.calls.push({ caller, token, method, body: fields, status, at: Date.now() });
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    try {
      if (!m) throw new ApiFailure({ error_code: 404, description: "Not Found" });
      if (!/^\d+:[\w-]+$/.test(token)) throw new ApiFailure({ error_code: 401, description: "Unauthorized" });
      fields = parseFields(req, body);
      const forced = this.forced.get(method)?.shift();
      if (forced) throw new ApiFailure(forced);
      const leg = (this.opts.serviceMs?.(method) ?? 0) / 2;
      if (leg) await sleep(leg);
      const result = await this.call(token, method, fields, res);
      if (leg) await sleep(leg);
      reply(200, { ok: true, result });
    } catch (err) {
      if (!(err instanceof ApiFailure)) throw err;
      reply(err.error.error_code, { ok: false, ...err.error });
    }
  }

  private async call(token: string, method: string, f: Record<string, unknown>, res: http.ServerResponse): Promise<unknown> {
    const bot = this.bot(token);
    const botId = Number(token.split(":")[0]);
    switch (method) {
      case "getMe":
        return { id: botId, is_bot: true, first_name: "Sibina", username: `sibina_${botId}_bot`, can_join_groups: false };
      case "getUpdates":
        return this.getUpdates(bot, f, res);
      case "setWebhook": {
        const url = String(f.url ?? "");
        if (url && !/^https?:\/\//.test(url)) throw new ApiFailure({ error_code: 400, description: "Bad Request: bad webhook: invalid URL" });
        bot.webhook = url ? { url, secret: f.secret_token as string | undefined, allowed: json(f.allowed_updates) as string[] | undefined } : null;
        if (bot.webhook) void this.deliver(bot);
        return true;
      }
      case "deleteWebhook":
        bot.webhook = null;
        if (f.drop_pending_updates === true || f.drop_pending_updates === "true") bot.pending = [];
        return true;
      case "getWebhookInfo":
        return { url: bot.webhook?.url ?? "", has_custom_certificate: false, pending_update_count: bot.pending.length };
      case "getFile": {
        const id = String(f.file_id ?? "");
        const bytes = this.files.get(id);
        if (!bytes) throw new ApiFailure({ error_code: 400, description: "Bad Request: invalid file_id" });
        return { file_id: id, file_unique_id: id, file_size: bytes.length, file_path: `documents/${id}` };
      }
      case "answerCallbackQuery":
        if (!f.callback_query_id)
          throw new ApiFailure({ error_code: 400, description: "Bad Request: query is too old and response timeout expired or query ID is invalid" });
        return true;
      case "sendChatAction":
      case "setMyCommands":
        return true;
      default:
        if (SEND_METHODS.has(method)) return this.send(token, bot, method, f);
        throw new ApiFailure({ error_code: 404, description: "Not Found: method not found" });
    }
  }

  private send(token: string, bot: BotState, method: string, f: Record<string, unknown>) {
    const chatId = f.chat_id === undefined || f.chat_id === "" ? null : String(f.chat_id);
    if (!chatId) throw new ApiFailure({ error_code: 400, description: "Bad Request: chat_id is empty" });
    const isText = method === "sendMessage";
    const text = String((isText ? f.text : f.caption) ?? "");
    if (isText && !text.trim()) throw new ApiFailure({ error_code: 400, description: "Bad Request: message text is empty" });
    if (text.length > (isText ? TEXT_LIMIT : CAPTION_LIMIT)) throw new ApiFailure({ error_code: 400, description: "Bad Request: message is too long" });
    const markup = json(f.reply_markup) as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
    const buttons = (markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: String(b.callback_data ?? "") }));
    for (const b of buttons)
      if (!b.data || Buffer.byteLength(b.data) > 64) throw new ApiFailure({ error_code: 400, description: "Bad Request: BUTTON_DATA_INVALID" });
    const doc = method === "sendDocument" ? (f.document as { fileName: string; size: number } | string | undefined) : undefined;
    if (method === "sendDocument" && !doc) throw new ApiFailure({ error_code: 400, description: "Bad Request: there is no document in the request" });
    const message: BotMessage = {
      messageId: bot.nextMessageId++,
      chatId,
      text,
      buttons,
      document: typeof doc === "object" ? doc : undefined,
      method,
    };
    this.sent.push(message);
    const key = `${token}:${chatId}`;
    this.unread.set(key, [...(this.unread.get(key) ?? []), message]);
    for (const w of [...this.sentWaiters]) w();
    for (const l of this.listeners) l(message, token);
    const botId = Number(token.split(":")[0]);
    return {
      message_id: message.messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: Number(chatId), type: chatId.startsWith("-") ? "group" : "private" },
      from: { id: botId, is_bot: true, first_name: "Sibina" },
      ...(isText ? { text } : { caption: text }),
      ...(message.document
        ? { document: { file_id: `doc${message.messageId}`, file_unique_id: `doc${message.messageId}`, file_name: message.document.fileName } }
        : {}),
    };
  }

  private async getUpdates(bot: BotState, f: Record<string, unknown>, res: http.ServerResponse): Promise<Update[]> {
    if (bot.webhook)
      throw new ApiFailure({
        error_code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      });
    if (bot.polling)
      throw new ApiFailure({
        error_code: 409,
        description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      });
    const offset = Number(f.offset ?? 0);
    const limit = Math.min(Math.max(Number(f.limit ?? 100), 1), 100);
    const timeoutMs = Math.min(Number(f.timeout ?? 0), this.opts.maxPollSeconds ?? 50) * 1000;
    const allowed = json(f.allowed_updates) as string[] | undefined;
    // A positive offset confirms every update below it: they are never returned again.
    if (offset > 0) bot.pending = bot.pending.filter((u) => u.update_id >= offset);
    const take = () =>
      bot.pending
        .filter((u) => !allowed?.length || Object.keys(u).some((k) => k !== "update_id" && allowed.includes(k)))
        .slice(0, limit)
        .map((u) => structuredClone(u));
    let updates = take();
    if (updates.length || !timeoutMs) return updates;
    bot.polling = true;
    try {
      const deadline = Date.now() + timeoutMs;
      while (!updates.length && Date.now() < deadline && !res.destroyed && !this.closed && !bot.webhook) {
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            bot.waiters.delete(done);
            res.off("close", done);
            resolve();
          };
          const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
          bot.waiters.add(done);
          res.on("close", done);
        });
        updates = take();
      }
      return updates;
    } finally {
      bot.polling = false;
    }
  }

  /** Posts pending updates to the webhook one at a time, each until it answers 2xx. */
  private async deliver(bot: BotState): Promise<void> {
    if (bot.delivering) return;
    bot.delivering = true;
    try {
      while (bot.webhook && bot.pending.length && !this.closed) {
        const hook = bot.webhook;
        const update = bot.pending[0]!;
        let status = 0;
        try {
          const res = await fetch(hook.url, {
            method: "POST",
            headers: { "content-type": "application/json", ...(hook.secret ? { "x-telegram-bot-api-secret-token": hook.secret } : {}) },
            body: JSON.stringify(update),
            signal: AbortSignal.timeout(60_000),
          });
          status = res.status;
          await res.arrayBuffer().catch(() => {});
        } catch {
          status = 0;
        }
        this.webhookAttempts.push({ updateId: update.update_id, status });
        if (status >= 200 && status < 300) {
          if (bot.pending[0] === update) bot.pending.shift();
        } else await new Promise((r) => setTimeout(r, this.opts.webhookRetryMs ?? 200));
      }
    } finally {
      bot.delivering = false;
    }
  }
}

/** One person in a chat with the bot. Each action queues an update and returns its update_id. */
export class BotApiUser {
  private nextMessageId = 1;

  constructor(
    readonly server: BotApiServer,
    readonly token: string,
    readonly chatId: number,
    readonly firstName: string,
    readonly type: "private" | "group" | "supergroup",
    readonly languageCode?: string,
  ) {}

  private who() {
    const from = { id: Math.abs(this.chatId), is_bot: false, first_name: this.firstName, ...(this.languageCode ? { language_code: this.languageCode } : {}) };
    const chat =
      this.type === "private" ? { id: this.chatId, type: "private", first_name: this.firstName } : { id: this.chatId, type: this.type, title: this.firstName };
    return { from, chat };
  }

  /** A message with any fields (text, document, photo, sticker…). */
  message(fields: Record<string, unknown>): number {
    const { from, chat } = this.who();
    return this.server.inject(this.token, {
      message: { message_id: this.nextMessageId++, date: Math.floor(Date.now() / 1000), from, chat, ...fields },
    });
  }

  text(text: string): number {
    const command = /^\/\w+/.exec(text);
    return this.message({ text, ...(command ? { entities: [{ type: "bot_command", offset: 0, length: command[0].length }] } : {}) });
  }

  /** Presses an inline button (its callback_data). */
  press(data: string): number {
    const { from, chat } = this.who();
    return this.server.inject(this.token, {
      callback_query: {
        id: randomBytes(8).toString("hex"),
        from,
        chat_instance: String(this.chatId),
        data,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat,
          from: { id: Number(this.token.split(":")[0]), is_bot: true, first_name: "Sibina" },
          text: "…",
        },
      },
    });
  }

  document(bytes: Buffer, fileName: string, mime: string, caption?: string): number {
    const fileId = this.server.putFile(bytes);
    return this.message({
      document: { file_id: fileId, file_unique_id: fileId, file_name: fileName, mime_type: mime, file_size: bytes.length },
      ...(caption ? { caption } : {}),
    });
  }

  photo(bytes: Buffer): number {
    const fileId = this.server.putFile(bytes);
    return this.message({ photo: [{ file_id: fileId, file_unique_id: fileId, width: 800, height: 600, file_size: bytes.length }] });
  }

  edited(text: string): number {
    const { from, chat } = this.who();
    return this.server.inject(this.token, {
      edited_message: { message_id: 1, date: 1, edit_date: Math.floor(Date.now() / 1000), text, chat, from },
    });
  }
}
