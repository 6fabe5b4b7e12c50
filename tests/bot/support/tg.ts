// The real Telegraf bot (TelegramChannel on the engine) against the emulator, and people who
// talk to it over HTTP. Each step waits until the bot reports the update handled (its replies
// are then stored in the emulator), so tests poll nothing and never sleep.
import { TelegramChannel } from "../../../bot/channels/telegram/channel.js";
import { createEngine, type Engine, type EngineOptions } from "../../../bot/engine/index.js";
import type { AppContext } from "../../../core/runtime/context.js";
import type { BotMessage, TelegramEmulator } from "./telegram.js";

export const TOKEN = "123456:TEST-sibina-bot-token";

export class TelegramBotUnderTest {
  engine!: Engine;
  channel!: TelegramChannel;
  private readonly handled = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly ctx: AppContext,
    readonly emu: TelegramEmulator,
    private readonly engineOpts: EngineOptions = { reminders: false },
  ) {}

  async start(): Promise<this> {
    this.engine = createEngine(this.ctx, this.engineOpts);
    this.channel = new TelegramChannel(this.ctx, this.engine, {
      token: TOKEN,
      apiRoot: this.emu.apiRoot,
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
  waitHandled(chatId: number, n: number, timeoutMs = 10_000): Promise<void> {
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
  readonly client;

  constructor(
    readonly bot: TelegramBotUnderTest,
    readonly chatId: number,
    firstName: string,
    type: "private" | "group",
  ) {
    this.client = bot.emu.client(TOKEN, { chatId, firstName, type });
  }

  /** Runs `act`, waits for `updates` handled updates of this chat, returns the bot's new messages. */
  async exchange(act: () => Promise<unknown>, updates = 1): Promise<BotMessage[]> {
    const target = this.bot.count(this.chatId) + updates;
    await act();
    await this.bot.waitHandled(this.chatId, target);
    this.last = await this.bot.emu.botMessages(TOKEN, this.chatId);
    return this.last;
  }

  say(text: string) {
    return this.exchange(() => this.client.sendMessage(this.client.makeMessage(text)));
  }

  command(text: string) {
    return this.exchange(() => this.client.sendCommand(this.client.makeCommand(text)));
  }

  /** Presses an inline button of the latest bot messages, by (part of) its label. */
  press(label: string | RegExp) {
    const button = this.buttons().find((b) => (typeof label === "string" ? b.text.includes(label) : label.test(b.text)));
    if (!button) throw new Error(`no button ${label} in ${JSON.stringify(this.buttons().map((b) => b.text))}\n${this.text()}`);
    return this.exchange(() => this.client.sendCallback(this.client.makeCallbackQuery(button.data)));
  }

  document(bytes: Buffer, fileName: string, mime: string, caption?: string) {
    const fileId = this.bot.emu.putFile(bytes);
    const message = this.client.makeMessage(
      undefined as unknown as string,
      {
        document: { file_id: fileId, file_unique_id: fileId, file_name: fileName, mime_type: mime, file_size: bytes.length },
        ...(caption ? { caption } : {}),
      } as never,
    );
    return this.exchange(() => this.client.sendMessage(message));
  }

  photo(bytes: Buffer) {
    const fileId = this.bot.emu.putFile(bytes);
    const message = this.client.makeMessage(
      undefined as unknown as string,
      {
        photo: [{ file_id: fileId, file_unique_id: fileId, width: 800, height: 600, file_size: bytes.length }],
      } as never,
    );
    return this.exchange(() => this.client.sendMessage(message));
  }

  /** Sends any raw message fields (sticker, location, contact...). */
  raw(fields: Record<string, unknown>) {
    const message = this.client.makeMessage(undefined as unknown as string, fields as never);
    return this.exchange(() => this.client.sendMessage(message));
  }

  buttons() {
    return this.last.flatMap((m) => m.buttons);
  }

  text() {
    return this.last.map((m) => m.text).join("\n---\n");
  }
}
