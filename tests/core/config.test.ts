// Configuration: defaults that work on a developer machine, and a readable failure that names
// every bad variable. .env.example lists exactly the variables the code reads.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ConfigError, configSchema, parseConfig, transportWarning } from "../../core/config.js";

function errorOf(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected parseConfig to fail");
}

describe("parseConfig", () => {
  it("works with nothing set, with defaults for this machine", () => {
    const cfg = parseConfig({});
    expect(cfg).toMatchObject({
      NODE_ENV: "development",
      DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/sibina",
      REDIS_URL: "redis://127.0.0.1:6379",
      REDIS_PREFIX: "sibina",
      HOST: "127.0.0.1",
      PORT: 3000,
      DEFAULT_OFFICE_CODE: "1400",
      STORAGE_DIR: "./storage",
      MAX_UPLOAD_MB: 10,
      WHATSAPP_ENABLED: false,
      TELEGRAM_RATE_PER_SECOND: 28,
      LOG_LEVEL: "info",
    });
    expect(cfg.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(cfg.SMTP_URL).toBeUndefined();
    expect(Object.isFrozen(cfg)).toBe(true);
  });

  it("reads and converts given values", () => {
    const cfg = parseConfig({
      PORT: "3999",
      HOST: "0.0.0.0",
      WHATSAPP_ENABLED: "true",
      TELEGRAM_BOT_TOKEN: "123456:ABC-xyz_1",
      TELEGRAM_API_ROOT: "http://127.0.0.1:9001",
      SMTP_URL: "smtp://user:pass@smtp.example.go.id:587",
      MAX_UPLOAD_MB: "25",
    });
    expect(cfg).toMatchObject({ PORT: 3999, HOST: "0.0.0.0", WHATSAPP_ENABLED: true, TELEGRAM_BOT_TOKEN: "123456:ABC-xyz_1", MAX_UPLOAD_MB: 25 });
  });

  it("treats empty values (as copied from .env.example) as unset", async () => {
    const example = await readFile(new URL("../../.env.example", import.meta.url), "utf8");
    const env = Object.fromEntries(
      example
        .split("\n")
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(parseConfig(env)).toMatchObject(parseConfig({}));
    expect(parseConfig({ SESSION_SECRET: "", TELEGRAM_WEBHOOK_SECRET: "  ", PORT: "" }).PORT).toBe(3000);
  });

  it("names every bad variable, each with its reason", () => {
    const message = errorOf({
      DATABASE_URL: "mysql://root@localhost/sibina",
      REDIS_URL: "not a url",
      PORT: "70000",
      HOST: "",
      MAX_UPLOAD_MB: "-1",
      WHATSAPP_ENABLED: "maybe",
      TELEGRAM_BOT_TOKEN: "not-a-token",
      SESSION_SECRET: "short",
      LOG_LEVEL: "loud",
      NODE_ENV: "staging",
    });
    for (const name of [
      "DATABASE_URL",
      "REDIS_URL",
      "PORT",
      "MAX_UPLOAD_MB",
      "WHATSAPP_ENABLED",
      "TELEGRAM_BOT_TOKEN",
      "SESSION_SECRET",
      "LOG_LEVEL",
      "NODE_ENV",
    ]) {
      expect(message).toMatch(new RegExp(`^  - ${name}: .+`, "m"));
    }
    expect(message).toContain("DATABASE_URL: must be a postgresql:// URL");
    expect(message).toContain("SESSION_SECRET: must be at least 32 characters");
    expect(message).toContain("See .env.example");
    // An empty HOST means "not set", so it is not among the problems.
    expect(message).not.toMatch(/^ {2}- HOST/m);
  });

  it.each([
    ["PORT", "abc"],
    ["PORT", "0"],
    ["REDIS_PREFIX", "has spaces"],
    ["PUBLIC_URL", "panel.example"],
    ["TELEGRAM_WEBHOOK_SECRET", "with spaces!"],
    ["WHATSAPP_MIN_GAP_MS", "-5"],
    ["SMTP_URL", "nonsense"],
  ])("refuses %s=%s by name", (name, value) => {
    expect(errorOf({ [name]: value })).toMatch(new RegExp(`^  - ${name}: `, "m"));
  });

  it("production needs a session secret and a TOTP encryption key", () => {
    expect(errorOf({ NODE_ENV: "production" })).toMatch(/^ {2}- SESSION_SECRET: is required when NODE_ENV=production/m);
    expect(errorOf({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(32) })).toMatch(/^ {2}- TOTP_ENCRYPTION_KEY: is required when NODE_ENV=production/m);
    expect(parseConfig({ NODE_ENV: "production", SESSION_SECRET: "x".repeat(32), TOTP_ENCRYPTION_KEY: "ab".repeat(32) }).NODE_ENV).toBe("production");
  });

  it("reads the security settings: trusted proxies, the plain-HTTP opt-in, TOTP keys", () => {
    expect(parseConfig({}).TRUST_PROXY).toBeUndefined(); // trust nothing by default
    expect(parseConfig({}).ALLOW_INSECURE_HTTP).toBe(false);
    expect(parseConfig({ TRUST_PROXY: "10.0.0.5, 172.18.0.0/16,::1,fd00::/8,loopback" }).TRUST_PROXY).toEqual([
      "10.0.0.5",
      "172.18.0.0/16",
      "::1",
      "fd00::/8",
      "loopback",
    ]);
    for (const bad of ["*", "true", "10.0.0.0/33", "proxy.local", "10.0.0.1/8/1"]) expect(errorOf({ TRUST_PROXY: bad }), bad).toMatch(/^ {2}- TRUST_PROXY: /m);
    expect(parseConfig({ ALLOW_INSECURE_HTTP: "true" }).ALLOW_INSECURE_HTTP).toBe(true);
    expect(parseConfig({ TOTP_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") }).TOTP_ENCRYPTION_KEY).toBeDefined();
    expect(errorOf({ TOTP_ENCRYPTION_KEY: "too-short" })).toMatch(/^ {2}- TOTP_ENCRYPTION_KEY: must be 32 random bytes/m);
    expect(errorOf({ TOTP_ENCRYPTION_KEY_PREVIOUS: "zz".repeat(32) })).toMatch(/^ {2}- TOTP_ENCRYPTION_KEY_PREVIOUS: /m);
  });

  it("warns when the panel's address is plain HTTP beyond loopback, or plain HTTP is allowed", () => {
    const warn = (env: Record<string, string>) => transportWarning(parseConfig(env));
    expect(warn({})).toBeNull(); // http://127.0.0.1:3000
    expect(warn({ PUBLIC_URL: "http://localhost:3000" })).toBeNull();
    expect(warn({ PUBLIC_URL: "https://sibina.bps.go.id" })).toBeNull();
    expect(warn({ PUBLIC_URL: "http://10.14.0.20:3000" })).toMatch(/PUBLIC_URL \(http:\/\/10\.14\.0\.20:3000\) is not https/);
    expect(warn({ PUBLIC_URL: "http://sibina.kantor" })).toContain("ALLOW_INSECURE_HTTP=true");
    expect(warn({ HOST: "0.0.0.0" })).toContain("http://0.0.0.0:3000");
    expect(warn({ PUBLIC_URL: "https://sibina.bps.go.id", ALLOW_INSECURE_HTTP: "true" })).toMatch(
      /^ALLOW_INSECURE_HTTP=true: the session cookie travels without TLS/,
    );
  });

  it(".env.example lists every variable the configuration reads, and nothing else", async () => {
    const example = await readFile(new URL("../../.env.example", import.meta.url), "utf8");
    const listed = example
      .split("\n")
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.slice(0, l.indexOf("=")));
    const read = Object.keys(configSchema.shape).filter((k) => k !== "NODE_ENV");
    expect(listed.sort()).toEqual(read.sort());
  });

  it("the README's configuration table documents every variable", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)`\s+\|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(configSchema.shape).sort());
  });
});
