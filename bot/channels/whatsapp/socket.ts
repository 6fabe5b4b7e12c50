// The part of a Baileys socket the channel uses, and the factory that makes one. Tests
// inject a factory returning a fake with Baileys' own event emitter; production uses
// makeWASocket with our PostgreSQL auth state behind Baileys' cacheable key store.
import {
  type AnyMessageContent,
  type AuthenticationState,
  type BaileysEventEmitter,
  Browsers,
  type CacheStore,
  downloadMediaMessage,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  type MiscMessageGenerationOptions,
  makeCacheableSignalKeyStore,
  makeWASocket,
  type proto,
  type WAMessage,
  type WAMessageKey,
  type WAPresence,
  type WAVersion,
} from "@whiskeysockets/baileys";
import type { Logger } from "../../../core/runtime/logger.js";
import { FileTooLargeError } from "../types.js";
import type { LidLookup } from "./identity.js";

export interface WaSocket {
  ev: BaileysEventEmitter;
  sendMessage(jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions): Promise<WAMessage | undefined>;
  sendPresenceUpdate(type: WAPresence, toJid?: string): Promise<void>;
  readMessages(keys: WAMessageKey[]): Promise<void>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  end(error: Error | undefined): void | Promise<void>;
  signalRepository?: { lidMapping?: LidLookup };
  updateMediaMessage?(message: WAMessage): Promise<WAMessage>;
  onWhatsApp?(...phoneNumber: string[]): Promise<{ jid: string; exists: boolean }[] | undefined>;
}

export interface SocketOptions {
  auth: AuthenticationState;
  logger: Logger;
  /** The message we sent with this key, for re-encrypting on a retry receipt (sent-store.ts). */
  getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined>;
  /** Re-send counters shared across sockets (Redis), so the retry cap survives reconnects. */
  msgRetryCounterCache: CacheStore;
  /** The WhatsApp Web version to announce (fetched at start, else Baileys' pinned one). */
  version: WAVersion;
  /** Chats Baileys drops unread (acked, never decrypted, never emitted): see ignoreJid. */
  shouldIgnoreJid(jid: string): boolean;
}

/**
 * Groups, status broadcasts, broadcast lists and newsletters are not conversations with the
 * office: Baileys does not even decrypt them, so the office number never posts into a group.
 */
export const ignoreJid = (jid: string): boolean => Boolean(isJidGroup(jid) || isJidBroadcast(jid) || isJidNewsletter(jid));

export type SocketFactory = (opts: SocketOptions) => WaSocket;

/**
 * The real thing: a linked-device socket. It asks for no full history (we only answer new
 * messages), but keeps Baileys' default light syncs, which carry the LID → phone mappings.
 */
export const baileysSocketFactory: SocketFactory = ({ auth, logger, getMessage, msgRetryCounterCache, version, shouldIgnoreJid }) =>
  makeWASocket({
    auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, logger) },
    logger,
    browser: Browsers.ubuntu("Sibina"),
    markOnlineOnConnect: false,
    syncFullHistory: false,
    shouldIgnoreJid,
    getMessage,
    msgRetryCounterCache,
    version,
  }) as unknown as WaSocket;

export type MediaDownloader = (message: WAMessage, sock: WaSocket) => Promise<Buffer>;

/**
 * Baileys' media download as a stream, stopped as soon as it passes maxBytes, so a file that
 * lies about its size cannot fill memory (the engine then says the file is too large).
 */
export const baileysDownloader =
  (maxBytes: number, logger: Logger): MediaDownloader =>
  async (message, sock) => {
    const stream = await downloadMediaMessage(
      message,
      "stream",
      {},
      sock.updateMediaMessage ? { logger, reuploadRequest: (m) => sock.updateMediaMessage!(m) } : undefined,
    );
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of stream) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      chunks.push(buf);
      total += buf.length;
      if (total > maxBytes) {
        stream.destroy();
        throw new FileTooLargeError(maxBytes);
      }
    }
    return Buffer.concat(chunks);
  };
