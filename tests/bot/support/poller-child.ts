// One Sibina instance running only the Telegram channel (long polling under the poller lease),
// for the test that runs two of them and kills one with kill -9. Not a test file.
import { TelegramChannel } from "../../../bot/channels/telegram/channel.js";
import { createEngine } from "../../../bot/engine/index.js";
import { parseConfig } from "../../../core/config.js";
import { createContext } from "../../../core/runtime/context.js";

const env = process.env;
const ctx = await createContext(parseConfig({ ...env, LOG_LEVEL: env.TEST_LOG_LEVEL ?? "silent" }), { redisPrefix: env.POLLER_PREFIX! });
const engine = createEngine(ctx, { reminders: false });
const channel = new TelegramChannel(ctx, engine, {
  token: env.POLLER_TOKEN!,
  apiRoot: env.POLLER_API_ROOT!,
  instanceId: env.POLLER_INSTANCE!,
  pollTimeoutSeconds: 5,
});
await channel.start();
console.log("READY");
process.once("SIGTERM", async () => {
  await channel.stop();
  await engine.close();
  ctx.redis.disconnect();
  await ctx.db.$disconnect();
  process.exit(0);
});
