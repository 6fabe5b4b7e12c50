// The conversation engine: one inbound event in, replies out, the same for every channel.
// This file is the turn pipeline, top to bottom:
//   receive (validate) → lock the chat → dedupe + load who and session (one statement, store.ts)
//   → route: expiry, staff takeover, global words, codes, engine questions, the flow's step
//   → save (one statement) → transcript → replies.
// Each stage lives in a module named after it; they share the turn state of turn.ts.
import { conversationState } from "../../core/inbox/service.js";
import { t } from "../../core/messages/index.js";
import type { Locale } from "../../core/reference/index.js";
import type { AppContext } from "../../core/runtime/context.js";
import { ChatTurnLocks } from "../../core/runtime/locks.js";
import { isServiceOutage } from "../../core/runtime/outage.js";
import { type Redis, reportRedisOutages } from "../../core/runtime/redis.js";
import { boundRaw } from "../../core/validation/text.js";
import type { Arrival, ConversationEngine, InboundEvent, OutboundMessage } from "../channels/types.js";
import { answerCode } from "./codes.js";
import type { Flow } from "./flow.js";
import { answerGlobalWord } from "./global-words.js";
import { groupHint } from "./group.js";
import { answerTakeover } from "./handoff.js";
import { globalWord } from "./input.js";
import { adoptFirstContactLocale } from "./language.js";
import { safeError } from "./log.js";
import { showMenu } from "./navigation.js";
import { armIdleReminder, deliverIdleReminder, IdleReminders } from "./reminders.js";
import { compact } from "./replies.js";
import { answerPending, askToResume, expireIfStale } from "./resume.js";
import { answerStep, countMisses } from "./step.js";
import { TurnStore } from "./store.js";
import { recordTurn } from "./transcript.js";
import { FlowRegistry, type TurnEnv, type TurnState } from "./turn.js";
import { chatOf, disturbed, isValidEvent, receiveInTurn } from "./turn-order.js";

export { compact } from "./replies.js";

export interface EngineOptions {
  /** The flows to run (default: bot/flows registry). Must include the "menu" flow. */
  flows?: readonly Flow[];
  /** Clock, for tests. */
  now?: () => Date;
  /** Silence before the idle reminder (default 30 min). */
  idleReminderMs?: number;
  /** Silence after which a returning person is asked to continue or start over (default 30 min). */
  resumeAfterMs?: number;
  /** Silence after which a session expires (default 24 h). */
  sessionTtlMs?: number;
  /** Run the idle-reminder worker in this process (default true). Scheduling always happens. */
  reminders?: boolean;
  /** Per-person lock expiry (default 8 s, renewed while held). */
  lockTtlMs?: number;
}

export interface Engine extends ConversationEngine {
  handle(event: InboundEvent): Promise<OutboundMessage[]>;
  /** Waits for queued messages, stops the reminder worker. Does not close ctx. */
  close(): Promise<void>;
}

export class ChatEngine implements Engine {
  private readonly env: TurnEnv;
  private readonly locks: ChatTurnLocks;
  private readonly reminders: IdleReminders;
  private readonly store: TurnStore;
  private readonly lockRedis: Redis;
  private readonly now: () => Date;
  private readonly ttlMs: number;
  private readonly resumeAfterMs: number;
  private readonly log: AppContext["log"];
  private closed = false;

  constructor(
    private readonly ctx: AppContext,
    flows: readonly Flow[],
    opts: EngineOptions = {},
  ) {
    this.log = ctx.log.child({ mod: "bot" });
    this.env = { ctx, flows: new FlowRegistry(flows), log: this.log };
    this.now = opts.now ?? (() => new Date());
    this.ttlMs = opts.sessionTtlMs ?? 24 * 3600_000;
    this.resumeAfterMs = opts.resumeAfterMs ?? 30 * 60_000;
    // The locks get their own connection with auto-pipelining: under load the lock commands of
    // many people leave in one write, instead of one (measurably costly) system call each.
    // No offline queue: while Redis is down a lock attempt fails at once (the person is told the
    // service is briefly disturbed) instead of waiting, or running late on a fresh Redis.
    this.lockRedis = ctx.redis.duplicate({ enableAutoPipelining: true, enableOfflineQueue: false });
    reportRedisOutages(this.lockRedis, this.log, "locks");
    this.locks = new ChatTurnLocks(this.lockRedis, ctx.redisPrefix, { ttlMs: opts.lockTtlMs });
    this.reminders = new IdleReminders(ctx, opts.idleReminderMs ?? 30 * 60_000);
    this.store = new TurnStore(ctx);
    if (opts.reminders !== false) {
      const delivery = {
        ctx,
        flows: this.env.flows,
        reminders: this.reminders,
        underChatLock: (key: string, fn: () => Promise<void>) => this.locks.run(key, fn),
        sessionTtlMs: this.ttlMs,
        log: this.log,
      };
      this.reminders.start((job) => deliverIdleReminder(delivery, job));
    }
  }

