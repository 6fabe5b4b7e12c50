// Transcript lines sort by time: a turn is one millisecond per line, and never at or before the
// conversation's latest line, even when the clock has not moved since.
import { describe, expect, it } from "vitest";
import { transcriptEntries } from "../../core/inbox/service.js";

const lines = [
  { author: "PERSON" as const, text: "halo\u0007" },
  { author: "BOT" as const, text: "Selamat datang" },
  { author: "BOT" as const, text: "" },
];

describe("transcriptEntries", () => {
  it("spaces a turn's lines a millisecond apart, drops empty lines and cleans control characters", () => {
    const now = new Date("2026-11-30T08:00:00.000Z");
    const e = transcriptEntries(lines, now)!;
    expect(e.messages.map((m) => [m.text, m.createdAt.getTime() - now.getTime()])).toEqual([
      ["halo", 0],
      ["Selamat datang", 1],
    ]);
    expect(e.lastMessageAt.getTime()).toBe(now.getTime() + 1);
    expect(e.lastMessage).toBe("Selamat datang");
  });

  it("starts after the conversation's latest line when the clock is at or behind it", () => {
    const now = new Date("2026-11-30T08:00:00.000Z");
    const latest = new Date(now.getTime() + 1);
    const e = transcriptEntries(lines, now, latest)!;
    expect(e.messages[0]!.createdAt.getTime()).toBe(latest.getTime() + 1);
    expect(e.lastMessageAt.getTime()).toBe(latest.getTime() + 2);
    // An older latest line leaves the clock alone.
    expect(transcriptEntries(lines, now, new Date(now.getTime() - 5))!.messages[0]!.createdAt).toEqual(now);
  });

  it("keeps nothing for a turn with nothing to keep", () => {
    expect(transcriptEntries([{ author: "BOT", text: "\u0000" }], new Date())).toBeNull();
  });
});
