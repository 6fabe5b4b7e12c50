// Drives the engine like a person in a chat: type text, press buttons (by label), send files.
import { randomUUID } from "node:crypto";
import type { Channel, InboundEvent, OutboundMessage } from "../../../bot/channels/types.js";
import type { Engine } from "../../../bot/engine/index.js";

export class Chat {
  last: OutboundMessage[] = [];
  private seq = 0;

  constructor(
    readonly engine: Engine,
    readonly externalId: string = randomUUID().replace(/-/g, ""),
    readonly channel: Channel = "web",
    readonly extra: Partial<InboundEvent> = {},
  ) {}

  async send(event: Partial<InboundEvent>): Promise<OutboundMessage[]> {
    this.last = await this.engine.handle({
      channel: this.channel,
      externalId: this.externalId,
      updateId: `${this.externalId}-${++this.seq}`,
      kind: "text",
      ...this.extra,
      ...event,
    });
    return this.last;
  }

  say(text: string) {
    return this.send({ kind: "text", text });
  }

  /** Presses the button whose label contains `label` in the latest replies. */
  press(label: string | RegExp) {
    const choice = this.choices().find((c) => (typeof label === "string" ? c.label.includes(label) : label.test(c.label)));
    if (!choice)
      throw new Error(
        `no button ${label} in: ${this.choices()
          .map((c) => c.label)
          .join(" | ")}\n${this.text()}`,
      );
    return this.send({ kind: "choice", choiceId: choice.id });
  }

  file(bytes: Buffer, fileName: string, caption?: string) {
    return this.send({ kind: "file", file: { fileName, size: bytes.length, caption, download: async () => bytes } });
  }

  choices() {
    return this.last.flatMap((m) => m.choices ?? []);
  }

  /** All reply texts of the latest turn, joined. */
  text() {
    return this.last.map((m) => m.text).join("\n---\n");
  }
}
