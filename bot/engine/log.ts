// Errors as they may be logged: name, code, message and stack only. Platform errors carry the
// request that failed (Telegraf puts the whole payload, message text included, on `on`), and
// URLs of file downloads contain the bot token; neither may reach the logs.
const TOKEN = /\bbot\d+:[\w-]+/g;

export function safeError(err: unknown): { name: string; code?: string | number; message: string; stack?: string } {
  if (!(err instanceof Error)) return { name: "NonError", message: typeof err === "string" ? err.replace(TOKEN, "bot***") : "non-error thrown" };
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    message: err.message.replace(TOKEN, "bot***"),
    stack: err.stack?.replace(TOKEN, "bot***"),
  };
}
