// Proactive messages (notifications) over WhatsApp, for the delivery worker. Pacing against
// bans is the delivery queue's job; this only sends, and refuses when this instance has no
// live connection so the job is retried (or routed elsewhere) rather than lost.
import type { Db } from "../../../core/db/client.js";
import type { Storage } from "../../../core/storage/index.js";
import type { ChannelSender, OutboundMessage } from "../types.js";
import { WhatsAppNotConnectedError } from "./errors.js";
import { toJid } from "./identity.js";
import { sendOutbound } from "./outbound.js";
import type { WaSocket } from "./socket.js";

export class WhatsAppNotRegisteredError extends Error {
  constructor() {
    super("this number is not on WhatsApp");
    this.name = "WhatsAppNotRegisteredError";
  }
}

/** How long an onWhatsApp answer is trusted: a number on WhatsApp rarely leaves it; one not on it may join. */
const FOUND_TTL_MS = 7 * 24 * 3600_000;
const MISSING_TTL_MS = 24 * 3600_000;

export interface SenderSource {
  connectedSocket(): WaSocket | undefined;
  fencedSocket?(): Promise<WaSocket>;
  dailyCap?(): Promise<number>;
}

export class WhatsAppSender implements ChannelSender {
  readonly channel = "whatsapp" as const;
  /** onWhatsApp answers per number: each lookup is a query WhatsApp counts, so ask once. */
  private readonly lookups = new Map<string, { jid: string; exists: boolean; at: number }>();

  constructor(
    private readonly source: SenderSource,
    private readonly deps: { db: Db; storage: Storage },
    private readonly now: () => number = Date.now,
  ) {}

  /** For the delivery worker: the day's cap on proactive messages (with the new-number warm-up). */
  async dailyCap(): Promise<number | null> {
    return this.source.dailyCap ? this.source.dailyCap() : null;
  }

  private async lookup(sock: WaSocket, jid: string): Promise<{ jid: string; exists: boolean }> {
    const cached = this.lookups.get(jid);
    if (cached && this.now() - cached.at < (cached.exists ? FOUND_TTL_MS : MISSING_TTL_MS)) return cached;
    const [found] = (await sock.onWhatsApp!(jid)) ?? [];
    const answer = { jid: found?.jid || jid, exists: Boolean(found?.exists), at: this.now() };
    if (this.lookups.size > 5_000) this.lookups.clear();
    this.lookups.set(jid, answer);
    return answer;
  }

  /** True while this instance can send (it holds the lease and the socket is open). */
  get ready(): boolean {
    return this.source.connectedSocket() !== undefined;
  }

  /**
   * externalId is a WhatsApp JID (a chat identity's externalId) or a phone number (a PIC
   * without a chat identity). A bare phone is checked with WhatsApp first when possible.
   */
  async send(externalId: string, message: OutboundMessage): Promise<{ messageId?: string }> {
    const sock = this.source.connectedSocket();
    if (!sock) throw new WhatsAppNotConnectedError();
    let jid = toJid(externalId);
    if (!externalId.includes("@") && sock.onWhatsApp) {
      const found = await this.lookup(sock, jid);
      if (!found.exists) throw new WhatsAppNotRegisteredError();
      jid = found.jid;
    }
    // Checked in Redis right before sending: an instance that lost the lease must not send.
    const guard = async () => {
      if (this.source.fencedSocket && (await this.source.fencedSocket()) !== sock) throw new WhatsAppNotConnectedError();
    };
    const messageId = await sendOutbound(sock, jid, message, { ...this.deps, guard });
    return messageId ? { messageId } : {};
  }
}
