// Password rules (ASVS 2.1): at least 12 characters, at most 128, and not guessable by a
// realistic attacker. Strength is estimated offline with zxcvbn-ts and its common-password,
// English and Indonesian dictionaries, plus the person's own details and the product's name.
import { randomInt } from "node:crypto";
import { createRequire } from "node:module";
import type { ZxcvbnFactory } from "@zxcvbn-ts/core";

const require = createRequire(import.meta.url);

export const MIN_PASSWORD = 12;
export const MAX_PASSWORD = 128;
/**
 * At least 10^9 guesses by zxcvbn's estimate: above the floor of its score 3 (10^8), where
 * "name + digit" and "word + year + !!" passwords land.
 */
export const MIN_GUESSES_LOG10 = 9;

export type PasswordProblem = "too_short" | "too_long" | "too_weak";

// Loaded and built on first use (about a second: the dictionaries are unpacked), not at start: they
// hold about 10 MB that an idle process does not need. Required (their CommonJS builds) so that the
// check stays synchronous. The estimate looks at the first 64 characters with few l33t
// substitutions, which keeps one check well under a second.
let factory: ZxcvbnFactory | undefined;
const estimator = () => {
  if (factory) return factory;
  const { ZxcvbnFactory: Factory } = require("@zxcvbn-ts/core") as typeof import("@zxcvbn-ts/core");
  const common = require("@zxcvbn-ts/language-common") as typeof import("@zxcvbn-ts/language-common");
  const en = require("@zxcvbn-ts/language-en") as typeof import("@zxcvbn-ts/language-en");
  const id = require("@zxcvbn-ts/language-id") as typeof import("@zxcvbn-ts/language-id");
  factory = new Factory({
    dictionary: { ...common.dictionary, ...en.dictionary, ...id.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    maxLength: 64,
    l33tMaxSubstitutions: 16,
  });
  return factory;
};

const PRODUCT_WORDS = ["sibina", "bps", "pembinaan", "statistik", "spektral"];

/** Words of the person's email and name that a guesser would try first. */
export function personalWords(person: { email?: string | null; name?: string | null }): string[] {
  const words = [person.email ?? "", ...(person.email ?? "").split(/[@._+-]/), ...(person.name ?? "").split(/\s+/)];
  return [...new Set(words.map((w) => w.toLowerCase()).filter((w) => w.length >= 3))];
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, userInputs: readonly string[] = []): PasswordProblem | null {
  if (password.length < MIN_PASSWORD) return "too_short";
  if (password.length > MAX_PASSWORD) return "too_long";
  // The person's own words first: zxcvbn ranks earlier inputs as likelier guesses.
  return estimator().check(password, [...userInputs, ...PRODUCT_WORDS]).guessesLog10 < MIN_GUESSES_LOG10 ? "too_weak" : null;
}

/** A readable temporary password (no look-alike characters) that passes the rules. */
export function temporaryPassword(length = 16): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
  for (;;) {
    const candidate = Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join("");
    if (passwordProblem(candidate) === null) return candidate;
  }
}
