// Password rules (ASVS 2.1): 12 characters at least, and a real strength estimate offline
// (zxcvbn-ts with common-password, English and Indonesian dictionaries, and the person's details).
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { MIN_PASSWORD, passwordProblem, personalWords, temporaryPassword } from "../../core/auth/password-policy.js";
import { checkNewPassword } from "../../core/users/service.js";
import { DEMO_PASSWORD, DEMO_USERS } from "../../prisma/seed-data.js";

describe("passwordProblem", () => {
  it("refuses what the issue saw accepted, and other guessable passwords", () => {
    expect(passwordProblem("aaaaaaaaaa")).toBe("too_short");
    expect(passwordProblem("aaaaaaaaaaaa")).toBe("too_weak");
    expect(passwordProblem("password1234")).toBe("too_weak");
    expect(passwordProblem("qwertyuiop123")).toBe("too_weak");
    expect(passwordProblem("rahasiarahasia")).toBe("too_weak"); // Indonesian, repeated
    expect(passwordProblem("indonesiaraya")).toBe("too_weak"); // Indonesian words
    expect(passwordProblem("sibina2026!!")).toBe("too_weak"); // the product's name and a year
    expect(passwordProblem("x".repeat(129))).toBe("too_long");
  });

  it("refuses a password built from the person's own email or name", () => {
    const words = personalWords({ email: "rudolf.simanjorang@bps.go.id", name: "Rudolf Simanjorang" });
    expect(words).toEqual(expect.arrayContaining(["rudolf", "simanjorang", "rudolf.simanjorang@bps.go.id"]));
    expect(passwordProblem("Simanjorang2026", words)).toBe("too_weak");
    expect(passwordProblem("Simanjorang2026")).toBeNull(); // strong enough for someone else
    expect(passwordProblem("HendraGunawan1")).toBe("too_weak"); // common Indonesian names
  });

  it("accepts long unrelated words and random strings; the demo password and temporary passwords pass", () => {
    expect(MIN_PASSWORD).toBe(12);
    expect(passwordProblem("kopi tubruk di tepi siak")).toBeNull();
    expect(passwordProblem("Xq7!vR2m#Lp9")).toBeNull();
    expect(passwordProblem(DEMO_PASSWORD)).toBeNull();
    for (let i = 0; i < 20; i++) {
      const temp = temporaryPassword();
      expect(temp).toMatch(/^[A-Za-z0-9]{16}$/);
      expect(passwordProblem(temp)).toBeNull();
    }
  });

  it("the README's demo logins are the seeded ones", async () => {
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(`\`${DEMO_PASSWORD}\``);
    for (const email of ["admin@sibina.test", "supervisor@sibina.test", "operator@sibina.test", "pembina1@sibina.test"]) {
      expect(DEMO_USERS.map((u) => u.email)).toContain(email);
      expect(readme).toContain(`\`${email}\``);
    }
  });

  it("a new password must also differ from the current one", () => {
    const person = { email: "rina@bps.go.id", name: "Rina Marlina" };
    expect(checkNewPassword(person, "kopi tubruk di tepi siak", "kopi tubruk di tepi siak")).toEqual({ ok: false, problem: "same" });
    expect(checkNewPassword(person, "rinamarlina12", "lama-sekali-123")).toEqual({ ok: false, problem: "too_weak" });
    expect(checkNewPassword(person, "kopi tubruk di tepi siak", "lama-sekali-123")).toEqual({ ok: true });
  });
});
