// The conversation engine's public face. Channels (Telegram, WhatsApp, web) call
// engine.handle(event) and send the replies; proactive messages (idle reminders included)
// go through the outbox and the delivery queues.
//
//   const engine = createEngine(ctx);            // one per process (see sharedEngine)
//   const replies = await engine.handle(event);  // InboundEvent → OutboundMessage[]
//   await engine.close();
import type { AppContext } from "../../core/runtime/context.js";
import { defaultFlows } from "../flows/index.js";
import { ChatEngine, type Engine, type EngineOptions } from "./engine.js";

export type { Engine, EngineOptions } from "./engine.js";
export { compact } from "./engine.js";

/** Creates an engine with the registered flows. */
export function createEngine(ctx: AppContext, opts: EngineOptions = {}): Engine {
  return new ChatEngine(ctx, opts.flows ?? defaultFlows(), opts);
}

const shared = new WeakMap<AppContext, Engine>();

/** The process's engine for this context, created on first use (main.ts and the simulator share it). */
export function sharedEngine(ctx: AppContext): { engine: Engine; created: boolean } {
  const existing = shared.get(ctx);
  if (existing) return { engine: existing, created: false };
  const engine = createEngine(ctx);
  shared.set(ctx, engine);
  const close = engine.close.bind(engine);
  engine.close = async () => {
    if (shared.get(ctx) === engine) shared.delete(ctx);
    await close();
  };
  return { engine, created: true };
}
