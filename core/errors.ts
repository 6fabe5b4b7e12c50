// Typed domain errors. Each carries a message-catalog key so the bot and the admin panel
// can both show the same clear text in the user's language.
import type { MessageKey } from "./messages/index.js";

export type DomainErrorCode =
  | "INVALID_TRANSITION"
  | "COACH_REQUIRED"
  | "COACH_NOT_ELIGIBLE"
  | "REASON_REQUIRED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "VALIDATION"
  | "ALREADY_EXISTS"
  | "NO_PARENT_OFFICE"
  | "NOT_DONE"
  | "NOT_STARTED"
  | "HELD_BY_OTHER"
  | "DEADLINE_PASSED"
  | "CONFLICT";

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    readonly messageKey: MessageKey,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${code}: ${messageKey}`);
    this.name = "DomainError";
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
