import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { maskDeep, maskPersonal, REDACT_PATHS } from "../../core/runtime/logger.js";

describe("logs hold no personal data", () => {
  it("masks phone numbers and WhatsApp JIDs wherever they appear in a string", () => {
    expect(maskPersonal("sending to 6281234567890@s.whatsapp.net now")).toBe("sending to 628*** now");
    expect(maskPersonal("lid 123456789012345:7@lid")).toBe("lid 123***");
    expect(maskPersonal("call +62 812-3456-7890")).toBe("call +62***");
    expect(maskPersonal("call 0812 3456 7890")).toBe("call 081***");
    // Ticket codes, dates and ids are not personal and stay readable.
    expect(maskPersonal("ticket PB-2026-00042 at 2026-11-21T05:10:00Z, job 12345678901")).toBe("ticket PB-2026-00042 at 2026-11-21T05:10:00Z, job 12345678901");
  });

  it("masks nested library objects that the redact paths cannot reach", () => {
    const logged = maskDeep({ msg: { key: { remoteJid: "628111222333@s.whatsapp.net", id: "ABC" }, attrs: { from: "99887766554433@lid" } } });
    expect(JSON.stringify(logged)).not.toMatch(/628111222333|99887766554433/);
    expect(JSON.stringify(logged)).toContain('"id":"ABC"');
  });

  it("a logger built like ours writes neither the redacted fields nor nested JIDs", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = pino({ redact: { paths: REDACT_PATHS, censor: "[redacted]" }, formatters: { log: (o) => maskDeep(o) as Record<string, unknown> } }, sink);
    log.info({ user: { phone: "+6281234567890", email: "a@b.go.id" }, deep: { a: { b: { jid: "6281234567890@s.whatsapp.net" } } } }, "hello");
    const out = lines.join("");
    expect(out).not.toMatch(/6281234567890|a@b\.go\.id/);
    expect(out).toContain("hello");
  });
});
