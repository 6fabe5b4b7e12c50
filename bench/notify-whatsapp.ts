// bench:notify --whatsapp: N notices to C WhatsApp chats through the real pipeline and the
// WhatsApp channel, on the fake socket of the WhatsApp tests (nothing reaches WhatsApp). Here
// the pacing itself is the limit: the time per notice must equal the configured gap (minimum
// gap + on average half the jitter of up to half the gap), not exceed it. --gap-divisor D
// divides the configured gaps (2 s and 6 s by default) for a quick run; the ratio is then
// measured against the divided gaps, so any per-notice overhead weighs D times more than at
// the real gaps: a ratio met at D = 100 is met at D = 1.
import { rm } from "node:fs/promises";
import { DEFAULT_CONNECTION_CONFIG, type WAVersion } from "@whiskeysockets/baileys";
import { WhatsAppChannel } from "../bot/channels/whatsapp/channel.js";
import { WhatsAppSender } from "../bot/channels/whatsapp/sender.js";
import { startDelivery } from "../bot/delivery/index.js";
import { parseConfig } from "../core/config.js";
import { createContext } from "../core/runtime/context.js";
import { createLogger } from "../core/runtime/logger.js";
import { createRedis } from "../core/runtime/redis.js";
import { autoConnect, type FakeSocket, fakeFactory } from "../tests/whatsapp/fake-socket.js";
import { chatsOutOfOrder, median, scratchDatabase, seedNotices, target, zeroTargets } from "./notify-seed.js";

const DEFAULT_MIN_GAP_MS = 2_000;
const DEFAULT_RECIPIENT_GAP_MS = 6_000;
/** The measured time per notice may exceed the configured one by at most this share. */
const RATIO_TARGET = 1.03;

interface WhatsAppRun {
  configuredMs: number;
  measuredMs: number;
  ratio: number;
  minGapMs: number;
  minRecipientGapMs: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
}

const jidOf = (i: number) => `62812${String(i).padStart(8, "0")}@s.whatsapp.net`;
const textOf = (content: object) => ("text" in content ? String(content.text) : "caption" in content ? String(content.caption) : "");

