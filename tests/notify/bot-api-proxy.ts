// A thin Bot API proxy in front of our Bot API test server that enforces Telegram's limits the
// way Telegram does: it answers 429 with retry_after when a bot sends more than 30
// messages in any second, more than 1 per second to one chat, or more than 20 per minute
// to one group. It records every call, so tests and the bench can check what arrived when.
// With serviceTime it also takes as long to answer as Telegram does (the limits are checked on
// arrival, the answer comes after the service time).
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxyOptions {
  /** The emulator's apiURL, e.g. http://127.0.0.1:9001 */
  target: string;
  globalPerSecond?: number;
  perChatGapMs?: number;
  groupPerMinute?: number;
  /** retry_after (seconds) for 429s caused by broken limits. */
  retryAfterSec?: number;
  /** Answer 429 to these call numbers (1-based) regardless of limits, with this retry_after. */
  force429?: { calls: number[]; retryAfterSec: number };
  /** How long each call takes to answer; none: at once. */
  serviceTime?: ServiceTime;
}

/** Telegram-like answer times: meanMs ± jitterMs (uniform) per call, documentMs for sendDocument. */
export interface ServiceTime {
  meanMs: number;
  jitterMs: number;
  documentMs: number;
}

/** What a call costs Telegram as measured from Indonesia: 80 ± 40 ms, 300 ms to upload a document. */
export const TELEGRAM_SERVICE_TIME: ServiceTime = { meanMs: 80, jitterMs: 40, documentMs: 300 };

export function serviceTimeMs(t: ServiceTime, method: string): number {
  if (method === "sendDocument") return t.documentMs;
  return Math.max(0, t.meanMs + (Math.random() * 2 - 1) * t.jitterMs);
}

export interface ProxyCall {
  at: number;
  chatId: string;
  /** A short hash of the text, to count the same message arriving twice. */
  textHash: string;
  status: number;
  forced: boolean;
  /** Which limit a 429 enforced. */
  reason?: "global" | "chat" | "group" | "forced";
  method: string;
  /** The message id Telegram gave an accepted send (the Delivery row's externalId). */
  messageId?: number;
}

/** Highest count of accepted sends to one chat within any 1-second window. */
export function maxPerChatPerSecond(calls: readonly ProxyCall[]): number {
  const perChat = new Map<string, number[]>();
  for (const c of calls) if (c.status === 200) perChat.set(c.chatId, [...(perChat.get(c.chatId) ?? []), c.at]);
  let max = 0;
  for (const times of perChat.values()) {
    for (let i = 0, j = 0; j < times.length; j++) {
      while (times[j]! - times[i]! >= 1000) i++;
      max = Math.max(max, j - i + 1);
    }
  }
  return max;
}