  /** Receive (web channel, tests): validate, then handle in the chat's turn; the caller sends the replies. */
  handle(event: InboundEvent): Promise<OutboundMessage[]> {
    if (!isValidEvent(event) || this.closed) return Promise.resolve([]);
    return this.locks
      .run(chatOf(event), () => this.handleLocked(event))
      .catch((err) => {
        if (!isServiceOutage(err)) throw err;
        return disturbed(this.log, event, err);
      });
  }

  /** Receive (chat apps): the event is worked out, handled and its replies sent in the chat's turn. */
  receive(arrival: Arrival): Promise<void> {
    if (this.closed) return Promise.resolve();
    return receiveInTurn(this.locks, arrival, (event) => this.handleLocked(event), this.log);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.locks.drain();
    await this.reminders.close();
    await this.store.close();
    await this.lockRedis.quit().catch(() => this.lockRedis.disconnect()); // lets the last lock releases go out
  }

  /** One message, holding the chat's lock: load, route, save, reply. */
  private async handleLocked(event: InboundEvent): Promise<OutboundMessage[]> {
    const started = performance.now();
    let locale: Locale = "id";
    try {
      if (event.kind === "group") return await groupHint(this.ctx, event);
      const now = this.now();
      // Dedupe and load in one statement: an update id seen before is answered with silence.
      const start = await this.store.begin(event, now, this.ttlMs);
      if (!start.fresh) {
        this.log.debug({ channel: event.channel, update: event.updateId }, "duplicate update ignored");
        return [];
      }
      const { who, session } = start;
      locale = who.locale;
      await adoptFirstContactLocale(this.ctx.db, event, who, session);
      const ts: TurnState = {
        event,
        who,
        session,
        now,
        replies: [],
        outcome: "step",
        conversation: await conversationState(this.ctx.db, who.identityId),
        inbound: { text: inboundText(event), attachmentId: null },
      };
      await this.route(ts);
      countMisses(ts);
      const idleDue = armIdleReminder(this.env.flows, session, now, this.reminders.delay);
      await this.store.finish(event, who, session, now, this.ttlMs);
      const replies = compact(ts.replies);
      await recordTurn(this.ctx, ts, replies);
      // Not awaited: the reply need not wait for Redis; a failure only costs one reminder.
      if (idleDue !== null) this.reminders.schedule(session.id, idleDue).catch((err) => this.log.warn({ err: safeError(err) }, "idle reminder not scheduled"));
      this.logTurn(ts, started);
      return replies;
    } catch (err) {
      // The update is not marked as handled, so a redelivery tries again.
      if (isServiceOutage(err)) {
        this.log.warn({ err: safeError(err), channel: event.channel }, "message not handled: a service is unreachable");
        return [{ text: t(locale, "bot.disturbed") }];
      }
      this.log.error({ err: safeError(err), channel: event.channel, kind: event.kind }, "message handling failed");
      return [{ text: t(locale, "bot.error") }];
    }
  }

  /** Who answers the message: the first stage that takes it, in this order. */
  private async route(ts: TurnState): Promise<void> {
    const { env } = this;
    const { session, event } = ts;
    expireIfStale(env, ts, this.ttlMs);
    const text = event.kind === "text" && event.text ? boundRaw(event.text) : "";
    if (await answerTakeover(env, ts, text)) return;
    if (event.kind === "text") {
      const word = globalWord(text);
      if (word) {
        ts.outcome = `word:${word}`;
        return answerGlobalWord(env, ts, word);
      }
      if (await answerCode(env, ts, text)) return;
    }
    if (session.data.pending) return answerPending(env, ts, text);
    if (session.isNew) {
      ts.outcome = "welcome";
      return showMenu(env, ts, true);
    }
    if (askToResume(env, ts, this.resumeAfterMs)) return;
    return answerStep(env, ts, text);
  }

  private logTurn(ts: TurnState, started: number): void {
    const { event, who, session } = ts;
    this.log.debug(
      {
        channel: event.channel,
        identity: who.identityId,
        kind: event.kind,
        flow: session.flow,
        step: session.step,
        outcome: ts.outcome,
        ms: Math.round(performance.now() - started),
      },
      "message handled",
    );
  }
}

/** What the person sent, as the transcript first shows it (stages may refine it: a button's label). */
function inboundText(event: InboundEvent): string {
  if (event.kind === "text") return event.text ?? "";
  if (event.kind === "file") return event.file?.caption ?? "";
  return "";
}