async function whatsappRun(n: number, chats: number, minGapMs: number, recipientGapMs: number, stop: () => boolean): Promise<WhatsAppRun> {
  const scratch = await scratchDatabase("notify_wa");
  const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  let delivery: ReturnType<typeof startDelivery> | null = null;
  let channel: WhatsAppChannel | null = null;
  try {
    const mix = await seedNotices(scratch.db, { n, chats, coachShare: 0, identity: (i) => ({ channel: "whatsapp", externalId: jidOf(i) }) });
    const config = parseConfig({
      ...process.env,
      DATABASE_URL: scratch.url,
      STORAGE_DIR: scratch.storageDir,
      LOG_LEVEL: "warn",
      WHATSAPP_ENABLED: "true",
      WHATSAPP_MIN_GAP_MS: String(minGapMs),
      WHATSAPP_RECIPIENT_GAP_MS: String(recipientGapMs),
      // The daily cap and warm-up are a separate limit (tests/whatsapp/limits.test.ts).
      WHATSAPP_DAILY_CAP: String(10 * n),
      WHATSAPP_WARMUP_DAYS: "0",
    });
    const ctx = await createContext(config, { db: scratch.db, redis, redisPrefix: scratch.prefix, log: createLogger("warn") });
    // The message id WhatsApp gave each send → when it was sent (for the order check).
    const sentAt = new Map<string, number>();
    const fake = fakeFactory({
      onCreate: (sock) => {
        const send = sock.sendMessage.bind(sock);
        sock.sendMessage = async (jid, content) => {
          const message = await send(jid, content);
          sentAt.set(message.key.id!, sock.sent.at(-1)!.at);
          return message;
        };
        sock.pair();
        autoConnect(sock);
      },
    });
    channel = new WhatsAppChannel(ctx, {
      // Nobody writes in this bench: notices only.
      engine: { handle: async () => [], receive: async () => {} },
      socketFactory: fake.factory,
      printQr: () => {},
      say: () => {},
      fetchVersion: async () => ({ version: [...DEFAULT_CONNECTION_CONFIG.version] as WAVersion, isLatest: false }),
    });
    await channel.start();
    for (let i = 0; !channel.connectedSocket(); i++) {
      if (i > 200) throw new Error("the fake WhatsApp socket did not open");
      await new Promise((r) => setTimeout(r, 50));
    }
    const sock = fake.last() as FakeSocket;
    const started = Date.now();
    delivery = startDelivery(ctx, [new WhatsAppSender(channel, { db: scratch.db, storage: ctx.storage })], { relay: { pollMs: 200, batchSize: 500 } });
    let shown = 0;
    while (sock.sent.length < mix.total && !stop()) {
      await new Promise((r) => setTimeout(r, 1000));
      const elapsed = Math.floor((Date.now() - started) / 10_000);
      if (elapsed > shown) {
        shown = elapsed;
        console.log(`    ${elapsed * 10} s: ${sock.sent.length}/${mix.total} sent`);
      }
    }
    const sent = sock.sent.filter((s) => s.jid.endsWith("@s.whatsapp.net"));
    const times = sent.map((s) => s.at);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    const perJid = new Map<string, number[]>();
    for (const s of sent) perJid.set(s.jid, [...(perJid.get(s.jid) ?? []), s.at]);
    const recipientGaps = [...perJid.values()].flatMap((ts) => ts.slice(1).map((t, i) => t - ts[i]!));
    const distinct = new Set(sent.map((s) => `${s.jid}|${textOf(s.content)}`));
    const order = await chatsOutOfOrder(scratch.db, "whatsapp", (_, id) => (id ? sentAt.get(id) : undefined));
    const rows = await scratch.db.outbox.count({ where: { status: "SENT" } });
    // Configured time per notice: the minimum gap plus the jitter's mean (up to half the gap).
    const configuredMs = minGapMs + Math.round(minGapMs / 2) / 2;
    const measuredMs = gaps.length ? (times.at(-1)! - times[0]!) / gaps.length : Number.NaN;
    return {
      configuredMs,
      measuredMs,
      ratio: measuredMs / configuredMs,
      minGapMs: Math.min(...gaps),
      minRecipientGapMs: recipientGaps.length ? Math.min(...recipientGaps) : Number.NaN,
      lost: mix.total - rows + order.unmatched,
      duplicates: sent.length - distinct.size,
      outOfOrder: order.outOfOrder,
    };
  } finally {
    await delivery?.stop();
    await channel?.stop();
    const stream = redis.scanStream({ match: `${scratch.prefix}:*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await redis.del(...keys);
    redis.disconnect();
    await scratch.drop();
    await rm(scratch.storageDir, { recursive: true, force: true });
  }
}

export async function runWhatsApp(opts: { n: number; chats: number; runs: number; gapDivisor: number; stop: () => boolean }) {
  const minGapMs = Math.max(1, Math.round(DEFAULT_MIN_GAP_MS / opts.gapDivisor));
  const recipientGapMs = Math.max(1, Math.round(DEFAULT_RECIPIENT_GAP_MS / opts.gapDivisor));
  console.log(
    `bench:notify --whatsapp  ${opts.n} notices to ${opts.chats} WhatsApp chats on the fake socket; gaps ${DEFAULT_MIN_GAP_MS} ms (+ up to half as jitter) and ${DEFAULT_RECIPIENT_GAP_MS} ms per number, divided by ${opts.gapDivisor}: ${minGapMs} ms and ${recipientGapMs} ms`,
  );
  const runs: WhatsAppRun[] = [];
  for (let i = 0; i < opts.runs && !opts.stop(); i++) {
    console.log(`  run ${i + 1}/${opts.runs}`);
    const r = await whatsappRun(opts.n, opts.chats, minGapMs, recipientGapMs, opts.stop);
    runs.push(r);
    console.log(
      `    per notice: configured ${r.configuredMs.toFixed(2)} ms, measured ${r.measuredMs.toFixed(2)} ms (ratio ${r.ratio.toFixed(3)}); shortest gap ${r.minGapMs.toFixed(1)} ms (min ${minGapMs}), shortest per number ${r.minRecipientGapMs.toFixed(1)} ms (min ${recipientGapMs}); ${r.lost} lost, ${r.duplicates} duplicates, ${r.outOfOrder} chats out of order`,
    );
  }
  const med = (f: (r: WhatsAppRun) => number) => median(runs.map(f));
  console.log("");
  console.log(`  medians of ${runs.length} run(s)`);
  console.log(`  time per notice      configured ${med((r) => r.configuredMs).toFixed(2)} ms, measured ${med((r) => r.measuredMs).toFixed(2)} ms`);
  target("measured / configured gap", med((r) => r.ratio).toFixed(3), med((r) => r.ratio) <= RATIO_TARGET, `≤ ${RATIO_TARGET}: the gaps are the limit`);
  // The slots are kept apart in Redis; on the socket a gap also carries this process's delay
  // between taking a slot and the socket call (the lease check, a busy event loop).
  console.log(
    `  shortest gaps        ${med((r) => r.minGapMs).toFixed(1)} ms overall (slots ≥ ${minGapMs} ms), ${med((r) => r.minRecipientGapMs).toFixed(1)} ms per number (slots ≥ ${recipientGapMs} ms), as seen on the socket`,
  );
  zeroTargets(runs, { "lost notices": (r) => r.lost, duplicates: (r) => r.duplicates, "chats out of order": (r) => r.outOfOrder });
}
