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

export class WhatsAppSender implements ChannelSender {
  readonly channel = "whatsapp" as const;

  constructor(
    private readonly source: { connectedSocket(): WaSocket | undefined; fencedSocket?(): Promise<WaSocket> },
    private readonly deps: { db: Db; storage: Storage },
  ) {}

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
      const [found] = (await sock.onWhatsApp(jid)) ?? [];
      if (!found?.exists) throw new WhatsAppNotRegisteredError();
      jid = found.jid || jid;
    }
    // Checked in Redis right before sending: an instance that lost the lease must not send.
    const guard = async () => {
      if (this.source.fencedSocket && (await this.source.fencedSocket()) !== sock) throw new WhatsAppNotConnectedError();
    };
    const messageId = await sendOutbound(sock, jid, message, { ...this.deps, guard });
    return messageId ? { messageId } : {};
  }
}
