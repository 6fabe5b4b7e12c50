// The WhatsApp channel: holds the office number's one live socket (while this instance holds
// the Redis lease), keeps it connected, and passes each private message through the same
// conversation engine as Telegram, replying to the chat it came from.
import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  type AuthenticationCreds,
  type ConnectionState,
  DEFAULT_CONNECTION_CONFIG,
  fetchLatestWaWebVersion,
  isLidUser,
  isPnUser,
  jidNormalizedUser,
  proto,
  type WAMessage,
  type WAVersion,
} from "@whiskeysockets/baileys";
import type { Redis } from "ioredis";
import qrcode from "qrcode";
import { mergeWhatsAppIdentity } from "../../../core/channels/identities.js";
import { t } from "../../../core/messages/index.js";
import type { ChannelAlertCause } from "../../../core/notifications/intents.js";
import { type ChannelState, type ChannelStatus, writeChannelStatus } from "../../../core/runtime/channel-status.js";
import type { AppContext } from "../../../core/runtime/context.js";
import { RedisLease, whatsappLeaseKey } from "../../../core/runtime/locks.js";
import type { Logger } from "../../../core/runtime/logger.js";
import { dailyCap, NO_PACING, Pacer, whatsappRule } from "../../delivery/pacing.js";
import { recordRejection } from "../../delivery/rejections.js";
import { type ConversationEngine, chatKey, type InboundEvent, type OutboundMessage } from "../types.js";
import { alertAdminsLoggedOut, raiseChannelAlert } from "./alerts.js";
import { clearAuthState, markLinked, type PostgresAuthState, readLinkedAt, serialise, usePostgresAuthState } from "./auth-state.js";
import { type BackoffPolicy, backoffDelay, closeCode, closeReason, DEFAULT_BACKOFF, onClose, STABLE_OPEN_MS } from "./backoff.js";
import { WhatsAppNotConnectedError } from "./errors.js";
import { chatAddress, phoneFromJid } from "./identity.js";
import { normaliseMessage } from "./inbound.js";
import { sendOutbound } from "./outbound.js";
import { answerPairing, type PairingResult, pairingChannel, parsePairingRequest } from "./pairing.js";
import { pruneSent, redisRetryCounterCache, sentMessageLookup } from "./sent-store.js";
import { baileysDownloader, baileysSocketFactory, ignoreJid, type MediaDownloader, type SocketFactory, type SocketOptions, type WaSocket } from "./socket.js";

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

/** Baileys' messageStubParameters text on a time-locked refusal (ACCOUNT_RESTRICTED_TEXT). */
const ACCOUNT_RESTRICTED = "Your account has been restricted";

/** Plain words for the admin page; codes from Baileys' SERVER_ERROR_CODES and NACK_REASONS. */
export function rejectionText(code: string, params: readonly string[] = []): string {
  if (params.includes(ACCOUNT_RESTRICTED)) return "account restricted from starting new chats (reach-out time lock)";
  if (code === "463") return "account restricted, or the recipient never wrote to the office (no privacy token)";
  if (code === "479") return "refused by the server (stale device session or bad address)";
  if (code === "421") return "rate limited";
  return "refused by WhatsApp";
}

/** Baileys' own WhatsApp Web version, used when the current one cannot be fetched. */
const PINNED_VERSION: WAVersion = [...(DEFAULT_CONNECTION_CONFIG.version as WAVersion)];

/** One alert per hour for repeated causes (the hour since the epoch). */
const hourCause = (nowMs: number) => `h${Math.floor(nowMs / 3600_000)}`;

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
  /** Wall clock in ms (tests inject one). */
  now?: () => number;
  timers?: LeaseTimers;
  /** Where the current WhatsApp Web version comes from (default: web.whatsapp.com, else the pinned one). */
  fetchVersion?: () => Promise<VersionResult>;
}

export { WhatsAppNotConnectedError };

/** The timers behind lease renewal and its expiry guard (a test stalls one instance's). */
export interface LeaseTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: LeaseTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface VersionResult {
  version: WAVersion;
  isLatest: boolean;
}

