// Working days as an Indonesian office counts them: Monday to Friday on its own wall clock.
import { describe, expect, it } from "vitest";
import { addWorkingDays, workingDaysBetween } from "../../core/notifications/intents.js";

const WIB = (s: string) => new Date(`${s}+07:00`);
const WIT_MINUTES = 9 * 60;

describe("addWorkingDays", () => {
  it.each([
    ["Monday 10:00 + 3", "2027-01-11T10:00:00", 3, "2027-01-14T10:00:00"],
    ["Thursday 10:00 + 3 skips the weekend", "2027-01-14T10:00:00", 3, "2027-01-19T10:00:00"],
    ["Friday 16:00 + 1 is Monday", "2027-01-15T16:00:00", 1, "2027-01-18T16:00:00"],
    ["Saturday + 1 is Monday", "2027-01-16T09:00:00", 1, "2027-01-18T09:00:00"],
    // 06:00 WIB on Monday is still Sunday in UTC; it must count from Monday.
    ["Monday 06:00 + 3 (Sunday in UTC)", "2027-01-11T06:00:00", 3, "2027-01-14T06:00:00"],
    // 05:00 WIB on Saturday is Friday in UTC; still a weekend day here.
    ["Saturday 05:00 + 3 (Friday in UTC)", "2027-01-16T05:00:00", 3, "2027-01-20T05:00:00"],
  ] as const)("%s", (_label, from, days, expected) => {
    expect(addWorkingDays(WIB(from), days).toISOString()).toBe(WIB(expected).toISOString());
  });

  it("counts on another zone's wall clock when told", () => {
    // Monday 08:00 WIT is Monday 06:00 WIB and Sunday 23:00 UTC.
    const mondayWit = new Date("2027-01-11T08:00:00+09:00");
    expect(addWorkingDays(mondayWit, 1, WIT_MINUTES).toISOString()).toBe(new Date("2027-01-12T08:00:00+09:00").toISOString());
  });
});

describe("workingDaysBetween", () => {
  it.each([
    ["same day", "2027-01-11T08:00:00", "2027-01-11T17:00:00", 0],
    ["Monday to Wednesday", "2027-01-11T08:00:00", "2027-01-13T08:00:00", 2],
    ["Friday to Monday", "2027-01-15T16:00:00", "2027-01-18T09:00:00", 1],
    ["Saturday to Sunday", "2027-01-16T09:00:00", "2027-01-17T09:00:00", 0],
    ["Sunday 23:00 to Monday 06:00 (both Sunday in UTC)", "2027-01-10T23:00:00", "2027-01-11T06:00:00", 1],
    ["a full week", "2027-01-11T08:00:00", "2027-01-18T08:00:00", 5],
  ])("%s", (_label, from, to, days) => {
    expect(workingDaysBetween(WIB(from), WIB(to))).toBe(days);
  });
});
