// A stand-in for a Baileys socket: Baileys' own event emitter (makeEventBuffer), and the
// shapes a real socket emits (connection.update with QR / open / close carrying a Boom with
// a DisconnectReason, messages.upsert with proto.WebMessageInfo). Nothing reaches WhatsApp.
import { Boom } from "@hapi/boom";
import {
  type AnyMessageContent,
  type AuthenticationState,
  type DisconnectReason,
  makeEventBuffer,
  proto,
  type ReachoutTimelockState,
  type WAMessage,
  type WAMessageKey,
  type WAPresence,
} from "@whiskeysockets/baileys";
import { pino } from "pino";
import type { LidLookup } from "../../bot/channels/whatsapp/identity.js";
import type { SocketFactory, SocketOptions, WaSocket } from "../../bot/channels/whatsapp/socket.js";

export const OFFICE_JID = "6281100000001:3@s.whatsapp.net";
const quiet = pino({ level: "silent" });
/** Baileys' ACCOUNT_RESTRICTED_TEXT (Utils/decode-wa-message.js), on time-locked refusals. */
export const ACCOUNT_RESTRICTED_TEXT = "Your account has been restricted";
// Message ids are unique across sockets, as WhatsApp's are.
let nextMessageId = 1;

export interface Sent {
  jid: string;
  content: AnyMessageContent;
  at: number;
}

export class FakeSocket implements WaSocket {
  readonly ev = makeEventBuffer(quiet);
  readonly sent: Sent[] = [];
  readonly presences: { type: WAPresence; jid?: string }[] = [];
  readonly receipts: WAMessageKey[] = [];
  readonly pairingRequests: string[] = [];
  ended = false;
  signalRepository?: { lidMapping?: LidLookup };

  /** Messages re-sent after a retry receipt (Baileys' sendMessagesAgain → relayMessage). */
  readonly resent: { id: string; jid: string; message: proto.IMessage }[] = [];
  /** Baileys' per-socket recent-message cache (messageRetryManager): gone with the socket. */
  private readonly recent = new Map<string, proto.IMessage>();
  private readonly localRetryCounts = new Map<string, number>();

  constructor(
    readonly auth: AuthenticationState,
    lidMapping?: LidLookup,
    readonly registered: (jid: string) => boolean = () => true,
    readonly options?: SocketOptions,
  ) {
    if (lidMapping) this.signalRepository = { lidMapping };
  }

  async sendMessage(jid: string, content: AnyMessageContent): Promise<WAMessage> {
    if (this.ended) throw new Boom("Connection Closed", { statusCode: 428 });
    if (this.rateLimitedSends > 0) {
      this.rateLimitedSends--;
      // What Baileys' assertNodeErrorFree throws for the server's <error code="429" text="rate-overlimit">.
      throw new Boom("rate-overlimit", { data: 429 });
    }
    this.sent.push({ jid, content, at: performance.now() });
    // What generateWAMessage builds for text and documents (the proto a retry re-encrypts).
    const message: proto.IMessage =
      "text" in content
        ? { extendedTextMessage: { text: content.text } }
        : "document" in content
          ? {
              documentMessage: {
                mimetype: content.mimetype,
                fileName: content.fileName,
                caption: content.caption,
                fileLength: (content.document as Buffer).length,
              },
            }
          : { conversation: "" };
    const id = `OUT${nextMessageId++}`;
    this.recent.set(id, message);
    return proto.WebMessageInfo.fromObject({
      key: { remoteJid: jid, fromMe: true, id },
      message,
      messageTimestamp: Math.floor(Date.now() / 1000),
    }) as WAMessage;
  }

  /**
   * The recipient's phone could not decrypt message `id` and asks for it again. Like Baileys'
   * sendMessagesAgain: at most maxMsgRetryCount (5) re-sends per message and device, counted
   * in msgRetryCounterCache (a fresh cache per socket unless one is passed); the message comes
   * from the socket's recent cache, else from getMessage. Returns whether it was re-sent.
   */
  async retryReceipt(remoteJid: string, id: string, participant = remoteJid): Promise<boolean> {
    const counterKey = `${id}:${participant}`;
    const cache = this.options?.msgRetryCounterCache;
    const count = Number((cache ? await cache.get<number>(counterKey) : this.localRetryCounts.get(counterKey)) ?? 0);
    if (count >= 5) return false;
    const message = this.recent.get(id) ?? (await this.options?.getMessage({ remoteJid, id, fromMe: true }));
    if (!message) return false;
    if (cache) await cache.set(counterKey, count + 1);
    else this.localRetryCounts.set(counterKey, count + 1);
    this.resent.push({ id, jid: remoteJid, message });
    return true;
  }
  async sendPresenceUpdate(type: WAPresence, jid?: string) {
    this.presences.push({ type, jid });
  }
  async readMessages(keys: WAMessageKey[]) {
    this.receipts.push(...keys);
  }
  async requestPairingCode(phone: string) {
    this.pairingRequests.push(phone);
    return "ABCD1234";
  }
  /** Every onWhatsApp query (WhatsApp counts them). */
  readonly lookups: string[] = [];
  /** Sends left to refuse with WhatsApp's rate limit. */
  rateLimitedSends = 0;
  async onWhatsApp(...jids: string[]) {
    this.lookups.push(...jids);
    return jids.map((jid) => ({ jid, exists: this.registered(jid) }));
  }
  end() {
    this.ended = true;
  }

