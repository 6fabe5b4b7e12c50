// What the panel adds to Fastify's request and session.
import type { Locale } from "../../core/reference/index.js";
import type { Staff } from "../../core/users/service.js";
import type { Locals } from "./locals.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in staff member, loaded fresh on every request; null when anonymous. */
    staff: Staff | null;
    locale: Locale;
  }
  interface FastifyReply {
    /** Template helpers and page-wide values (set for every panel request). */
    locals?: Locals;
  }
  interface Session {
    /** The CSRF secret (@fastify/csrf-protection); a form posted without it cannot be valid. */
    _csrf?: string;
    userId?: string;
    /** Password checked, waiting for the TOTP code. */
    pendingUserId?: string;
    pendingAt?: number;
    loginAt?: number;
    /** A TOTP secret being set up on the profile page, not yet confirmed. */
    totpSetup?: string;
    /** One-time notice shown on the next page (message key). */
    flash?: { kind: "ok" | "error"; key: string; params?: Record<string, string | number> };
  }
}
