// Configuration is read once from the environment, validated, and frozen.
// Defaults work on a developer machine with local PostgreSQL and Redis.
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());

export const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    DATABASE_URL: z
      .url()
      .refine((u) => /^postgres(ql)?:\/\//.test(u), "must be a postgresql:// URL")
      .default("postgresql://postgres@127.0.0.1:5432/sibina"),
    REDIS_URL: z
      .url()
      .refine((u) => /^rediss?:\/\//.test(u), "must be a redis:// URL")
      .default("redis://127.0.0.1:6379"),
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9:_-]+$/)
      .default("sibina"),
    HOST: z.string().min(1).default("127.0.0.1"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    PUBLIC_URL: optionalUrl,
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    DEFAULT_OFFICE_CODE: z.string().default("1400"),
    STORAGE_DIR: z.string().default("./storage"),
    MAX_UPLOAD_MB: z.coerce.number().positive().max(100).default(10),
    TELEGRAM_BOT_TOKEN: z.preprocess(
      (v) => (v === "" ? undefined : v),
      z
        .string()
        .regex(/^\d+:[\w-]+$/, "looks like 123456:ABC-xyz")
        .optional(),
    ),
    TELEGRAM_API_ROOT: optionalUrl,
    TELEGRAM_WEBHOOK_URL: optionalUrl,
    TELEGRAM_WEBHOOK_SECRET: z
      .string()
      .regex(/^[\w-]{1,256}$/)
      .optional(),
    TELEGRAM_RATE_PER_SECOND: z.coerce.number().positive().default(28),
    WHATSAPP_ENABLED: bool,
    WHATSAPP_MIN_GAP_MS: z.coerce.number().int().nonnegative().default(2000),
    WHATSAPP_RECIPIENT_GAP_MS: z.coerce.number().int().nonnegative().default(6000),
    SMTP_URL: optionalUrl,
    SMTP_FROM: z.string().default("Sibina <no-reply@localhost>"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  // Sessions and CSRF tokens must survive restarts and differ between deployments.
  .refine((c) => c.NODE_ENV !== "production" || c.SESSION_SECRET !== undefined, {
    path: ["SESSION_SECRET"],
    message: "is required when NODE_ENV=production (32+ random characters, e.g. openssl rand -hex 32)",
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty value (e.g. `SESSION_SECRET=` copied from .env.example) means "not set": use the default.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const result = configSchema.safeParse(given);
  if (result.success) return Object.freeze(result.data);
  const lines = result.error.issues.map((i) => `  - ${i.path.join(".")}: ${i.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example for every variable and its default.`);
}

let cached: Config | undefined;
export function config(): Config {
  cached ??= parseConfig();
  return cached;
}
