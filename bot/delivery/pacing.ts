// Platform-aware pacing, shared by every instance through Redis. BullMQ's open-source limiter
// is global per queue only, so each send takes a slot with one atomic script that knows
// three "next allowed at" clocks: the channel's global one (messages per second), the
// recipient's (per chat or per number) and a pause set when the platform answered 429.
// Times come from Redis itself, so instances with skewed clocks still agree.
import type { Redis } from "ioredis";

// Grants a send only when it may happen now: the slot is taken at the moment of sending,
// so a job that wakes late (busy event loop, slow Redis reply) can never squeeze two sends
// together. Unused time is not saved up (beyond ARGV[3] ms), so there are no bursts.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local g = tonumber(redis.call('GET', KEYS[1]) or '0')
local r = tonumber(redis.call('GET', KEYS[2]) or '0')
local p = tonumber(redis.call('GET', KEYS[3]) or '0')
if p > now then return {2, p, now} end
if r > now then return {1, r, now} end
if g > now then return {3, g, now} end
local gg = tonumber(ARGV[1])
-- A send that comes a moment late (less than ARGV[3] ms) keeps the schedule instead of pushing
-- it back, so small wake-up delays do not add up to a lower rate; but the next send never
-- comes sooner than ARGV[4] ms after this one.
local base = now
if g > 0 and now - g < tonumber(ARGV[3]) then base = g end
local nextAt = math.max(base + gg, now + tonumber(ARGV[4]))
if gg > 0 then redis.call('SET', KEYS[1], nextAt, 'PX', math.ceil(nextAt - now) + 60000) end
local rg = tonumber(ARGV[2])
if rg > 0 then redis.call('SET', KEYS[2], now + rg, 'PX', math.ceil(rg) + 60000) end
return {0, now, now}
`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local p = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > p then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000) end
return math.max(untilMs, p) - now
`;

// A reply to someone who wrote shares the channel's global clock with notices, but may run
// up to ARGV[2] ms ahead of it (a small burst: a few replies at once), so a burst of incoming
// messages cannot produce a burst of sends. Returns 0 to send now, else the ms to wait.
const REPLY = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local g = tonumber(redis.call('GET', KEYS[1]) or '0')
local base = math.max(g, now)
local ahead = base - now
if ahead > tonumber(ARGV[2]) then return math.ceil(ahead - tonumber(ARGV[2])) end
local gap = tonumber(ARGV[1])
if gap > 0 then redis.call('SET', KEYS[1], base + gap, 'PX', math.ceil(base + gap - now) + 60000) end
return 0
`;

// One more proactive message today, unless the day's cap is reached. ARGV: cap, key lifetime.
const DAILY = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

// The recipient's clock again once the platform answered: their next message waits a full gap
// from now, however long the request took to arrive. ARGV: the gap.
const SENT_TO = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local at = now + tonumber(ARGV[1])
local r = tonumber(redis.call('GET', KEYS[1]) or '0')
if at > r then redis.call('SET', KEYS[1], at, 'PX', math.ceil(tonumber(ARGV[1])) + 60000) end
return 1
`;

// Gives back one message of today's count (a send counted and then not made).
const UNTAKE_DAILY = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 1
`;

const PAUSED_FOR = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local p = tonumber(redis.call('GET', KEYS[1]) or '0')
return math.max(0, p - now)
`;

export interface PacingRule {
  /** Minimum gap between any two sends of this channel, in ms (0: no global pacing). */
  globalGapMs: number;
  /** Extra random gap added to each global gap (WhatsApp: look less like a robot). */
  jitterMs: number;
  /** Minimum gap between two sends to the same recipient, in ms. */
  recipientGapMs(address: string): number;
  /** Longest we wait in-process for a global slot; beyond it the job is delayed instead. */
  maxWaitMs: number;
  /** A send this late (ms) after its slot keeps the schedule (0: every gap counts from the send). */
  catchUpMs: number;
  /** The gap kept from the send itself whatever the catch-up (0: none). */
  floorGapMs: number;
}

/** Telegram: ≤ rate/s overall, 1/s per private chat, 20/min per group (negative chat ids). */
export function telegramRule(ratePerSecond: number): PacingRule {
  return {
    globalGapMs: 1000 / ratePerSecond,
    jitterMs: 0,
    // A small margin over Telegram's 1 s so network jitter never makes two arrive closer.
    recipientGapMs: (chatId) => (chatId.startsWith("-") ? 3_100 : 1_100),
    maxWaitMs: 3_000,
    // Up to a quarter gap: any second then holds at most rate + 1 sends, under Telegram's 30.
    catchUpMs: 250 / ratePerSecond,
    floorGapMs: 0,
  };
}

/**
 * WhatsApp: one message every minGap (+ up to half of it as jitter) overall, recipientGap per
 * number. A send that wakes a little late eats into the next jitter instead of adding to the
 * gap, so the time per notice is the configured one; two sends are never closer than minGap.
 */
export function whatsappRule(minGapMs: number, recipientGapMs: number): PacingRule {
  const jitterMs = Math.round(minGapMs / 2);
  return {
    globalGapMs: minGapMs,
    jitterMs,
    recipientGapMs: () => recipientGapMs,
    maxWaitMs: 2 * minGapMs + 1_000,
    catchUpMs: jitterMs,
    floorGapMs: minGapMs,
  };
}

