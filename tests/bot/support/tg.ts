// The real Telegraf bot (TelegramChannel on the engine) against the emulator, and people who
// talk to it over HTTP. Each step waits until the bot reports the update handled (its replies
// are then stored in the emulator), so tests poll nothing and never sleep.
import { TelegramChannel } from "../../../bot/channels/telegram/channel.js";
import { createEngine, type Engine, type EngineOptions } from "../../../bot/engine/index.js";
import type { AppContext } from "../../../core/runtime/context.js";
import type { BotApiServer, BotApiUser, BotMessage } from "../../support/bot-api-server.js";

export const TOKEN = "123456:TEST-sibina-bot-token";

export class TelegramBotUnderTest {
  engine!: Engine;
  channel!: TelegramChannel;
  private readonly handled = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly ctx: AppContext,
    readonly emu: BotApiServer,
    private readonly engineOpts: EngineOptions = { reminders: false },
    private readonly channelOpts: { pollTimeoutSeconds?: number } = {},
  ) {}

  /** Updates handled so far, over all chats (a redelivered update counts again). */
  total(): number {
    let n = 0;
    for (const v of this.handled.values()) n += v;
    return n;
  }

  async start(): Promise<this> {
    this.engine = createEngine(this.ctx, this.engineOpts);
    this.channel = new TelegramChannel(this.ctx, this.engine, {
      token: TOKEN,
      apiRoot: this.emu.apiRoot,
      ...this.channelOpts,
      onHandled: ({ externalId }) => {
        this.handled.set(externalId, (this.handled.get(externalId) ?? 0) + 1);
        for (const w of [...this.waiters]) w();
      },
    });
    await this.channel.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.channel.stop();
    await this.engine.close();
  }

  /** Stops the bot process and starts a fresh one on the same database (a restart or deploy). */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  count(chatId: number): number {
    return this.handled.get(String(chatId)) ?? 0;
  }

  /** Resolves once `n` updates of this chat were handled in total. */
  waitHandled(chatId: number, n: number, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.count(chatId) >= n) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`chat ${chatId}: ${this.count(chatId)} of ${n} updates handled after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  user(chatId: number, firstName = "Siti", type: "private" | "group" = "private"): TgUser {
    return new TgUser(this, chatId, firstName, type);
  }
}

export class TgUser {
  last: BotMessage[] = [];
  readonly client: BotApiUser;

  constructor(
    readonly bot: TelegramBotUnderTest,
    readonly chatId: number,
    firstName: string,
    type: "private" | "group",
  ) {
    this.client = bot.emu.user(TOKEN, { chatId, firstName, type });
  }

  /** Runs `act`, waits for `updates` handled updates of this chat, returns the bot's new messages. */
  async exchange(act: () => unknown, updates = 1): Promise<BotMessage[]> {
    const target = this.bot.count(this.chatId) + updates;
    await act();
    await this.bot.waitHandled(this.chatId, target);
    this.last = this.bot.emu.botMessages(TOKEN, this.chatId);
    return this.last;
  }

  say(text: string) {
    return this.exchange(() => this.client.text(text));
  }

  command(text: string) {
    return this.exchange(() => this.client.text(text));
  }

  /** Presses an inline button of the latest bot messages, by (part of) its label. */
  press(label: string | RegExp) {
    const button = this.buttons().find((b) => (typeof label === "string" ? b.text.includes(label) : label.test(b.text)));
    if (!button) throw new Error(`no button ${label} in ${JSON.stringify(this.buttons().map((b) => b.text))}\n${this.text()}`);
    return this.exchange(() => this.client.press(button.data));
  }

  document(bytes: Buffer, fileName: string, mime: string, caption?: string) {
    return this.exchange(() => this.client.document(bytes, fileName, mime, caption));
  }

  photo(bytes: Buffer) {
    return this.exchange(() => this.client.photo(bytes));
  }

  /** Sends any raw message fields (sticker, location, contact...). */
  raw(fields: Record<string, unknown>) {
    return this.exchange(() => this.client.message(fields));
  }

  buttons() {
    return this.last.flatMap((m) => m.buttons);
  }

  text() {
    return this.last.map((m) => m.text).join("\n---\n");
  }
}
