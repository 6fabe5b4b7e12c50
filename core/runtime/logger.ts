// Structured logs that never hold personal data: phone numbers, NIPs, emails and message
// text are redacted by path, and free text is never logged whole.
import { pino } from "pino";

export const REDACT_PATHS = [
  "*.phone",
  "*.requesterPhone",
  "*.picPhone",
  "*.whatsapp",
  "*.nip",
  "*.requesterNip",
  "*.email",
  "*.requesterEmail",
  "*.text",
  "*.message.text",
  "*.caption",
  "*.password",
  "*.passwordHash",
  "*.totpSecret",
  "*.token",
  "*.jid",
  "*.remoteJid",
  "phone",
  "nip",
  "email",
  "text",
  "password",
  "jid",
  "req.headers.cookie",
  "req.headers.authorization",
  'req.headers["x-telegram-bot-api-secret-token"]',
];

export type Logger = pino.Logger;

// Libraries (Baileys above all) log their own objects, where a JID or phone number can sit
// deeper than any path above. As a second line, such values are masked wherever they appear.
const PERSONAL = /\d+(:\d+)?@(s\.whatsapp\.net|lid|c\.us|g\.us)|(?<![\w-])(?:\+?62|0)[\d\s-]{7,}\d/g;

export const maskPersonal = (value: string) => value.replace(PERSONAL, (m) => `${m.slice(0, 3)}***`);

/** Masks personal values in a log object, a few levels deep (logs stay cheap). */
export function maskDeep(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return maskPersonal(value);
  if (depth > 4 || value === null || typeof value !== "object" || value instanceof Error) return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => maskDeep(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, depth + 1);
  return out;
}

export function createLogger(level: string, name = "sibina"): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    formatters: { log: (obj) => maskDeep(obj) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        // The message string itself, e.g. "sending to 628123456789@s.whatsapp.net".
        const masked = args.map((a) => (typeof a === "string" ? maskPersonal(a) : a));
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
  });
}
