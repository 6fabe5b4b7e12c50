// The WhatsApp channel: holds the office number's one live socket (while this instance holds
// the Redis lease), keeps it connected, and passes each private message through the same
// conversation engine as Telegram, replying to the chat it came from.
import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { AuthenticationCreds, ConnectionState, WAMessage } from "@whiskeysockets/baileys";
import type { Redis } from "ioredis";
import qrcode from "qrcode";
import { t } from "../../../core/messages/index.js";
import { type ChannelState, type ChannelStatus, writeChannelStatus } from "../../../core/runtime/channel-status.js";
import type { AppContext } from "../../../core/runtime/context.js";
import { RedisLease, whatsappLeaseKey } from "../../../core/runtime/lease.js";
import type { Logger } from "../../../core/runtime/logger.js";
import type { ConversationEngine, OutboundMessage } from "../types.js";
import { alertAdminsLoggedOut } from "./alerts.js";
import { clearAuthState, serialise, usePostgresAuthState } from "./auth-state.js";
import { type BackoffPolicy, closeCode, closeReason, DEFAULT_BACKOFF, onClose } from "./backoff.js";
import { normaliseMessage } from "./inbound.js";
import { sendOutbound } from "./outbound.js";
import { answerPairing, type PairingResult, pairingChannel, parsePairingRequest } from "./pairing.js";
import { baileysDownloader, baileysSocketFactory, type MediaDownloader, type SocketFactory, type WaSocket } from "./socket.js";

/** Runs fn after ms; returns a cancel. Injectable so tests drive reconnects without sleeping. */
export type Schedule = (fn: () => void, ms: number) => () => void;

const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref?.();
  return () => clearTimeout(timer);
};

/** Waits for work, but no longer than ms (never rejects). */
async function within(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => {}), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

export interface WhatsAppOptions {
  engine: ConversationEngine;
  socketFactory?: SocketFactory;
  download?: MediaDownloader;
  /** Lease lifetime; a standby takes over at most ttl + renew after the holder dies. */
  leaseTtlMs?: number;
  /** How often the holder renews and a standby tries to take over. */
  leaseRenewMs?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  schedule?: Schedule;
  /** Shows a QR in the terminal; defaults to printing it on stdout. */
  printQr?: (qr: string) => void | Promise<void>;
  /** Terminal lines (pairing code, connected, logged out). */
  say?: (line: string) => void;
  instanceId?: string;
  /** Redis connection for the lease and status (default ctx.redis). */
  redis?: Redis;
}

export class WhatsAppNotConnectedError extends Error {
  constructor() {
    super("WhatsApp is not connected on this instance");
    this.name = "WhatsAppNotConnectedError";
  }
}

async function terminalQr(qr: string) {
  const art = await qrcode.toString(qr, { type: "terminal", small: true });
  process.stdout.write(`\n${t("en", "whatsapp.terminal.qr")}\n${art}\n`);
}

export class WhatsAppChannel {
  readonly instanceId: string;
  private readonly redis: Redis;
  private readonly lease: RedisLease;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private readonly factory: SocketFactory;
  private readonly download: MediaDownloader;
  private readonly schedule: Schedule;
  private readonly log: Logger;
  private readonly baileysLog: Logger;

