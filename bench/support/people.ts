// Simulated people for the chat benchmarks: each completes the whole request form (20 messages)
// over our strict Bot API test server, waiting for the bot's reply to each message and, in the
// paced runs, thinking before the next. Shared by bench:bot and bench:memory.
import { t } from "../../core/messages/index.js";
import { formatDate } from "../../core/validation/datetime.js";
import type { BotApiServer } from "../../tests/support/bot-api-server.js";

/** The start of the bot's apology when something failed inside; the person sends the message again. */
export const APOLOGY = t("id", "bot.error").slice(0, 20);

/** The 20 messages one person sends to complete a request (typed, as on WhatsApp). */
export function requestForm(i: number, tag: string): string[] {
  const day = formatDate(new Date(Date.now() + (30 + (i % 300)) * 24 * 3600_000), "WIB");
  const digits = String(10_000_000 + i).slice(-8);
  return [
    "/start",
    "1",
    "setuju",
    `Pengguna Uji ${i}`,
    "lewati",
    `0812 ${digits.slice(0, 4)} ${digits.slice(4)}`,
    `uji${i}@instansi.go.id`,
    `Instansi Uji Coba ${tag}${i} Nusantara`, // unique per run: no duplicate warnings
    "3",
    "ya",
    String(1 + (i % 12)),
    "1,3",
    "Pendampingan penyusunan metadata statistik sektoral untuk pegawai.",
    "Aula kantor instansi",
    "2",
    `${day} 09:00`,
    "2 jam",
    "sama",
    "lewati",
    "kirim",
  ];
}

/** Think time between "min" and "max" milliseconds; none when max is 0. */
export const think = ([min, max]: readonly [number, number]) => (max > 0 ? new Promise((r) => setTimeout(r, min + Math.random() * (max - min))) : null);

export interface PeopleRun {
  seconds: number;
  /** Time from a person's message to the bot's reply, as the person sees it. */
  roundTrips: number[];
  /** Messages sent again after an apology. */
  retries: number;
}

/**
 * `users` people chat with the bot behind `token` at the same time; chat ids from `firstChatId`.
 * Every bot message wakes the person waiting in that chat (no polling, no sleeping).
 */
export async function runPeople(
  emu: BotApiServer,
  token: string,
  opts: { users: number; tag: string; thinkMs: readonly [number, number]; firstChatId?: number },
): Promise<PeopleRun> {
  const waiting = new Map<number, (text: string) => void>();
  const listener = (m: { chatId: string; text: string }, to: string) => {
    if (to !== token) return;
    const w = waiting.get(Number(m.chatId));
    if (w) {
      waiting.delete(Number(m.chatId));
      w(m.text);
    }
  };
  emu.listeners.add(listener);
  const roundTrips: number[] = [];
  let retries = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: opts.users }, async (_, i) => {
        const chatId = (opts.firstChatId ?? 100_000) + i;
        for (const text of requestForm(i, opts.tag)) {
          await think(opts.thinkMs);
          for (;;) {
            const t0 = performance.now();
            const replied = new Promise<string>((resolve, reject) => {
              const timer = setTimeout(() => reject(new Error(`no reply in chat ${chatId} to "${text}"`)), 120_000);
              waiting.set(chatId, (reply) => {
                clearTimeout(timer);
                resolve(reply);
              });
            });
            emu.user(token, { chatId }).text(text);
            const reply = await replied;
            roundTrips.push(performance.now() - t0);
            if (!reply.startsWith(APOLOGY)) break;
            retries++; // a person would send it again
            await think([500, 1000]);
          }
        }
      }),
    );
  } finally {
    emu.listeners.delete(listener);
  }
  return { seconds: (performance.now() - started) / 1000, roundTrips, retries };
}

/** The p-th percentile of ascending values. */
export const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
export const median = (values: readonly number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
