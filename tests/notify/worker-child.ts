// A delivery process the crash test can kill -9: relay + Telegram worker against API_ROOT.
// Not a test file; tests/notify/worker-crash.test.ts starts it with its database and prefix.
import { startDelivery } from "../../bot/delivery/index.js";
import { telegramSender } from "../../bot/delivery/senders.js";
import { parseConfig } from "../../core/config.js";
import { createContext } from "../../core/runtime/context.js";

const env = process.env;
const ctx = await createContext(parseConfig({ ...env, LOG_LEVEL: "silent" }), { redisPrefix: env.NOTIFY_PREFIX! });
// Without NOTIFY_LOCK_MS the product's own lock and stalled-check settings are used.
const lockMs = env.NOTIFY_LOCK_MS ? Number(env.NOTIFY_LOCK_MS) : undefined;
const delivery = startDelivery(ctx, [telegramSender("123456:crash-test", env.NOTIFY_API_ROOT!)], {
  relay: { pollMs: 50 },
  workers: {
    telegram: lockMs ? { lockDurationMs: lockMs, stalledIntervalMs: Math.max(500, Math.round(lockMs / 2)), concurrency: 4 } : {},
  },
});
console.log("READY");
process.once("SIGTERM", async () => {
  await delivery.stop();
  ctx.redis.disconnect();
  await ctx.db.$disconnect();
  process.exit(0);
});