export interface BotApiProxy {
  apiRoot: string;
  calls: ProxyCall[];
  /** 429s caused by broken limits (forced ones are not counted). */
  limitViolations(): number;
  /** Accepted sends per chat. */
  acceptedPerChat(): Map<string, number>;
  /** The highest number of accepted sends to one chat within any 1-second window. */
  maxPerChatPerSecond(): number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function parseSend(body: Buffer, contentType: string | undefined): { chatId: string; textHash: string } {
  let chatId = "";
  let text = "";
  try {
    if (contentType?.includes("application/json")) {
      const json = JSON.parse(body.toString("utf8")) as { chat_id?: unknown; text?: unknown };
      chatId = String(json.chat_id ?? "");
      text = String(json.text ?? "");
    } else if (contentType?.includes("multipart/form-data")) {
      // sendDocument and friends: the fields are parts of their own.
      const field = (name: string) => new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)\\r\\n`).exec(body.toString("latin1"))?.[1] ?? "";
      chatId = field("chat_id");
      text = Buffer.from(field("caption"), "latin1").toString("utf8");
    } else {
      const form = new URLSearchParams(body.toString("utf8"));
      chatId = form.get("chat_id") ?? "";
      text = form.get("text") ?? "";
    }
  } catch {
    // unreadable body: counted under an empty chat id
  }
  return { chatId, textHash: createHash("sha1").update(text).digest("hex").slice(0, 12) };
}

function messageIdOf(answer: Buffer): number | undefined {
  try {
    const id = (JSON.parse(answer.toString("utf8")) as { result?: { message_id?: unknown } }).result?.message_id;
    return typeof id === "number" ? id : undefined;
  } catch {
    return undefined;
  }
}

export async function startBotApiProxy(opts: ProxyOptions): Promise<BotApiProxy> {
  const globalPerSecond = opts.globalPerSecond ?? 30;
  const perChatGapMs = opts.perChatGapMs ?? 1000;
  const groupPerMinute = opts.groupPerMinute ?? 20;
  const retryAfterSec = opts.retryAfterSec ?? 1;
  const calls: ProxyCall[] = [];
  const accepted: number[] = []; // arrival times of accepted sends, for the global window
  const lastByChat = new Map<string, number>();
  const groupTimes = new Map<string, number[]>();
  const perChat = new Map<string, number>();
  let sendCalls = 0;

  function violates(chatId: string, now: number): ProxyCall["reason"] | null {
    while (accepted.length && accepted[0]! <= now - 1000) accepted.shift();
    if (accepted.length >= globalPerSecond) return "global";
    const last = lastByChat.get(chatId);
    if (last !== undefined && now - last < perChatGapMs) return "chat";
    if (chatId.startsWith("-")) {
      const times = (groupTimes.get(chatId) ?? []).filter((t) => t > now - 60_000);
      groupTimes.set(chatId, times);
      if (times.length >= groupPerMinute) return "group";
    }
    return null;
  }

  const server: Server = createServer(async (req, res) => {
    if (req.url === "/__calls") {
      // For a proxy running in another process: everything it recorded.
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify(calls));
    }
    const body = await readBody(req);
    const method = /\/(\w+)$/.exec(req.url ?? "")?.[1] ?? "";
    const isSend = /^send[A-Z]/.test(method);
    // The limits are checked on arrival; the answer waits for the service time.
    const serviced = opts.serviceTime ? new Promise((r) => setTimeout(r, serviceTimeMs(opts.serviceTime!, method))) : null;
    const reply429 = async (retryAfter: number) => {
      await serviced;
      res.writeHead(429, { "content-type": "application/json" });
      res.end(
        JSON.stringify({ ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfter}`, parameters: { retry_after: retryAfter } }),
      );
    };
    let call: ProxyCall | undefined;
    if (isSend) {
      const now = Date.now();
      const { chatId, textHash } = parseSend(body, req.headers["content-type"]);
      sendCalls++;
      if (opts.force429?.calls.includes(sendCalls)) {
        calls.push({ at: now, chatId, textHash, status: 429, forced: true, reason: "forced", method });
        return reply429(opts.force429.retryAfterSec);
      }
      const reason = violates(chatId, now);
      if (reason) {
        calls.push({ at: now, chatId, textHash, status: 429, forced: false, reason, method });
        return reply429(retryAfterSec);
      }
      accepted.push(now);
      lastByChat.set(chatId, now);
      if (chatId.startsWith("-")) groupTimes.get(chatId)?.push(now) ?? groupTimes.set(chatId, [now]);
      perChat.set(chatId, (perChat.get(chatId) ?? 0) + 1);
      call = { at: now, chatId, textHash, status: 200, forced: false, method };
      calls.push(call);
    }
    try {
      const upstream = await fetch(`${opts.target}${req.url}`, {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        body: req.method === "GET" || req.method === "HEAD" ? undefined : new Uint8Array(body),
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      if (call) call.messageId = messageIdOf(answer);
      await serviced;
      res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json" });
      res.end(answer);
    } catch {
      res.writeHead(502).end();
    }
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    calls,
    limitViolations: () => calls.filter((c) => c.status === 429 && !c.forced).length,
    acceptedPerChat: () => new Map(perChat),
    maxPerChatPerSecond: () => maxPerChatPerSecond(calls),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A free TCP port on 127.0.0.1 (for servers that need a fixed port, like the emulator). */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
