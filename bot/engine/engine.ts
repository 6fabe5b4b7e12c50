// The conversation engine: one inbound event in, replies out, the same for every channel.
// Per message: per-person lock → dedupe on the platform's update id → load who and the
// session → global words, link codes, ticket codes → the current step → save → replies.
import { z } from "zod";
import { findLinkCode, linkCodeFailures, redeemLinkCode } from "../../core/auth/link-codes.js";
import type { ConversationState } from "../../core/db/generated/enums.js";
import { conversationState, recordTranscript, releaseByPerson, type TranscriptLine } from "../../core/inbox/service.js";
import { isLocale, type MessageKey, type Params, t } from "../../core/messages/index.js";
import { queueIdleReminder } from "../../core/notifications/idle.js";
import type { Locale } from "../../core/reference/index.js";
import type { AppContext } from "../../core/runtime/context.js";
import { isServiceOutage, redisDeadline } from "../../core/runtime/outage.js";
import { type Redis, reportRedisOutages } from "../../core/runtime/redis.js";
import { storeAttachment } from "../../core/storage/index.js";
import { findTicketCode } from "../../core/validation/request.js";
import { boundRaw } from "../../core/validation/text.js";
import { type ConversationEngine, FileTooLargeError, type InboundEvent, type OutboundMessage } from "../channels/types.js";
import { handOffToStaff } from "../flows/human.js";
import { describeTicketWithFiles } from "../flows/status.js";
import type { Answer, Flow, Outcome, Prompt, StoredFile, StoreFileOptions, Turn, Who } from "./flow.js";
import { saveLocale } from "./identity.js";
import { globalWord, handoffWord, matchChoice, matchChoiceList } from "./input.js";
import { IdentityLocks } from "./lock.js";
import { safeError } from "./log.js";
import { type IdleJob, IdleReminders } from "./reminders.js";
import { MENU_FLOW, MENU_STEP, resetSession, type Session } from "./session.js";
import { TurnStore } from "./store.js";

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

const eventSchema = z.object({
  channel: z.enum(["telegram", "whatsapp", "web"]),
  externalId: z.string().min(1).max(200),
  updateId: z.string().min(1).max(200),
  kind: z.enum(["text", "choice", "file", "unsupported", "group"]),
  text: z.string().optional(),
  choiceId: z.string().max(200).optional(),
});

const MAX_TEXT = 4000;
const MAX_OUTCOMES_PER_TURN = 6;

/** Joins plain notes into the message that follows them, so a turn sends as few messages as possible. */
export function compact(messages: OutboundMessage[]): OutboundMessage[] {
  const out: OutboundMessage[] = [];
  let carry: string[] = [];
  for (const m of messages) {
    if (!m.text && !m.document) continue;
    const plain = !m.choices?.length && !m.document;
    if (plain) {
      carry.push(m.text);
      continue;
    }
    if (carry.length && !m.document) {
      out.push({ ...m, text: [...carry, m.text].join("\n\n") });
    } else {
      if (carry.length) out.push({ text: carry.join("\n\n") });
      out.push(m);
    }
    carry = [];
  }
  if (carry.length) out.push({ text: carry.join("\n\n") });
  return out.map((m) => (m.text.length > MAX_TEXT ? { ...m, text: `${m.text.slice(0, MAX_TEXT - 1)}…` } : m));
}

const toMessage = (p: Prompt): OutboundMessage => {
  const msg: OutboundMessage = { text: p.text };
  if (p.choices?.length) msg.choices = p.choices.map((c) => (c.selected ? { id: c.id, label: c.label, selected: true } : { id: c.id, label: c.label }));
  if (p.multi) msg.multi = true;
  return msg;
};

/** A pressed button: by id, or "#<number>" when the id was too long for the platform. */
function findChoice<C extends { id: string }>(choices: readonly C[], id: string | undefined): C | undefined {
  if (!id) return undefined;
  const byId = choices.find((c) => c.id === id);
  if (byId) return byId;
  const n = /^#(\d{1,3})$/.exec(id);
  return n ? choices[Number(n[1]) - 1] : undefined;
}