/** The office's day (WIB, UTC+7) an instant falls on, and the ms until it ends. */
export function officeDay(nowMs: number, offsetMinutes = 7 * 60): { key: string; endsInMs: number } {
  const shifted = nowMs + offsetMinutes * 60_000;
  const day = Math.floor(shifted / 86_400_000);
  return { key: new Date(day * 86_400_000).toISOString().slice(0, 10), endsInMs: (day + 1) * 86_400_000 - shifted };
}

/**
 * Proactive WhatsApp messages allowed on a day: the configured cap, ramped up over the warm-up
 * days after the number was linked (a new number that suddenly sends a lot is what WhatsApp
 * bans). Day 0 is the day of linking; unknown link time counts as fully warmed up.
 */
export function dailyCap(cap: number, warmupDays: number, linkedAt: Date | null, nowMs: number): number {
  if (!linkedAt || warmupDays <= 0) return cap;
  const days = Math.floor((nowMs - linkedAt.getTime()) / 86_400_000);
  if (days >= warmupDays) return cap;
  return Math.max(1, Math.min(cap, Math.ceil((cap * (Math.max(0, days) + 1)) / (warmupDays + 1))));
}

export const NO_PACING: PacingRule = { globalGapMs: 0, jitterMs: 0, recipientGapMs: () => 0, maxWaitMs: 0, catchUpMs: 0, floorGapMs: 0 };

export type Acquired =
  /** Send now. */
  | { kind: "go" }
  /** The recipient had a message too recently: try again in retryInMs. */
  | { kind: "recipient_busy"; retryInMs: number }
  /** The channel is paused (429) or busy for longer than maxWaitMs: stop fetching for retryInMs. */
  | { kind: "channel_busy"; retryInMs: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Pacer {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly channel: string,
    private readonly rule: PacingRule,
  ) {}

  /** The gap this rule keeps between two sends to one recipient. */
  recipientGapMs(address: string): number {
    return this.rule.recipientGapMs(address);
  }

  private key(part: string) {
    return `${this.prefix}:pace:${this.channel}:${part}`;
  }

  /**
   * Waits (in-process, up to maxWaitMs) until this channel may send to this recipient, and
   * takes that slot atomically across instances. Call it right before sending.
   */
  async acquire(address: string): Promise<Acquired> {
    const started = Date.now();
    for (;;) {
      const gap = this.rule.globalGapMs > 0 ? (this.rule.globalGapMs + Math.random() * this.rule.jitterMs).toFixed(3) : "0";
      const [status, at, now] = (await this.redis.eval(
        ACQUIRE,
        3,
        this.key("global"),
        this.key(`to:${address}`),
        this.key("pause"),
        gap,
        String(this.rule.recipientGapMs(address)),
        String(this.rule.catchUpMs),
        String(this.rule.floorGapMs),
      )) as [number, number, number];
      const inMs = Math.max(1, Math.round(at - now));
      if (status === 0) return { kind: "go" };
      if (status === 1) return { kind: "recipient_busy", retryInMs: inMs };
      if (status === 2 || Date.now() - started + inMs > this.rule.maxWaitMs) return { kind: "channel_busy", retryInMs: inMs };
      await sleep(inMs);
    }
  }

  /** The platform said "too many requests": nobody sends on this channel for ms. Returns the pause left. */
  async pause(ms: number): Promise<number> {
    return Number(await this.redis.eval(PAUSE, 1, this.key("pause"), String(Math.ceil(ms))));
  }

  /**
   * A slot for a reply on the channel's global clock, with burstMs of allowance: waits
   * in-process (never longer than maxWaitMs in total) and then takes the slot.
   */
  async acquireReply(burstMs: number, maxWaitMs = 60_000): Promise<void> {
    const started = Date.now();
    for (;;) {
      const gap = this.rule.globalGapMs > 0 ? (this.rule.globalGapMs + Math.random() * this.rule.jitterMs).toFixed(3) : "0";
      const wait = Number(await this.redis.eval(REPLY, 1, this.key("global"), gap, String(burstMs)));
      if (wait <= 0 || Date.now() - started + wait > maxWaitMs) return;
      await sleep(wait);
    }
  }

  /**
   * Counts one proactive message against today's cap (the office's day, dayKey). False when
   * the cap is reached: nothing more goes out until the next day.
   */
  async takeDaily(cap: number, dayKey: string): Promise<boolean> {
    return Number(await this.redis.eval(DAILY, 1, this.key(`day:${dayKey}`), String(cap), String(2 * 24 * 3600_000))) === 1;
  }

  /** Undoes takeDaily when the message was not sent after all. */
  async untakeDaily(dayKey: string): Promise<void> {
    await this.redis.eval(UNTAKE_DAILY, 1, this.key(`day:${dayKey}`));
  }

  /**
   * Call after the platform answered a send: the recipient's gap then also counts from the
   * answer, so a request that left late (busy event loop) cannot arrive close to the next one.
   */
  async sentTo(address: string): Promise<void> {
    const gap = this.rule.recipientGapMs(address);
    if (gap > 0) await this.redis.eval(SENT_TO, 1, this.key(`to:${address}`), String(gap));
  }

  /** Proactive messages counted today. */
  async sentToday(dayKey: string): Promise<number> {
    return Number((await this.redis.get(this.key(`day:${dayKey}`))) ?? 0);
  }

  /** Lifts a pause early (e.g. WhatsApp lifted its reach-out time lock). */
  async resume(): Promise<void> {
    await this.redis.del(this.key("pause"));
  }

  /** How long this channel is still paused, in ms (0 when not paused). */
  async pausedFor(): Promise<number> {
    return Number(await this.redis.eval(PAUSED_FOR, 1, this.key("pause")));
  }
}
