// Configuration is read once from the environment, validated, and frozen.
// Defaults work on a developer machine with local PostgreSQL and Redis.
import { isIP } from "node:net";
import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .optional()
  .transform((v) => v === "true" || v === "1" || v === "yes");

const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.url().optional());

// proxy-addr's names for whole ranges, accepted by Fastify's trustProxy as they are.
const PROXY_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** One trusted proxy: an address, an address/prefix, or a named range. */
export function isProxyEntry(entry: string): boolean {
  if (PROXY_RANGES.has(entry)) return true;
  const [addr = "", prefix, ...rest] = entry.split("/");
  const family = isIP(addr);
  if (!family || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY: comma-separated addresses/CIDRs of the reverse proxies in front of us. */
const proxyList = z
  .string()
  .transform((v) =>
    v
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((list) => list.every(isProxyEntry), "must be addresses or CIDRs separated by commas, e.g. 10.0.0.5,172.18.0.0/16")
  .optional();

/** A 256-bit key, as 64 hex characters or 44 base64 characters. */
export function parseKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) return Buffer.from(text, "base64");
  return null;
}
const keyText = z
  .string()
  .refine((v) => parseKey(v) !== null, "must be 32 random bytes as 64 hex characters (openssl rand -hex 32)")
  .optional();

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
    TRUST_PROXY: proxyList,
    ALLOW_INSECURE_HTTP: bool,
    TOTP_ENCRYPTION_KEY: keyText,
    TOTP_ENCRYPTION_KEY_PREVIOUS: keyText,
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
    WHATSAPP_LATE_REPLY_AFTER_S: z.coerce.number().int().positive().default(120),
    WHATSAPP_SENT_RETENTION_DAYS: z.coerce.number().int().positive().max(90).default(14),
    WHATSAPP_DOWN_ALERT_MINUTES: z.coerce.number().int().positive().default(30),
    WHATSAPP_DAILY_CAP: z.coerce.number().int().positive().default(200),
    WHATSAPP_WARMUP_DAYS: z.coerce.number().int().nonnegative().default(14),
    WHATSAPP_REPLY_BURST: z.coerce.number().int().positive().max(20).default(3),
    SMTP_URL: optionalUrl,
    SMTP_FROM: z.string().default("Sibina <no-reply@localhost>"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  // Sessions and CSRF tokens must survive restarts and differ between deployments.
  .refine((c) => c.NODE_ENV !== "production" || c.SESSION_SECRET !== undefined, {
    path: ["SESSION_SECRET"],
    message: "is required when NODE_ENV=production (32+ random characters, e.g. openssl rand -hex 32)",
  })
  // Two-factor secrets are encrypted with it; a lost or changed key disables every authenticator.
  .refine((c) => c.NODE_ENV !== "production" || c.TOTP_ENCRYPTION_KEY !== undefined, {
    path: ["TOTP_ENCRYPTION_KEY"],
    message: "is required when NODE_ENV=production (openssl rand -hex 32); keep it with your backups",
  });

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
export const isLoopbackHostname = (host: string) => LOOPBACK_HOSTS.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);

/**
 * Why staff may be unable to sign in with this configuration, or null. Browsers keep the
 * session cookie only over HTTPS (or on loopback), so a plain-HTTP address elsewhere needs TLS
 * in front, or the explicit ALLOW_INSECURE_HTTP=true.
 */
export function transportWarning(c: Pick<Config, "PUBLIC_URL" | "HOST" | "PORT" | "ALLOW_INSECURE_HTTP">): string | null {
  const url = new URL(c.PUBLIC_URL ?? `http://${c.HOST.includes(":") ? `[${c.HOST}]` : c.HOST}:${c.PORT}`);
  if (c.ALLOW_INSECURE_HTTP)
    return `ALLOW_INSECURE_HTTP=true: the session cookie travels without TLS; anyone on the network path can read it and take over a signed-in session. Use it only on a closed intranet, and put TLS in front (see README, "Security").`;
  if (url.protocol === "https:" || isLoopbackHostname(url.hostname)) return null;
  return `PUBLIC_URL (${url.origin}) is not https: browsers will not keep the sign-in cookie at that address, so staff cannot sign in. Put TLS in front (e.g. the Caddy profile in docker-compose.yml) and set PUBLIC_URL=https://..., or set ALLOW_INSECURE_HTTP=true on a closed intranet (see README, "Security").`;
}

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