interface TurnState {
  event: InboundEvent;
  who: Who;
  session: Session;
  now: Date;
  replies: OutboundMessage[];
  outcome: string;
  /** The Inbox conversation's state: WAITING or HUMAN keep the bot quiet (null: never recorded). */
  conversation: ConversationState | null;
  /** What the person sent, as the transcript shows it (a pressed button's label, a stored file). */
  inbound: { text: string; attachmentId: string | null };
}

/** Outcomes of an answer the bot did not understand. */
const MISSES = new Set(["invalid-choice", "invalid", "empty", "stale", "file-not-expected"]);

export class ChatEngine implements Engine {
  private readonly flows = new Map<string, Flow>();
  private readonly locks: IdentityLocks;
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
    for (const f of flows) {
      if (this.flows.has(f.id)) throw new Error(`duplicate flow id ${f.id}`);
      this.flows.set(f.id, f);
    }
    if (!this.flows.has(MENU_FLOW)) throw new Error("the flows must include the menu flow");
    this.now = opts.now ?? (() => new Date());
    this.ttlMs = opts.sessionTtlMs ?? 24 * 3600_000;
    this.resumeAfterMs = opts.resumeAfterMs ?? 30 * 60_000;
    this.log = ctx.log.child({ mod: "bot" });
    // The locks get their own connection with auto-pipelining: under load the lock commands of
    // many people leave in one write, instead of one (measurably costly) system call each.
    // No offline queue: while Redis is down a lock attempt fails at once (the person is told the
    // service is briefly disturbed) instead of waiting, or running late on a fresh Redis.
    this.lockRedis = ctx.redis.duplicate({ enableAutoPipelining: true, enableOfflineQueue: false });
    reportRedisOutages(this.lockRedis, this.log, "locks");
    this.locks = new IdentityLocks(this.lockRedis, ctx.redisPrefix, { ttlMs: opts.lockTtlMs });
    this.reminders = new IdleReminders(ctx, opts.idleReminderMs ?? 30 * 60_000);
    this.store = new TurnStore(ctx);
    if (opts.reminders !== false) this.reminders.start((job) => this.deliverIdleReminder(job));
  }

  handle(event: InboundEvent): Promise<OutboundMessage[]> {
    const parsed = eventSchema.safeParse(event);
    if (!parsed.success || this.closed) return Promise.resolve([]);
    // Queued synchronously, so messages of one person keep their arrival order.
    return this.locks
      .run(`${event.channel}:${event.externalId}`, () => this.handleLocked(event))
      .catch((err) => {
        if (!isServiceOutage(err)) throw err;
        // Redis (the per-person lock) unreachable: nothing was handled; say so politely at once.
        this.log.warn({ err: safeError(err), channel: event.channel }, "message not handled: a service is unreachable");
        return [{ text: t(isLocale(event.languageHint) ? event.languageHint : "id", "bot.disturbed") }];
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.locks.drain();
    await this.reminders.close();
    await this.store.close();
    await this.lockRedis.quit().catch(() => this.lockRedis.disconnect()); // lets the last lock releases go out
  }

  // ---------------------------------------------------------------- one message

  private async handleLocked(event: InboundEvent): Promise<OutboundMessage[]> {
    const started = performance.now();
    const { db } = this.ctx;
    let locale: Locale = "id";
    try {
      if (event.kind === "group") return await this.groupHint(event);
      const now = this.now();
      const start = await this.store.begin(event, now, this.ttlMs);
      if (!start.fresh) {
        this.log.debug({ channel: event.channel, update: event.updateId }, "duplicate update ignored");
        return [];
      }
      const { who, session } = start;
      locale = who.locale;
      // The simulator page's own language choice counts on first contact; chat apps start in Indonesian.
      if (session.isNew && event.channel === "web" && isLocale(event.languageHint) && event.languageHint !== session.locale) {
        session.locale = event.languageHint;
        await saveLocale(db, who, session.locale);
      }
      const conversation = await conversationState(db, who.identityId);
      const inboundText = event.kind === "text" ? (event.text ?? "") : event.kind === "file" ? (event.file?.caption ?? "") : "";
      const ts: TurnState = { event, who, session, now, replies: [], outcome: "step", conversation, inbound: { text: inboundText, attachmentId: null } };
      await this.turn(ts);
      this.countMisses(ts);
      const armIdle = this.flows.get(session.flow)?.resumable && (session.data.idleDue ?? 0) <= now.getTime();
      if (armIdle) session.data.idleDue = now.getTime() + this.reminders.delay;
      await this.store.finish(event, who, session, now, this.ttlMs);
      const replies = compact(ts.replies);
      await this.recordTranscript(ts, replies);
      // Not awaited: the reply need not wait for Redis; a failure only costs one reminder.
      if (armIdle)
        this.reminders.schedule(session.id, session.data.idleDue!).catch((err) => this.log.warn({ err: safeError(err) }, "idle reminder not scheduled"));
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

  /** The turn in the Inbox transcript: what the person sent, then the bot's replies. */
  private async recordTranscript(ts: TurnState, replies: readonly OutboundMessage[]): Promise<void> {
    const lines: TranscriptLine[] = [{ author: "PERSON", text: ts.inbound.text.slice(0, 4000), attachmentId: ts.inbound.attachmentId }];
    for (const r of replies) {
      const choices = r.choices?.length ? `\n${r.choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n")}` : "";
      lines.push({ author: "BOT", text: `${r.text}${choices}`, attachmentId: r.document?.attachmentId ?? null });
    }
    const person = { identityId: ts.who.identityId, requesterId: ts.who.requester?.id ?? null, defaultOfficeId: this.ctx.defaultOfficeId };
    await recordTranscript(this.ctx.db, person, lines, ts.now);
  }

  /** Two answers in a row not understood: offer a member of staff. */
  private countMisses(ts: TurnState): void {
    const data = ts.session.data;
    if (!MISSES.has(ts.outcome)) {
      data.misses = undefined;
      return;
    }
    data.misses = (data.misses ?? 0) + 1;
    if (data.misses >= 2) {
      data.misses = undefined;
      this.say(ts, "inbox.handoff.offer");
    }
  }

  private async groupHint(event: InboundEvent): Promise<OutboundMessage[]> {
    // Once per ten minutes per group, so a busy group is not flooded.
    const first = await redisDeadline(
      this.ctx.redis.set(`${this.ctx.redisPrefix}:bot:group:${event.channel}:${event.externalId}`, "1", "EX", 600, "NX"),
      "group hint",
    );
    return first === "OK" ? [{ text: t("id", "bot.group") }] : [];
  }

  private tr(ts: TurnState) {
    const locale = ts.session.locale;
    return (key: MessageKey, params?: Params) => t(locale, key, params);
  }

  private say(ts: TurnState, key: MessageKey, params?: Params) {
    ts.replies.push({ text: this.tr(ts)(key, params) });
  }

  private async turn(ts: TurnState): Promise<void> {
    const { session, event, now } = ts;
    const tr = this.tr(ts);

    if (!session.isNew && session.updatedAt.getTime() + this.ttlMs <= now.getTime()) {
      const hadForm = this.flows.get(session.flow)?.resumable || session.data.paused;
      resetSession(session);
      session.data.paused = undefined;
      if (hadForm) this.say(ts, "bot.resume.expired");
    }

    const text = event.kind === "text" && event.text ? boundRaw(event.text) : "";

    // Human takeover: asking for staff works everywhere; while staff handle the conversation the
    // bot stays quiet, except for the global words and "selesai", which hands it back.
    const handoff = event.kind === "text" ? handoffWord(text) : null;
    if (handoff === "handoff") {
      ts.outcome = "handoff";
      ts.replies.push({ text: await handOffToStaff(this.ctx, ts.who, tr, now) });
      ts.conversation = "WAITING";
      return;
    }
    const quiet = ts.conversation === "WAITING" || ts.conversation === "HUMAN";
    if (quiet && handoff === "release") {
      ts.outcome = "release";
      await releaseByPerson(this.ctx.db, ts.who.identityId);
      ts.conversation = "BOT";
      session.data.pending = undefined;
      resetSession(session);
      this.say(ts, "inbox.released");
      ts.replies.push(this.menuPrompt(ts));
      return;
    }
    if (quiet) {
      const word = event.kind === "text" ? globalWord(text) : null;
      if (word) {
        ts.outcome = `word:${word}`;
        await this.globalWord(ts, word);
        this.say(ts, "inbox.handoff.note");
        return;
      }
      ts.outcome = "with-staff";
      if (event.kind === "choice") ts.inbound.text = event.choiceId ?? "";
      if (event.kind === "file") {
        // Kept for staff to see in the transcript; refused files are explained as usual.
        const stored = await this.storeFile(ts);
        if (!stored.ok) ts.replies.push(stored.reply);
      }
      return;
    }

    if (event.kind === "text") {
      const word = globalWord(text);
      if (word) {
        ts.outcome = `word:${word}`;
        return this.globalWord(ts, word);
      }
      const link = text.length <= 40 ? findLinkCode(text) : null;
      if (link) {
        ts.outcome = "link";
        // Guessing codes is throttled per chat: a few wrong ones an hour, then not even a right one.
        const failures = linkCodeFailures(this.ctx.redis, this.ctx.redisPrefix, ts.who.identityId);
        if (await redisDeadline(failures.exhausted(), "link code failures")) {
          ts.replies.push({ text: tr("bot.link.tooMany") });
          return this.repromptUnlessMenu(ts);
        }
        const user = await redeemLinkCode(this.ctx.db, link, ts.who.identityId, now);
        if (user) ts.who.user = { id: user.id, name: user.name, roles: user.roles, officeId: user.officeId };
        else await redisDeadline(failures.add(), "link code failures");
        ts.replies.push({ text: user ? tr("bot.link.ok", { name: user.name }) : tr("bot.link.invalid") });
        return this.repromptUnlessMenu(ts);
      }
      const code = text.length <= 40 ? findTicketCode(text) : null;
      if (code) {
        ts.outcome = "ticket";
        ts.replies.push(...(await describeTicketWithFiles(this.ctx, ts.who, session.locale, code)));
        return this.repromptUnlessMenu(ts);
      }
    }

    if (session.data.pending) return this.pendingQuestion(ts, text);

    if (session.isNew) {
      ts.outcome = "welcome";
      return this.showMenu(ts, true);
    }

    if (this.flows.get(session.flow)?.resumable && now.getTime() - session.updatedAt.getTime() >= this.resumeAfterMs) {
      ts.outcome = "resume";
      session.data.pending = "resume";
      ts.replies.push(this.resumePrompt(ts, "bot.resume.prompt"));
      return;
    }

    return this.stepAnswer(ts, text);
  }

  private async stepAnswer(ts: TurnState, text: string): Promise<void> {
    const { session, event } = ts;
    const flow = this.flows.get(session.flow);
    const step = flow?.steps[session.step];
    if (!flow || !step) {
      resetSession(session);
      return this.showMenu(ts, false);
    }
    const turn = this.makeTurn(ts);
    const prompt = step.prompt(turn);
    const choices = prompt.choices ?? [];
    const answer: Answer = { text };

    switch (event.kind) {
      case "choice": {
        const choice = findChoice(choices, event.choiceId);
        ts.inbound.text = choice?.label ?? event.choiceId ?? "";
        if (!choice) {
          ts.outcome = "stale";
          this.say(ts, "bot.invalid.staleButton");
          ts.replies.push(toMessage(prompt));
          return;
        }
        answer.choice = choice;
        break;
      }
      case "file": {
        if (step.expects !== "file") {
          if (session.flow === MENU_FLOW) {
            const claimer = await this.claimingFlow(ts);
            if (claimer) return this.startFlow(ts, claimer.id);
          }
          ts.outcome = "file-not-expected";
          this.say(ts, "bot.fileNotExpected");
          ts.replies.push(toMessage(prompt));
          return;
        }
        answer.file = event.file;
        answer.text = event.file?.caption ? boundRaw(event.file.caption) : "";
        break;
      }
      case "text": {
        if (!text) {
          ts.outcome = "empty";
          this.say(ts, "invalid.generic");
          ts.replies.push(toMessage(prompt));
          return;
        }
        answer.choice = matchChoice(text, choices);
        if (prompt.multi && !answer.choice) answer.choices = matchChoiceList(text, choices);
        const acceptsText = step.freeText || choices.length === 0 || step.expects === "file";
        if (!answer.choice && !answer.choices && !acceptsText) {
          ts.outcome = "invalid-choice";
          this.say(ts, "bot.invalid.choice");
          ts.replies.push(toMessage(prompt));
          return;
        }
        break;
      }
      default: {
        ts.outcome = "unsupported";
        this.say(ts, "bot.unsupported");
        if (session.flow !== MENU_FLOW) ts.replies.push(toMessage(prompt));
        return;
      }
    }
    const outcome = await step.answer(answer, turn);
    if (outcome.to === "stay" && outcome.invalid) ts.outcome = "invalid";
    await this.apply(ts, outcome);
  }

  private async claimingFlow(ts: TurnState): Promise<Flow | undefined> {
    for (const f of this.flows.values()) {
      if (f.claims && (await f.claims(ts.event, ts.who, this.ctx))) return f;
    }
    return undefined;
  }

  // ---------------------------------------------------------------- outcomes

  private async apply(ts: TurnState, first: Outcome): Promise<void> {
    let outcome: Outcome | null = first;
    for (let i = 0; outcome && i < MAX_OUTCOMES_PER_TURN; i++) {
      ts.replies.push(...outcome.say);
      const current: Outcome = outcome;
      outcome = null;
      switch (current.to) {
        case "step": {
          const flow = this.flows.get(ts.session.flow);
          if (!flow?.steps[current.step]) throw new Error(`flow ${ts.session.flow} has no step ${current.step}`);
          if (ts.session.step && ts.session.step !== current.step) ts.session.data.history.push(ts.session.step);
          ts.session.step = current.step;
          this.reprompt(ts);
          break;
        }
        case "stay":
          this.reprompt(ts);
          break;
        case "end":
          resetSession(ts.session);
          if (current.menu) ts.replies.push(this.menuPrompt(ts));
          break;
        case "flow":
          outcome = await this.enterFlow(ts, current.flow);
          break;
      }
    }
  }

  /** Begins a flow (or offers its paused draft); returns the flow's first outcome. */
  private async enterFlow(ts: TurnState, flowId: string): Promise<Outcome | null> {
    const { session } = ts;
    if (flowId === MENU_FLOW) {
      this.pauseIfResumable(session);
      resetSession(session);
      ts.replies.push(this.menuPrompt(ts));
      return null;
    }
    const flow = this.flows.get(flowId);
    if (!flow) throw new Error(`unknown flow ${flowId}`);
    this.pauseIfResumable(session);
    if (session.data.paused?.flow === flowId) {
      resetSession(session);
      session.data.pending = "resume";
      ts.replies.push(this.resumePrompt(ts, "form.draft.resume"));
      return null;
    }
    const paused = session.data.paused;
    session.flow = flowId;
    session.step = "";
    session.data = { state: {}, history: [], run: session.data.run + 1, paused, idleDue: session.data.idleDue };
    return flow.begin(this.makeTurn(ts));
  }

  private async startFlow(ts: TurnState, flowId: string): Promise<void> {
    const outcome = await this.enterFlow(ts, flowId);
    if (outcome) await this.apply(ts, outcome);
  }

  private pauseIfResumable(session: Session): void {
    const flow = this.flows.get(session.flow);
    if (flow?.resumable && session.step) {
      const { state, history, run } = session.data;
      session.data.paused = { flow: session.flow, step: session.step, state, history, run };
    }
  }

  private reprompt(ts: TurnState): void {
    const flow = this.flows.get(ts.session.flow);
    const step = flow?.steps[ts.session.step];
    if (!step) {
      resetSession(ts.session);
      ts.replies.push(this.menuPrompt(ts));
      return;
    }
    ts.replies.push(toMessage(step.prompt(this.makeTurn(ts))));
  }

  private repromptUnlessMenu(ts: TurnState): void {
    if (ts.session.data.pending) ts.replies.push(ts.session.data.pending === "language" ? this.languagePrompt() : this.resumePrompt(ts, "bot.resume.prompt"));
    else if (ts.session.flow !== MENU_FLOW) this.reprompt(ts);
  }

  // ---------------------------------------------------------------- menu, words, engine questions

  private menuPrompt(ts: TurnState): OutboundMessage {
    const menu = this.flows.get(MENU_FLOW)!;
    return toMessage(menu.steps[MENU_STEP]!.prompt(this.makeTurn(ts)));
  }

  private showMenu(ts: TurnState, welcome: boolean): void {
    if (welcome) {
      const name = ts.who.displayName ? `, ${ts.who.displayName}` : "";
      this.say(ts, "bot.welcome", { name });
    }
    ts.replies.push(this.menuPrompt(ts));
  }

  private languagePrompt(): OutboundMessage {
    return {
      text: t("id", "bot.language.prompt"),
      choices: [
        { id: "lang:id", label: "Bahasa Indonesia" },
        { id: "lang:en", label: "English" },
      ],
    };
  }

  private resumePrompt(ts: TurnState, key: MessageKey): OutboundMessage {
    const tr = this.tr(ts);
    return {
      text: tr(key),
      choices: [
        { id: "resume:continue", label: tr("bot.resume.continue") },
        { id: "resume:restart", label: tr("bot.resume.restart") },
      ],
    };
  }

  private async globalWord(ts: TurnState, word: NonNullable<ReturnType<typeof globalWord>>): Promise<void> {
    const { session } = ts;
    const tr = this.tr(ts);
    switch (word) {
      case "menu": {
        session.data.pending = undefined;
        this.pauseIfResumable(session);
        resetSession(session);
        return this.showMenu(ts, /^\/?start\b/i.test(ts.event.text?.trim() ?? ""));
      }
      case "cancel": {
        if (session.data.pending) {
          session.data.pending = undefined;
          if (session.flow === MENU_FLOW) session.data.paused = undefined;
          this.say(ts, "bot.cancelled");
          return this.flowOrMenu(ts);
        }
        const flow = this.flows.get(session.flow);
        if (session.flow !== MENU_FLOW) this.say(ts, flow?.resumable ? "form.cancelled" : "bot.cancelled");
        resetSession(session);
        ts.replies.push(this.menuPrompt(ts));
        return;
      }
      case "back": {
        if (session.data.pending) {
          session.data.pending = undefined;
          return this.flowOrMenu(ts);
        }
        const previous = session.data.history.pop();
        if (previous && session.flow !== MENU_FLOW) {
          session.step = previous;
          return this.reprompt(ts);
        }
        if (session.flow === MENU_FLOW) return this.showMenu(ts, false);
        this.say(ts, "bot.back.none");
        return this.reprompt(ts);
      }
      case "help": {
        const step = this.flows.get(session.flow)?.steps[session.step];
        ts.replies.push({ text: tr(step?.help ?? "bot.help") });
        return this.flowOrMenu(ts);
      }
      case "language":
        session.data.pending = "language";
        ts.replies.push(this.languagePrompt());
        return;
      case "lang_id":
      case "lang_en":
        return this.switchLanguage(ts, word === "lang_en" ? "en" : "id");
    }
  }

  /** After an aside: ask the engine question or the current step again, or show the menu. */
  private flowOrMenu(ts: TurnState): void {
    if (ts.session.data.pending) this.repromptUnlessMenu(ts);
    else if (ts.session.flow === MENU_FLOW) ts.replies.push(this.menuPrompt(ts));
    else this.reprompt(ts);
  }

  private async switchLanguage(ts: TurnState, locale: Locale): Promise<void> {
    ts.session.locale = locale;
    ts.session.data.pending = undefined;
    await saveLocale(this.ctx.db, ts.who, locale);
    this.say(ts, "bot.language.switched");
    this.flowOrMenu(ts);
  }

  private async pendingQuestion(ts: TurnState, text: string): Promise<void> {
    const { session, event } = ts;
    const prompt = session.data.pending === "language" ? this.languagePrompt() : this.resumePrompt(ts, "bot.resume.prompt");
    const choices = prompt.choices ?? [];
    const choice = event.kind === "choice" ? findChoice(choices, event.choiceId) : event.kind === "text" ? matchChoice(text, choices) : undefined;
    if (!choice) {
      ts.outcome = "invalid-choice";
      this.say(ts, event.kind === "choice" ? "bot.invalid.staleButton" : "bot.invalid.choice");
      ts.replies.push(prompt);
      return;
    }
    ts.outcome = choice.id;
    switch (choice.id) {
      case "lang:id":
      case "lang:en":
        return this.switchLanguage(ts, choice.id === "lang:en" ? "en" : "id");
      case "resume:continue": {
        session.data.pending = undefined;
        const paused = session.data.paused;
        if (paused && session.flow === MENU_FLOW) {
          session.flow = paused.flow;
          session.step = paused.step;
          session.data = { ...session.data, state: paused.state, history: paused.history, run: Math.max(paused.run, session.data.run), paused: undefined };
        }
        return this.reprompt(ts);
      }
      default: {
        session.data.pending = undefined;
        const flowId = session.data.paused && session.flow === MENU_FLOW ? session.data.paused.flow : session.flow;
        session.data.paused = undefined;
        resetSession(session);
        return this.startFlow(ts, flowId);
      }
    }
  }

  // ---------------------------------------------------------------- turn helpers for flows

  private makeTurn(ts: TurnState): Turn {
    const { session } = ts;
    const locale = session.locale;
    return {
      app: this.ctx,
      now: ts.now,
      locale,
      t: (key, params) => t(locale, key, params),
      who: ts.who,
      event: ts.event,
      state: session.data.state,
      runKey: `${session.id}:${session.data.run}`,
      storeFile: (opts) => this.storeFile(ts, opts),
    };
  }

  private async storeFile(ts: TurnState, opts: StoreFileOptions = {}): Promise<StoredFile> {
    const tr = this.tr(ts);
    const file = ts.event.file;
    const maxMb = this.ctx.config.MAX_UPLOAD_MB;
    const maxBytes = Math.floor(maxMb * 1024 * 1024);
    const refuse = (key: MessageKey): StoredFile => ({ ok: false, reply: { text: tr(key, { max: maxMb }) } });
    if (!file) return refuse("bot.invalid.needFile");
    if (file.size !== undefined && file.size > maxBytes) return refuse("bot.file.tooLarge");
    let bytes: Buffer;
    try {
      bytes = await file.download();
    } catch (err) {
      if (err instanceof FileTooLargeError) return refuse("bot.file.tooLarge");
      this.log.warn({ err: safeError(err), channel: ts.event.channel }, "file download failed");
      return refuse("bot.file.failed");
    }
    const stored = await storeAttachment(this.ctx.db, this.ctx.storage, {
      bytes,
      fileName: file.fileName,
      maxBytes,
      allowed: opts.allowed,
      requestId: opts.requestId,
      uploadedById: opts.uploadedById,
    });
    if (!stored.ok) return refuse(stored.reason === "too_large" ? "bot.file.tooLarge" : stored.reason === "empty" ? "bot.file.empty" : "bot.file.badType");
    const a = stored.attachment;
    ts.inbound.attachmentId = a.id;
    return { ok: true, attachment: { id: a.id, fileName: a.fileName, mimeType: a.mimeType, size: a.size } };
  }

  // ---------------------------------------------------------------- idle reminders

  private async deliverIdleReminder(job: IdleJob): Promise<void> {
    const found = await this.ctx.db.conversationSession.findUnique({ where: { id: job.sessionId }, select: { channel: true, externalId: true } });
    if (!found) return;
    await this.locks.run(`${found.channel}:${found.externalId}`, async () => {
      const session = await this.ctx.db.conversationSession.findUnique({ where: { id: job.sessionId } });
      if (!session || !this.flows.get(session.flow)?.resumable || session.updatedAt.getTime() + this.ttlMs <= Date.now()) return;
      // The person answered since this job was armed: wait for 30 minutes after that answer.
      const due = session.updatedAt.getTime() + this.reminders.delay;
      if (due > Date.now()) return this.reminders.schedule(session.id, due);
      // Through the outbox and the paced queue, like every notice that is not a direct reply.
      const queued = await queueIdleReminder(this.ctx.db, { channel: session.channel, externalId: session.externalId }, session.id, due);
      this.log.info({ channel: session.channel, session: session.id, queued }, "idle reminder queued");
    });
  }
}
