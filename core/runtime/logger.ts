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

export function createLogger(level: string, name = "sibina"): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: "[redacted]" } });
}