  // ---- what WhatsApp would make the socket emit ----
  qr(ref = `2@${Math.random().toString(36).slice(2)},noise,identity,adv`) {
    this.ev.emit("connection.update", { qr: ref });
  }
  /** A scan succeeded: Baileys stores the signed identity and our own JID, then opens. */
  pair() {
    this.auth.creds.me = { id: OFFICE_JID, name: "Kantor" };
    this.auth.creds.account = proto.ADVSignedDeviceIdentity.fromObject({ details: Buffer.from("details"), accountSignature: Buffer.alloc(64, 1) });
    this.auth.creds.registered = true;
    this.ev.emit("creds.update", { me: this.auth.creds.me, account: this.auth.creds.account, registered: true });
  }
  open() {
    this.ev.emit("connection.update", { connection: "open", receivedPendingNotifications: true });
    this.server?.opened(this);
  }
  /** Set by fakeFactory when the test models WhatsApp's side (one live socket per account). */
  server?: FakeWhatsApp;
  close(reason: DisconnectReason | number) {
    this.ended = true;
    this.ev.emit("connection.update", {
      connection: "close",
      lastDisconnect: { error: new Boom("Connection Failure", { statusCode: reason }), date: new Date() },
    });
  }
  /** Live messages; like Baileys, a chat the socket was told to ignore is acked and dropped unread. */
  receive(...messages: WAMessage[]) {
    const kept = messages.filter((m) => !this.ignored(m));
    if (kept.length > 0) this.ev.emit("messages.upsert", { messages: kept, type: "notify" });
  }
  private ignored(m: WAMessage) {
    const jid = m.key?.remoteJid;
    return Boolean(jid && this.options?.shouldIgnoreJid(jid));
  }
  /**
   * The server refused a message we sent: a negative ack turned by Baileys' handleBadAck into
   * messages.update with status ERROR and the error code (463 restricted / no privacy token,
   * 479 smax-invalid; a time-locked account adds ACCOUNT_RESTRICTED_TEXT).
   */
  rejectSent(id: string, jid: string, error: string, timeLocked = false) {
    this.ev.emit("messages.update", [
      {
        key: { remoteJid: jid, fromMe: true, id },
        update: { status: proto.WebMessageInfo.Status.ERROR, messageStubParameters: timeLocked ? [error, ACCOUNT_RESTRICTED_TEXT] : [error] },
      },
    ]);
  }
  /** The reach-out time lock, as Baileys emits it from the mex notification or fetchAccountReachoutTimelock. */
  timeLock(lock: ReachoutTimelockState) {
    this.ev.emit("connection.update", { reachoutTimeLock: lock });
  }
  /**
   * Messages sent while we were disconnected. The server already acked them (two grey ticks on
   * the sender's phone); on reconnect Baileys' offline node processor hands each one to
   * upsertMessage(msg, node.attrs.offline ? 'append' : 'notify') inside a buffered batch.
   */
  receiveOffline(...messages: WAMessage[]) {
    this.ev.buffer();
    for (const msg of messages) if (!this.ignored(msg)) this.ev.emit("messages.upsert", { messages: [msg], type: "append" });
    this.ev.flush();
  }
}

/**
 * WhatsApp's side of the 440: one live socket per linked device. When a second socket with
 * the same credentials opens, the server ends the older one with stream:error conflict
 * "replaced", which Baileys turns into a close with DisconnectReason.connectionReplaced.
 */
export class FakeWhatsApp {
  private readonly live = new Map<string, FakeSocket>();
  replacedCount = 0;
  opened(sock: FakeSocket) {
    const account = sock.auth.creds.me?.id;
    if (!account) return;
    const previous = this.live.get(account);
    this.live.set(account, sock);
    if (previous && previous !== sock && !previous.ended) {
      this.replacedCount++;
      previous.close(440);
    }
  }
}

/**
 * Baileys' LID mapping store (signalRepository.lidMapping) as a contact's mapping arrives:
 * empty at first (a LID-first contact), then learnt from a history sync or a message, which
 * Baileys announces with a lid-mapping.update event.
 */
export class FakeLidStore implements LidLookup {
  private readonly pnByLid = new Map<string, string>();
  async getPNForLID(lid: string) {
    return this.pnByLid.get(lid) ?? null;
  }
  async getLIDForPN(pn: string) {
    for (const [lid, p] of this.pnByLid) if (p === pn) return lid;
    return null;
  }
  learn(sock: FakeSocket, lid: string, pn: string) {
    this.pnByLid.set(lid, pn);
    sock.ev.emit("lid-mapping.update", { lid, pn });
  }
}

/** A factory that records every socket it makes; onCreate decides what each one does first. */
export function fakeFactory(
  opts: { lids?: LidLookup; onCreate?: (sock: FakeSocket) => void; registered?: (jid: string) => boolean; server?: FakeWhatsApp } = {},
) {
  const sockets: FakeSocket[] = [];
  const factory: SocketFactory = (options: SocketOptions) => {
    const sock = new FakeSocket(options.auth, opts.lids, opts.registered, options);
    sock.server = opts.server;
    sockets.push(sock);
    // Like Baileys: events start after the caller has attached its listeners.
    queueMicrotask(() => opts.onCreate?.(sock));
    return sock;
  };
  return { factory, sockets, last: () => sockets.at(-1) };
}

/** Resumes a linked device straight to open, or shows a QR when there is nothing to resume. */
export const autoConnect = (sock: FakeSocket) => {
  sock.ev.emit("connection.update", { connection: "connecting" });
  if (sock.auth.creds.account) sock.open();
  else sock.qr();
};
