// The WhatsApp channel's public face: start it from main.ts, give its sender to the delivery
// worker, and let the admin Channels page ask for a pairing code.
import type { AppContext } from "../../../core/runtime/context.js";
import { WhatsAppChannel, type WhatsAppOptions } from "./channel.js";
import { WhatsAppSender } from "./sender.js";

export { WhatsAppChannel, WhatsAppNotConnectedError, type WhatsAppOptions } from "./channel.js";
export { type PairingResult, requestPairing } from "./pairing.js";
export { WhatsAppNotRegisteredError, WhatsAppSender } from "./sender.js";
export { baileysSocketFactory, type SocketFactory, type WaSocket } from "./socket.js";

export interface RunningWhatsApp {
  channel: WhatsAppChannel;
  /** For the notification worker: sends only on the instance holding the connection. */
  sender: WhatsAppSender;
  stop(): Promise<void>;
}

/** Starts the channel: takes the lease (or waits as standby), connects, answers messages. */
export async function startWhatsApp(ctx: AppContext, opts: WhatsAppOptions): Promise<RunningWhatsApp> {
  const channel = new WhatsAppChannel(ctx, opts);
  const sender = new WhatsAppSender(channel, { db: ctx.db, storage: ctx.storage });
  await channel.start();
  return { channel, sender, stop: () => channel.stop() };
}