/** The WhatsApp Web version WhatsApp currently accepts, or Baileys' pinned one when offline (quietly). */
const fetchWaVersion = (): Promise<VersionResult> => fetchLatestWaWebVersion({ signal: AbortSignal.timeout(5_000) });

/** 440s in an hour after which the channel stops and alerts instead of reconnecting. */
export const REPLACED_LIMIT = 3;

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
  private readonly now: () => number;
  private readonly getMessage: SocketOptions["getMessage"];
  private readonly retryCounters: SocketOptions["msgRetryCounterCache"];
  private pruneTimer?: NodeJS.Timeout;

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
  private renewTimer?: unknown;
  private expiryGuard?: unknown;
  private readonly timers: LeaseTimers;
  /** Fencing token of our lease (core/runtime/locks.ts); re-checked in Redis before each send and connect. */
  private leaseToken = 0;
  /** One auth object and save queue per lease, shared by its sockets. */
  private auth?: PostgresAuthState;
  private openedAt?: number;
  private readonly replacedAt: number[] = [];
  /** Stopped for a reason only an admin can fix (ban, 440 fight, refused version) until restart. */
  private halted?: string;
  private version?: VersionResult;
  private downSince?: number;
  /** When the linked device was paired (null: before records, counted as warmed up). */
  private linkedAt?: Date | null;
  /** Replies share the channel's global clock with notices (with a small burst allowance). */
  private readonly replyPacer: Pacer;
  private ticking?: Promise<void>;
  private subscriber?: Redis;
  /** Messages being answered (for whenIdle and shutdown); their order is the engine's turn lock. */
  private readonly inFlight = new Set<Promise<void>>();
  /** Chats told "sorry for the delay" since the last open, so a backlog apologises once. */
  private readonly apologised = new Set<string>();
  private localState: ChannelState = "off";
  /** Proactive notices' pause, shared with the delivery worker through Redis. */
  private readonly notices: Pacer;
  private timeLockedUntil?: Date;

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
    this.now = opts.now ?? Date.now;
    this.timers = opts.timers ?? realTimers;
    this.getMessage = sentMessageLookup(ctx.db);
    this.notices = new Pacer(this.redis, ctx.redisPrefix, "whatsapp", NO_PACING);
    this.replyPacer = new Pacer(this.redis, ctx.redisPrefix, "whatsapp", whatsappRule(ctx.config.WHATSAPP_MIN_GAP_MS, 0));
    this.retryCounters = redisRetryCounterCache(this.redis, ctx.redisPrefix);
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
    this.renewTimer = this.timers.setInterval(() => void this.tick(), this.renewMs);
    this.pruneTimer = setInterval(() => void this.pruneSentMessages(), 3600_000);
    this.pruneTimer.unref?.();
  }

  /** Drops sent messages past their retention (the holder does it; any instance could). */
  async pruneSentMessages(): Promise<number> {
    if (!this.holding) return 0;
    const before = new Date(this.now() - this.ctx.config.WHATSAPP_SENT_RETENTION_DAYS * 24 * 3600_000);
    return pruneSent(this.ctx.db, before).catch((err) => {
      this.log.warn({ err: (err as Error).message }, "pruning sent WhatsApp messages failed");
      return 0;
    });
  }

  /** Finishes messages in hand, closes the socket and hands the lease over at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timers.clearInterval(this.renewTimer);
    clearInterval(this.pruneTimer);
    this.timers.clearTimeout(this.expiryGuard);
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
    await this.dropAuth();
    if (wasHolding) {
      await this.writeStatus({ state: "closed", reason: "stopped" }).catch(() => {});
      await this.lease.release().catch(() => {});
    }
    this.localState = "off";
  }

  /** Resolves when every message received so far has been answered (tests, shutdown). */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
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
    let token: number;
    const asked = Date.now();
    try {
      token = await this.lease.take();
    } catch (err) {
      // Redis unreachable: the expiry guard drops the socket before anyone else could take over.
      this.log.warn({ err: (err as Error).message }, "lease renewal failed");
      return;
    }
    if (this.stopped) {
      if (token > 0) await this.lease.release().catch(() => {});
      return;
    }
    if (token > 0) {
      // A new token while we thought we held it: the lease expired (a stalled event loop) and
      // may have been someone else's meanwhile. The old socket goes first; then connect anew.
      if (this.holding && token !== this.leaseToken) await this.standDown("lease_lapsed");
      this.leaseToken = token;
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
    if (this.holding) await this.checkDown();
  }

  /** Proactive messages allowed today: WHATSAPP_DAILY_CAP, ramped up over the warm-up after pairing. */
  async dailyCap(): Promise<number> {
    if (this.linkedAt === undefined) this.linkedAt = await readLinkedAt(this.ctx.db).catch(() => null);
    const { WHATSAPP_DAILY_CAP, WHATSAPP_WARMUP_DAYS } = this.ctx.config;
    return dailyCap(WHATSAPP_DAILY_CAP, WHATSAPP_WARMUP_DAYS, this.linkedAt, this.now());
  }

  /** Throws unless sock is still our live socket under a valid lease. */
  private async guard(sock: WaSocket): Promise<void> {
    if ((await this.fencedSocket()) !== sock) throw new WhatsAppNotConnectedError();
  }

  /** Alerts admins once per outage when the channel has been down longer than configured. */
  private async checkDown() {
    if (this.downSince === undefined) return;
    const minutes = this.ctx.config.WHATSAPP_DOWN_ALERT_MINUTES;
    if (this.now() - this.downSince < minutes * 60_000) return;
    const since = new Date(this.downSince).toISOString();
    await this.alert({ alert: "down", cause: since, details: { since, minutes } });
  }

  /**
   * The socket to send on, after checking in Redis that our lease (and fencing token) still
   * holds: a holder that lost it without noticing (stalled event loop) closes its socket and
   * refuses, so two sockets never send for the office number.
   */
  async fencedSocket(): Promise<WaSocket> {
    const sock = this.connectedSocket();
    if (!sock) throw new WhatsAppNotConnectedError();
    if (!(await this.lease.check(this.leaseToken).catch(() => false))) {
      await this.standDown("lease_fenced");
      throw new WhatsAppNotConnectedError();
    }
    if (sock !== this.sock) throw new WhatsAppNotConnectedError();
    return sock;
  }

  /**
   * If renewals stop succeeding, let go before the lease can expire and a standby connects.
   * Counted from when the renewal was sent, since a slow answer does not extend the lease.
   */
  private armExpiryGuard(renewedAt: number) {
    this.timers.clearTimeout(this.expiryGuard);
    const margin = Math.min(1_000, Math.floor(this.renewMs / 2));
    const left = renewedAt + this.ttlMs - margin - Date.now();
    this.expiryGuard = this.timers.setTimeout(() => void this.standDown("lease_expired"), Math.max(1, left));
  }

  private async standDown(reason: string) {
    if (!this.holding) return;
    this.log.warn({ reason }, "giving up the WhatsApp connection");
    this.holding = false;
    this.open = false;
    this.timers.clearTimeout(this.expiryGuard);
    this.cancelReconnect?.();
    const sock = this.sock;
    this.sock = undefined;
    if (sock) await this.endSocket(sock);
    // The next holder (maybe us again) loads the credentials afresh, after our last save.
    await this.dropAuth();
    this.downSince = undefined;
    this.localState = "standby";
  }

  private async dropAuth() {
    const auth = this.auth;
    this.auth = undefined;
    await within(5_000, auth?.close());
  }

  // ---- connection -----------------------------------------------------------------------

  private connecting?: Promise<void>;

  private connect(): Promise<void> {
    this.connecting ??= this.connectOnce().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connectOnce() {
    if (!this.holding || this.stopped || this.sock || this.halted) return;
    this.cancelReconnect?.();
    this.cancelReconnect = undefined;
    let sock: WaSocket;
    try {
      // The local flag may be stale (a stalled event loop, a lapsed lease): ask Redis.
      if (!(await this.lease.check(this.leaseToken))) {
        await this.standDown("lease_fenced");
        return;
      }
      this.version ??= await this.resolveVersion();
      // Saves of the previous socket land before the new one reads the credentials.
      await this.auth?.flush();
      this.auth ??= await usePostgresAuthState(this.ctx.db, {
        onError: (err, attempt) => this.log.error({ err: err.message, attempt }, "saving WhatsApp credentials failed"),
      });
      const auth = this.auth;
      // The lease may have gone (or stop() come) while the credentials loaded.
      if (!this.holding || this.stopped || this.sock || this.halted) return;
      this.creds = auth.state.creds;
      sock = this.factory({
        auth: auth.state,
        logger: this.baileysLog,
        getMessage: this.getMessage,
        msgRetryCounterCache: this.retryCounters,
        version: this.version.version,
        shouldIgnoreJid: ignoreJid,
      });
      this.sock = sock;
      this.open = false;
      let wasLinked = Boolean(auth.state.creds.account);
      sock.ev.on("creds.update", (update) => {
        auth.saveCreds().catch((err) => this.log.error({ err: (err as Error).message }, "WhatsApp credentials not saved after retries"));
        // A new pairing: the warm-up of the daily cap starts today.
        if (update.account && !wasLinked) {
          wasLinked = true;
          this.linkedAt = new Date(this.now());
          markLinked(this.ctx.db, this.linkedAt).catch((err) => this.log.warn({ err: (err as Error).message }, "link time not recorded"));
        }
      });
      // Negative server acks: the message was refused after sendMessage had resolved.
      sock.ev.on("messages.update", (updates) => {
        for (const { key, update } of updates) {
          if (update.status !== proto.WebMessageInfo.Status.ERROR || !key.fromMe || !key.id) continue;
          void this.onRejected(key.id, update.messageStubParameters ?? []);
        }
      });
      // Baileys learnt which phone number a LID belongs to: one person, one identity row.
      sock.ev.on("lid-mapping.update", ({ lid, pn }) => {
        void this.mergeIdentity(lid, pn);
      });
      sock.ev.on("connection.update", (update) => {
        this.onConnectionUpdate(sock, update).catch((err) => this.log.error({ err: (err as Error).message }, "connection update failed"));
      });
      // "notify" is live; "append" is what people wrote while we were disconnected (WhatsApp
      // already showed them two ticks), so both are answered. The engine's ProcessedUpdate
      // dedupe makes a message that comes again (reconnect, handover) answered only once.
      sock.ev.on("messages.upsert", ({ messages, type }) => {
        if (sock !== this.sock || (type !== "notify" && type !== "append")) return;
        for (const msg of messages) this.receive(sock, msg);
      });
    } catch (err) {
      this.log.error({ err: (err as Error).message }, "could not create the WhatsApp socket");
      this.sock = undefined;
      this.retryLater(undefined);
      return;
    }
    await this.writeStatus({ state: "connecting" });
  }

  private async resolveVersion(): Promise<VersionResult> {
    const result = await (this.opts.fetchVersion ?? fetchWaVersion)().catch(() => null);
    if (result?.isLatest) this.log.info({ version: result.version.join(".") }, "current WhatsApp Web version");
    // Offline or blocked: Baileys' pinned version, quietly (it is usually still accepted).
    else this.log.debug("WhatsApp Web version not fetched; using the pinned one");
    return result ?? { version: PINNED_VERSION, isLatest: false };
  }

  private async onConnectionUpdate(sock: WaSocket, update: Partial<ConnectionState>) {
    if (sock !== this.sock) return;
    if (update.reachoutTimeLock) await this.onTimeLock(update.reachoutTimeLock);
    if (update.qr) {
      this.qr = update.qr;
      await this.writeStatus(this.pairingCode ? { state: "pairing", qr: update.qr, pairingCode: this.pairingCode } : { state: "qr", qr: update.qr });
      await (this.opts.printQr ?? terminalQr)(update.qr);
    }
    if (update.connection === "open") {
      this.open = true;
      this.apologised.clear();
      // The backoff starts over only once this socket has stayed open a while (see close).
      this.openedAt = this.now();
      this.downSince = undefined;
      this.linkedAt ??= await readLinkedAt(this.ctx.db).catch(() => null);
      this.qr = undefined;
      this.pairingCode = undefined;
      this.pairingReason = undefined;
      await this.writeStatus({ state: "open" });
      this.say(t("en", "whatsapp.terminal.open"));
    }
    if (update.connection === "close") {
      const wasPairing = this.pairingCode !== undefined || this.qr !== undefined;
      this.sock = undefined;
      this.open = false;
      this.qr = undefined;
      this.pairingCode = undefined;
      this.detach(sock);
      if (this.openedAt !== undefined && this.now() - this.openedAt >= STABLE_OPEN_MS) this.attempt = 0;
      this.openedAt = undefined;
      this.downSince ??= this.now();
      if (this.stopped || !this.holding) return;
      const code = closeCode(update.lastDisconnect?.error);
      const policy = this.opts.backoff ?? DEFAULT_BACKOFF;
      const action = onClose(code, this.attempt, policy, this.opts.random);
      this.log.info({ reason: closeReason(code), attempt: this.attempt }, "WhatsApp connection closed");
      switch (action.kind) {
        case "logout":
          return this.onLoggedOut(wasPairing);
        case "replaced":
          return this.onReplaced(policy);
        case "banned":
          return this.halt(closeReason(code), { alert: "banned", cause: `${code}:${hourCause(this.now())}`, details: { code: code ?? 0 } });
        case "version":
          return this.onVersionRefused(policy);
        case "reconnect":
          if (action.countsAsAttempt) this.attempt += 1;
          await this.writeStatus({ state: "closed", reason: closeReason(code) });
          this.cancelReconnect = this.schedule(() => void this.connect(), action.delayMs);
      }
    }
  }

  /** Stops a closed socket's events for good: late messages, credential saves, updates. */
  private detach(sock: WaSocket) {
    for (const event of ["messages.upsert", "messages.update", "creds.update"] as const) sock.ev.removeAllListeners(event);
  }

  /**
   * 440: another socket connected with our credentials. If our lease is gone, that is the new
   * holder and we stand down. If it is still ours, something outside the lease (a staging copy
   * restored from production, another Redis prefix) uses the number: wait the longest backoff
   * step rather than kick it off at once, and after a few times in an hour stop and alert.
   */
  private async onReplaced(policy: BackoffPolicy) {
    if (!(await this.lease.check(this.leaseToken).catch(() => false))) return this.standDown("replaced_by_holder");
    const now = this.now();
    while (this.replacedAt.length > 0 && now - this.replacedAt[0]! > 3600_000) this.replacedAt.shift();
    this.replacedAt.push(now);
    if (this.replacedAt.length >= REPLACED_LIMIT) {
      return this.halt("connectionReplaced", { alert: "replaced", cause: hourCause(now), details: { count: this.replacedAt.length } });
    }
    await this.writeStatus({ state: "closed", reason: "connectionReplaced" });
    this.cancelReconnect = this.schedule(() => void this.connect(), backoffDelay(30, policy, this.opts.random));
  }

  /** 405: the WhatsApp Web version is no longer accepted. Fetch the current one; stop if that does not help. */
  private async onVersionRefused(policy: BackoffPolicy) {
    const used = this.version?.version.join(".");
    const fresh = await this.resolveVersion();
    if (fresh.isLatest && fresh.version.join(".") !== used) {
      this.version = fresh;
      await this.writeStatus({ state: "closed", reason: "versionRefused" });
      this.cancelReconnect = this.schedule(() => void this.connect(), backoffDelay(0, policy, this.opts.random));
      return;
    }
    await this.halt("versionRefused", { alert: "version", cause: `${used}`, details: { code: 405 } });
  }

  /** Stops reconnecting (keeping the lease, so no standby starts the same fight) and alerts admins. */
  private async halt(reason: string, alert: ChannelAlertCause) {
    this.halted = reason;
    this.cancelReconnect?.();
    this.log.error({ reason }, "WhatsApp stopped; an admin must act");
    await this.writeStatus({ state: "stopped", reason });
    await this.alert(alert);
  }

  /**
   * The phone removed this linked device: forget it, say so, alert admins, offer a new QR.
   * A 401 before any device was linked is a QR or pairing code that expired unused: start a
   * new pairing quietly, with no "logged out" alert.
   */
  private async onLoggedOut(wasPairing: boolean) {
    const linked = Boolean(this.creds?.account);
    // No save may land after the clear (it would bring the ended session back).
    await this.dropAuth();
    if (!linked) {
      this.log.info({ wasPairing }, "WhatsApp pairing expired unused; starting a new one");
      await clearAuthState(this.ctx.db);
      this.linkedAt = undefined;
      await this.writeStatus({ state: "closed", reason: "pairingExpired" });
      this.attempt = 0;
      this.retryLater(undefined);
      return;
    }
    const tag = this.creds ? createHash("sha256").update(serialise(this.creds.signedIdentityKey.public)).digest("hex").slice(0, 16) : "unknown";
    this.pairingReason = "loggedOut";
    await clearAuthState(this.ctx.db);
    this.linkedAt = undefined;
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
    this.detach(sock);
    try {
      await sock.end(undefined);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, "socket end failed");
    }
  }

  // ---- rejections and restrictions ---------------------------------------------------------

  /**
   * WhatsApp refused a message we sent (messages.update status ERROR). A notice's Delivery row
   * becomes REJECTED with the reason and falls back to email; 463 (restricted, or a chat the
   * recipient never started) also alerts admins, once an hour. The row may still be being
   * written when the ack comes back, so an unknown id is looked up a few more times.
   */
  private async onRejected(messageId: string, params: string[], tries = 0): Promise<void> {
    const code = params[0] ?? "unknown";
    const reason = `whatsapp ${code}: ${rejectionText(code, params)}`;
    this.log.warn({ code }, "WhatsApp refused a sent message");
    if (tries === 0 && (code === "463" || params.includes(ACCOUNT_RESTRICTED))) {
      await this.alert({ alert: "restricted", cause: hourCause(this.now()), details: { code } });
    }
    const outcome = await recordRejection(this.ctx, { channel: "whatsapp", messageId, reason }).catch((err) => {
      this.log.error({ err: (err as Error).message }, "recording a WhatsApp rejection failed");
      return "failed" as const;
    });
    if (outcome === "unknown_message" && tries < 5 && !this.stopped) {
      const timer = setTimeout(() => void this.onRejected(messageId, params, tries + 1), 1_000);
      timer.unref?.();
    }
  }

  /**
   * The reach-out time lock: WhatsApp forbids starting new chats until it ends. Proactive
   * notices wait (the delivery pause every instance honours) and admins hear of it once per
   * lock; replies to people who wrote to us still go out.
   */
  private async onTimeLock(lock: NonNullable<ConnectionState["reachoutTimeLock"]>) {
    if (!lock.isActive) {
      if (this.timeLockedUntil === undefined) return;
      this.timeLockedUntil = undefined;
      await this.notices.resume().catch(() => {});
      if (this.open) await this.writeStatus({ state: "open" }).catch(() => {});
      this.log.info("WhatsApp lifted the reach-out time lock");
      return;
    }
    const until = lock.timeEnforcementEnds ?? new Date(this.now() + 60_000);
    this.timeLockedUntil = until;
    const ms = until.getTime() - this.now();
    if (ms > 0) await this.notices.pause(ms).catch((err) => this.log.error({ err: (err as Error).message }, "pausing WhatsApp notices failed"));
    this.log.warn({ until: until.toISOString(), type: lock.enforcementType }, "WhatsApp reach-out time lock");
    if (this.open) await this.writeStatus({ state: "open" }).catch(() => {});
    await this.alert({ alert: "time_lock", cause: until.toISOString(), details: { until: until.toISOString() } });
  }

  private async alert(cause: ChannelAlertCause) {
    const queued = await raiseChannelAlert(this.ctx.db, cause).catch((err) => {
      this.log.error({ err: (err as Error).message, alert: cause.alert }, "could not alert admins");
      return 0;
    });
    if (queued > 0) this.log.warn({ alert: cause.alert, admins: queued }, "admins alerted about WhatsApp");
  }

  // ---- messages ---------------------------------------------------------------------------

  /**
   * Hands a message to the engine in its chat's turn (taken now, in arrival order): the event is
   * worked out, answered and the replies sent before the chat's next message is looked at.
   */
  private receive(sock: WaSocket, msg: WAMessage) {
    const remoteJid = msg.key?.remoteJid ?? "";
    let turn: { event: InboundEvent; jid: string } | null = null;
    const done: Promise<void> = this.opts.engine
      .receive({
        chat: chatKey("whatsapp", chatAddress(remoteJid)),
        event: async () => {
          turn = await this.prepare(sock, msg);
          return turn?.event ?? null;
        },
        reply: (replies) => this.sendReplies(sock, turn?.jid ?? remoteJid, turn?.event, replies),
      })
      .catch((err) => this.log.error({ err: (err as Error).message }, "WhatsApp message failed"))
      .finally(() => this.inFlight.delete(done));
    this.inFlight.add(done);
  }

  /** The engine event of a message (null: nothing to answer); marks it read and shows typing. */
  private async prepare(sock: WaSocket, msg: WAMessage): Promise<{ event: InboundEvent; jid: string } | null> {
    const normalised = await normaliseMessage(msg, {
      lids: sock.signalRepository?.lidMapping,
      download: (m) => this.download(m, sock),
    });
    if (normalised.kind === "ignore") {
      this.log.debug({ reason: normalised.reason }, "WhatsApp message ignored");
      return null;
    }
    // Groups are ignored by Baileys itself (ignoreJid); one that slips through is not answered.
    if (normalised.kind === "group") return null;

    const { event, sender } = normalised;
    const jid = sender.replyJid;
    // Before the engine looks the person up, so a row keyed on the phone JID is found under the LID.
    if (sender.lid && sender.phoneJid) await this.mergeIdentity(sender.lid, sender.phoneJid);
    await sock.readMessages([msg.key]).catch((err) => this.log.debug({ err: (err as Error).message }, "read receipt failed"));
    await sock.sendPresenceUpdate("composing", jid).catch(() => {});
    return { event, jid };
  }

  private async sendReplies(sock: WaSocket, jid: string, event: InboundEvent | undefined, answer: OutboundMessage[]) {
    let replies = answer;
    if (replies.length > 0 && this.isLate(event?.receivedAt) && !this.apologised.has(jid)) {
      this.apologised.add(jid);
      replies = [{ text: t("id", "whatsapp.reply.late") }, ...replies];
    }
    // Replies to a person's own message go out at once; only proactive notices are paced.
    const burstMs = (this.ctx.config.WHATSAPP_REPLY_BURST - 1) * this.ctx.config.WHATSAPP_MIN_GAP_MS;
    for (const reply of replies) {
      await this.replyPacer.acquireReply(burstMs).catch((err) => this.log.warn({ err: (err as Error).message }, "reply pacing unavailable"));
      await sendOutbound(sock, jid, reply, { db: this.ctx.db, storage: this.ctx.storage, guard: () => this.guard(sock) });
    }
    await sock.sendPresenceUpdate("paused", jid).catch(() => {});
  }

  /** LIDs whose phone-keyed identity has been merged (or checked) in this process. */
  private readonly merged = new Set<string>();

  private async mergeIdentity(lid: string, pn: string) {
    const lidUser = jidNormalizedUser(lid);
    const pnUser = jidNormalizedUser(pn);
    const key = `${lidUser}|${pnUser}`;
    if (!isLidUser(lidUser) || !isPnUser(pnUser) || this.merged.has(key)) return;
    try {
      const outcome = await mergeWhatsAppIdentity(this.ctx.db, { lid: lidUser, pnJid: pnUser, phone: phoneFromJid(pnUser) });
      this.merged.add(key);
      if (outcome !== "nothing") this.log.info({ outcome }, "WhatsApp identity keyed on its LID");
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, "merging WhatsApp identities failed");
    }
  }

  /** Written long enough ago that the person has been waiting (we were offline meanwhile). */
  private isLate(sentAt: Date | undefined): boolean {
    return sentAt !== undefined && this.now() - sentAt.getTime() > this.ctx.config.WHATSAPP_LATE_REPLY_AFTER_S * 1000;
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
    if (this.timeLockedUntil && this.timeLockedUntil.getTime() > this.now()) full.restrictedUntil = this.timeLockedUntil.toISOString();
    if (this.pairingReason && status.state !== "open" && !full.reason) full.reason = this.pairingReason;
    await writeChannelStatus(this.redis, this.ctx.redisPrefix, "whatsapp", full);
  }

  private say(line: string) {
    (this.opts.say ?? ((l: string) => process.stdout.write(`${l}\n`)))(line);
  }
}