  private sock?: WaSocket;
  private open = false;
  private holding = false;
  private stopped = false;
  private started = false;
  private attempt = 0;
  private creds?: AuthenticationCreds;
  private qr?: string;
  private pairingCode?: string;
  /** Kept on every status until the next successful open, so the admin page says why pairing is needed. */
  private pairingReason?: string;
  private cancelReconnect?: () => void;
  private renewTimer?: NodeJS.Timeout;
  private expiryGuard?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private subscriber?: Redis;
  private readonly chains = new Map<string, Promise<void>>();
  private localState: ChannelState = "off";

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: WhatsAppOptions,
  ) {
    this.instanceId = opts.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.redis = opts.redis ?? ctx.redis;
    this.ttlMs = opts.leaseTtlMs ?? 10_000;
    this.renewMs = opts.leaseRenewMs ?? 3_000;
    this.lease = new RedisLease(this.redis, whatsappLeaseKey(ctx.redisPrefix), this.instanceId, this.ttlMs);
    this.factory = opts.socketFactory ?? baileysSocketFactory;
    this.log = ctx.log.child({ channel: "whatsapp" });
    // Baileys is chatty and logs JIDs; keep it to warnings unless we are debugging ourselves.
    this.baileysLog = ctx.log.child({ module: "baileys" }, { level: ctx.log.levelVal > 40 ? ctx.log.level : "warn" });
    this.download = opts.download ?? baileysDownloader(ctx.config.MAX_UPLOAD_MB * 1024 * 1024, this.baileysLog);
    this.schedule = opts.schedule ?? realSchedule;
  }

  /** Local view: "standby" while another instance holds the number. */
  get state(): ChannelState {
    return this.localState;
  }

  /** The live socket, only while connected (for WhatsAppSender). */
  connectedSocket(): WaSocket | undefined {
    return this.open ? this.sock : undefined;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.subscriber = this.redis.duplicate();
    this.subscriber.on("error", (err) => this.log.warn({ err: err.message }, "pairing subscriber error"));
    this.subscriber.on("message", (_channel: string, raw: string) => void this.onPairingRequest(raw));
    await this.subscriber.subscribe(pairingChannel(this.ctx.redisPrefix));
    await this.tick();
    this.renewTimer = setInterval(() => void this.tick(), this.renewMs);
    this.renewTimer.unref?.();
  }

  /** Finishes messages in hand, closes the socket and hands the lease over at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.renewTimer);
    clearTimeout(this.expiryGuard);
    this.cancelReconnect?.();
    // Bounded waits: a Redis outage or a stuck message must not keep the process from exiting.
    await within(2_000, this.ticking);
    await within(2_000, this.subscriber?.quit());
    this.subscriber?.disconnect();
    await within(5_000, this.whenIdle());
    const sock = this.sock;
    const wasHolding = this.holding;
    this.sock = undefined;
    this.open = false;
    this.holding = false;
    if (sock) await this.endSocket(sock);
    if (wasHolding) {
      await this.writeStatus({ state: "closed", reason: "stopped" }).catch(() => {});
      await this.lease.release().catch(() => {});
    }
    this.localState = "off";
  }

  /** Resolves when every message received so far has been answered (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  /** Pairing by code on this instance (see requestPairing in pairing.ts for any instance). */
  async requestPairingCode(phoneE164: string): Promise<PairingResult> {
    const sock = this.sock;
    if (!this.holding || !sock) return { ok: false, reason: "not_running" };
    // Linked already (open, or reconnecting with stored credentials): a new code would not help.
    if (this.open || this.creds?.account) return { ok: false, reason: "already_linked" };
    try {
      const code = await sock.requestPairingCode(phoneE164.replace(/\D/g, ""));
      if (sock !== this.sock) return { ok: false, reason: "failed" };
      this.pairingCode = code;
      await this.writeStatus({ state: "pairing", pairingCode: code, qr: this.qr });
      this.say(t("en", "whatsapp.terminal.pairingCode", { code }));
      return { ok: true, code };
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "pairing code request failed");
      return { ok: false, reason: "failed" };
    }
  }

  // ---- lease ----------------------------------------------------------------------------

  private tick(): Promise<void> {
    this.ticking ??= this.renewOrTakeOver().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async renewOrTakeOver() {
    if (this.stopped) return;
    let held: boolean;
    const asked = Date.now();
    try {
      held = await this.lease.acquire();
    } catch (err) {
      // Redis unreachable: the expiry guard drops the socket before anyone else could take over.
      this.log.warn({ err: (err as Error).message }, "lease renewal failed");
      return;
    }
    if (this.stopped) {
      if (held) await this.lease.release().catch(() => {});
      return;
    }
    if (held) {
      this.armExpiryGuard(asked);
      if (!this.holding) {
        this.holding = true;
        this.log.info({ instance: this.instanceId }, "holding the WhatsApp lease");
        await this.connect();
      }
    } else if (this.holding) {
      await this.standDown("lease_lost");
    } else {
      // Local only: the shared status belongs to the holder and a standby never overwrites it.
      this.localState = "standby";
    }
  }

  /**
   * If renewals stop succeeding, let go before the lease can expire and a standby connects.
   * Counted from when the renewal was sent, since a slow answer does not extend the lease.
   */
  private armExpiryGuard(renewedAt: number) {
    clearTimeout(this.expiryGuard);
    const margin = Math.min(1_000, Math.floor(this.renewMs / 2));
    const left = renewedAt + this.ttlMs - margin - Date.now();
    this.expiryGuard = setTimeout(() => void this.standDown("lease_expired"), Math.max(1, left));
    this.expiryGuard.unref?.();
  }

  private async standDown(reason: string) {
    if (!this.holding) return;
    this.log.warn({ reason }, "giving up the WhatsApp connection");
    this.holding = false;
    this.open = false;
    clearTimeout(this.expiryGuard);
    this.cancelReconnect?.();
    const sock = this.sock;
    this.sock = undefined;
    if (sock) await this.endSocket(sock);
    this.localState = "standby";
  }

  // ---- connection -----------------------------------------------------------------------

  private async connect() {
    if (!this.holding || this.stopped || this.sock) return;
    this.cancelReconnect?.();
    this.cancelReconnect = undefined;
    let sock: WaSocket;
    try {
      const auth = await usePostgresAuthState(this.ctx.db);
      // The lease may have gone (or stop() come) while the credentials loaded.
      if (!this.holding || this.stopped || this.sock) return;
      this.creds = auth.state.creds;
      sock = this.factory({ auth: auth.state, logger: this.baileysLog });
      this.sock = sock;
      this.open = false;
      sock.ev.on("creds.update", () => {
        auth.saveCreds().catch((err) => this.log.error({ err: (err as Error).message }, "saving WhatsApp credentials failed"));
      });
      sock.ev.on("connection.update", (update) => {
        this.onConnectionUpdate(sock, update).catch((err) => this.log.error({ err: (err as Error).message }, "connection update failed"));
      });
      sock.ev.on("messages.upsert", ({ messages, type }) => {
        if (sock !== this.sock || type !== "notify") return;
        for (const msg of messages) this.enqueue(msg.key?.remoteJid ?? "", () => this.handleMessage(sock, msg));
      });
    } catch (err) {
      this.log.error({ err: (err as Error).message }, "could not create the WhatsApp socket");
      this.sock = undefined;
      this.retryLater(undefined);
      return;
    }
    await this.writeStatus({ state: "connecting" });
  }

  private async onConnectionUpdate(sock: WaSocket, update: Partial<ConnectionState>) {
    if (sock !== this.sock) return;
    if (update.qr) {
      this.qr = update.qr;
      await this.writeStatus(this.pairingCode ? { state: "pairing", qr: update.qr, pairingCode: this.pairingCode } : { state: "qr", qr: update.qr });
      await (this.opts.printQr ?? terminalQr)(update.qr);
    }
    if (update.connection === "open") {
      this.open = true;
      this.attempt = 0;
      this.qr = undefined;
      this.pairingCode = undefined;
      this.pairingReason = undefined;
      await this.writeStatus({ state: "open" });
      this.say(t("en", "whatsapp.terminal.open"));
    }
    if (update.connection === "close") {
      this.sock = undefined;
      this.open = false;
      this.qr = undefined;
      this.pairingCode = undefined;
      sock.ev.removeAllListeners("messages.upsert");
      if (this.stopped || !this.holding) return;
      const code = closeCode(update.lastDisconnect?.error);
      const action = onClose(code, this.attempt, this.opts.backoff ?? DEFAULT_BACKOFF, this.opts.random);
      this.log.info({ reason: closeReason(code), attempt: this.attempt }, "WhatsApp connection closed");
      if (action.kind === "logout") return this.onLoggedOut();
      if (action.countsAsAttempt) this.attempt += 1;
      await this.writeStatus({ state: "closed", reason: closeReason(code) });
      this.cancelReconnect = this.schedule(() => void this.connect(), action.delayMs);
    }
  }

  /** The phone removed this linked device: forget it, say so, alert admins, offer a new QR. */
  private async onLoggedOut() {
    const tag = this.creds ? createHash("sha256").update(serialise(this.creds.signedIdentityKey.public)).digest("hex").slice(0, 16) : "unknown";
    this.pairingReason = "loggedOut";
    await clearAuthState(this.ctx.db);
    await this.writeStatus({ state: "logged_out" });
    this.say(t("en", "whatsapp.terminal.loggedOut"));
    const alerted = await alertAdminsLoggedOut(this.ctx.db, tag).catch((err) => {
      this.log.error({ err: (err as Error).message }, "could not alert admins about the WhatsApp logout");
      return 0;
    });
    this.log.warn({ alerted }, "WhatsApp logged out; auth state cleared");
    this.attempt = 0;
    this.retryLater(undefined);
  }

  private retryLater(code: number | undefined) {
    if (this.stopped || !this.holding) return;
    const action = onClose(code, this.attempt, this.opts.backoff ?? DEFAULT_BACKOFF, this.opts.random);
    if (action.kind !== "reconnect") return;
    if (action.countsAsAttempt) this.attempt += 1;
    this.cancelReconnect = this.schedule(() => void this.connect(), action.delayMs);
  }

  private async endSocket(sock: WaSocket) {
    sock.ev.removeAllListeners("messages.upsert");
    try {
      await sock.end(undefined);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, "socket end failed");
    }
  }

  // ---- messages ---------------------------------------------------------------------------

  /** One chain per chat, so a person's messages are answered in the order they were sent. */
  private enqueue(jid: string, work: () => Promise<void>) {
    const previous = this.chains.get(jid) ?? Promise.resolve();
    const next: Promise<void> = previous
      .then(work)
      .catch((err) => this.log.error({ err: (err as Error).message }, "WhatsApp message failed"))
      .finally(() => {
        if (this.chains.get(jid) === next) this.chains.delete(jid);
      });
    this.chains.set(jid, next);
  }

  private async handleMessage(sock: WaSocket, msg: WAMessage) {
    const normalised = await normaliseMessage(msg, {
      lids: sock.signalRepository?.lidMapping,
      download: (m) => this.download(m, sock),
    });
    if (normalised.kind === "ignore") {
      this.log.debug({ reason: normalised.reason }, "WhatsApp message ignored");
      return;
    }
    if (normalised.kind === "group") return this.answerGroupOnce(sock, normalised.groupJid, normalised.updateId);

    const { event, sender } = normalised;
    const jid = sender.replyJid;
    await sock.readMessages([msg.key]).catch((err) => this.log.debug({ err: (err as Error).message }, "read receipt failed"));
    await sock.sendPresenceUpdate("composing", jid).catch(() => {});
    let replies: OutboundMessage[];
    try {
      replies = await this.opts.engine.handle(event);
    } catch (err) {
      this.log.error({ err: (err as Error).message, updateId: event.updateId }, "engine failed on a WhatsApp message");
      replies = [{ text: t("id", "bot.error") }];
    }
    // Replies to a person's own message go out at once; only proactive notices are paced.
    for (const reply of replies) await sendOutbound(sock, jid, reply, { db: this.ctx.db, storage: this.ctx.storage });
    await sock.sendPresenceUpdate("paused", jid).catch(() => {});
  }

  /** Groups hear once, ever, that only private chats work (the engine words it); then silence. */
  private async answerGroupOnce(sock: WaSocket, groupJid: string, updateId: string) {
    const key = `${this.ctx.redisPrefix}:whatsapp:group-hinted:${groupJid}`;
    const first = await this.redis.set(key, "1", "EX", 365 * 24 * 3600, "NX");
    if (first !== "OK") return;
    const replies = await this.opts.engine.handle({ channel: "whatsapp", externalId: groupJid, updateId, kind: "group", receivedAt: new Date() });
    for (const reply of replies) await sendOutbound(sock, groupJid, reply, { db: this.ctx.db, storage: this.ctx.storage });
  }

  // ---- pairing and status -----------------------------------------------------------------

  private async onPairingRequest(raw: string) {
    if (!this.holding) return; // the holder answers; standbys stay silent
    const request = parsePairingRequest(raw);
    if (!request) return;
    const result = await this.requestPairingCode(request.phone);
    await answerPairing(this.redis, this.ctx.redisPrefix, request.nonce, result).catch(() => {});
  }

  private async writeStatus(status: Omit<ChannelStatus, "updatedAt" | "instance">) {
    this.localState = status.state;
    const full: Omit<ChannelStatus, "updatedAt"> = { ...status, instance: this.instanceId };
    if (this.pairingReason && status.state !== "open" && !full.reason) full.reason = this.pairingReason;
    await writeChannelStatus(this.redis, this.ctx.redisPrefix, "whatsapp", full);
  }

  private say(line: string) {
    (this.opts.say ?? ((l: string) => process.stdout.write(`${l}\n`)))(line);
  }
}
