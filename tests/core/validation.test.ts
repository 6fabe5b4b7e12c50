// Input as people really type it in chat and forms: phones, NIPs, emails, free text, dates and
// times in the office's time zone, durations and end times.
import { describe, expect, it } from "vitest";
import { formatDateTime, parseEnd, parseStart } from "../../core/validation/datetime.js";
import { emailSchema, maskEmail, maskPhone, normaliseNip, normalisePhone, phoneSchema } from "../../core/validation/identity.js";
import { findTicketCode, parseSchedule, requestInputSchema, ticketCodeSchema } from "../../core/validation/request.js";
import { boundRaw, cleanText, LIMITS, lineText, oneLine } from "../../core/validation/text.js";
import { requestInput } from "../helpers/fixtures.js";

describe("Indonesian phone numbers become E.164", () => {
  it.each([
    ["0812-3456-7890", "+6281234567890"],
    ["081234567890", "+6281234567890"],
    ["0812 3456 7890", "+6281234567890"],
    ["62812-3456-7890", "+6281234567890"],
    ["6281234567890", "+6281234567890"],
    ["+62 812-3456-7890", "+6281234567890"],
    ["+62 (0)812-3456-7890", "+6281234567890"],
    ["  +6281234567890 ", "+6281234567890"],
    ["0811-7654-321", "+628117654321"],
    ["0761-23042", "+6276123042"],
    ["(0761) 23042", "+6276123042"],
    ["021-3841195", "+62213841195"],
    ["+62 21 3841195", "+62213841195"],
  ])("%s → %s", (typed, e164) => {
    expect(normalisePhone(typed)).toBe(e164);
    expect(phoneSchema.parse(typed)).toBe(e164);
  });

  it.each([
    ["letters", "abc"],
    ["too short", "12345"],
    ["a truncated mobile", "08123"],
    ["text after the number", "0812 3456 7890 ext 2"],
    ["US", "+1 202 555 0123"],
    ["Malaysia", "+60 12-345 6789"],
    ["Singapore", "+65 6123 4567"],
    ["empty", ""],
    ["an email", "siddik@riau.go.id"],
    ["far too long", "0812345678901234567890123"],
  ])("refuses %s (%s)", (_label, typed) => {
    expect(normalisePhone(typed)).toBeNull();
    const r = phoneSchema.safeParse(typed);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe("invalid_phone");
  });

  it("masks phones and emails for logs", () => {
    expect(maskPhone("+6281234567890")).toBe("+6281****890");
    expect(maskPhone("+62")).toBe("***");
    expect(maskEmail("siddik@riau.go.id")).toBe("s***@riau.go.id");
  });
});

describe("NIP", () => {
  it.each([
    ["19850101 201001 1 001", "198501012010011001"],
    ["198501012010011001", "198501012010011001"],
    ["19850101.201001.1.001", "198501012010011001"],
    ["19850101-201001-2-015", "198501012010012015"],
    ["19880229 201012 1 003", "198802292010121003"], // 29 February of a leap year
    ["19950101 202221 2 001", "199501012022212001"], // PPPK: code 21 instead of a month
  ])("%s → %s", (typed, nip) => {
    expect(normaliseNip(typed)).toBe(nip);
  });

  it.each([
    ["17 digits", "19850101 201001 1 00"],
    ["19 digits", "19850101 201001 1 0011"],
    ["letters", "19850101 20100A 1 001"],
    ["31 February", "19850231 201001 1 001"],
    ["29 February of a common year", "19870229 201001 1 001"],
    ["month 13", "19851301 201001 1 001"],
    ["day 0", "19850100 201001 1 001"],
    ["born before 1940", "19300101 196001 1 001"],
    ["appointed as a child", "19850101 199001 1 001"],
    ["appointed in the future", "19850101 209901 1 001"],
    ["appointment month 13", "19850101 201013 1 001"],
    ["sex code 3", "19850101 201001 3 001"],
    ["sequence 000", "19850101 201001 1 000"],
    ["empty", ""],
  ])("refuses %s", (_label, typed) => {
    expect(normaliseNip(typed)).toBeNull();
  });

  it("is optional on the request form (empty means none), but checked when given", () => {
    expect(requestInputSchema.parse(requestInput({ requesterNip: "" as never })).requesterNip).toBeUndefined();
    expect(requestInputSchema.parse(requestInput({ requesterNip: "19850101 201001 1 001" })).requesterNip).toBe("198501012010011001");
    const bad = requestInputSchema.safeParse(requestInput({ requesterNip: "12345" }));
    expect(bad.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["requesterNip", "invalid_nip"]]);
  });
});

describe("email", () => {
  it("trims and lowercases", () => {
    expect(emailSchema.parse("  Siddik.Pratama@Riau.GO.ID ")).toBe("siddik.pratama@riau.go.id");
  });
  it.each(["siddik", "siddik@", "@riau.go.id", "siddik riau@go.id", "siddik@@riau.go.id", `${"a".repeat(250)}@riau.go.id`])("refuses %s", (typed) => {
    expect(emailSchema.safeParse(typed).success).toBe(false);
  });
});

describe("free text", () => {
  it("strips control characters and bidi overrides, normalises line ends, trims", () => {
    expect(cleanText(" Halo\u0000\u0007 dunia\r\nbaris 2\u202E\u200B? \uFEFF")).toBe("Halo dunia\nbaris 2\u200B?");
    expect(oneLine("  Dinas \n Kominfo\t Riau ")).toBe("Dinas Kominfo Riau");
  });
  it("bounds lengths", () => {
    const name = lineText(3, LIMITS.name);
    expect(name.safeParse("ab").error?.issues[0]?.message).toBe("too_short");
    expect(name.safeParse("a".repeat(LIMITS.name + 1)).error?.issues[0]?.message).toBe("too_long");
    expect(name.safeParse(`\u0000\u0000ab\u0007`).success).toBe(false);
    expect(boundRaw("x".repeat(LIMITS.rawMessage * 3))).toHaveLength(LIMITS.rawMessage);
  });
  it("bounds every text field of the request form", () => {
    const r = requestInputSchema.safeParse(requestInput({ description: "x".repeat(LIMITS.description + 1), location: "ab" }));
    expect(r.error?.issues.map((i) => [i.path.join("."), i.message]).sort()).toEqual([
      ["description", "too_long"],
      ["location", "too_short"],
    ]);
  });
});

describe("start date and time, in the office's zone", () => {
  const now = new Date("2026-11-21T03:00:00Z"); // 21/11/2026 10:00 WIB
  const iso = (text: string, zone: "WIB" | "WITA" | "WIT" = "WIB") => {
    const r = parseStart(text, zone, now);
    return r.ok ? r.value.toISOString() : r.error;
  };

  it.each([
    ["12/01/2027 09:00", "2027-01-12T02:00:00.000Z"],
    ["12-1-2027 9.00", "2027-01-12T02:00:00.000Z"],
    ["12 Januari 2027 pukul 09.30", "2027-01-12T02:30:00.000Z"],
    ["Selasa, 12 Januari 2027 jam 9", "2027-01-12T02:00:00.000Z"],
    ["12 jan 2027 09:00", "2027-01-12T02:00:00.000Z"],
    ["12 Agustus 2027, 13.15", "2027-08-12T06:15:00.000Z"],
    ["12/1/27 9:00", "2027-01-12T02:00:00.000Z"],
    ["12.01.2027 09.00", "2027-01-12T02:00:00.000Z"],
    ["2027-01-12 09:00", "2027-01-12T02:00:00.000Z"],
    ["12/01/2027, 09:00", "2027-01-12T02:00:00.000Z"],
    ["12/01/2027 pkl. 09.00", "2027-01-12T02:00:00.000Z"],
    ["21/11/2026 10:01", "2026-11-21T03:01:00.000Z"],
  ])("WIB office: %s → %s", (typed, expected) => {
    expect(iso(typed)).toBe(expected);
  });

  it("reads the same wall clock in WITA and WIT offices an hour and two hours earlier in UTC", () => {
    expect(iso("12/01/2027 09:00", "WITA")).toBe("2027-01-12T01:00:00.000Z");
    expect(iso("12/01/2027 09:00", "WIT")).toBe("2027-01-12T00:00:00.000Z");
  });

  it("an explicit zone wins over the office's", () => {
    expect(iso("12/01/2027 09:00 WITA", "WIB")).toBe("2027-01-12T01:00:00.000Z");
    expect(iso("12/01/2027 09:00 wit", "WIB")).toBe("2027-01-12T00:00:00.000Z");
    expect(iso("12/01/2027 09:00 WIB", "WIT")).toBe("2027-01-12T02:00:00.000Z");
    expect(iso("12 Januari 2027 pukul 09.30 WITA", "WIB")).toBe("2027-01-12T01:30:00.000Z");
  });

  it.each([
    ["31 February", "31/02/2027 09:00", "invalid_datetime"],
    ["31 April", "31/04/2027 09:00", "invalid_datetime"],
    ["24:00", "12/01/2027 24:00", "invalid_datetime"],
    ["minute 60", "12/01/2027 09:60", "invalid_datetime"],
    ["month 13", "12/13/2027 09:00", "invalid_datetime"],
    ["unknown month", "12 Brumaire 2027 09:00", "invalid_datetime"],
    ["words", "besok pagi", "invalid_datetime"],
    ["no time", "12/01/2027", "missing_time"],
    ["a past date", "01/01/2020 09:00", "in_past"],
    ["earlier today", "21/11/2026 09:59", "in_past"],
    ["this very minute", "21/11/2026 10:00", "in_past"],
    ["three years ahead", "12/01/2030 09:00", "too_far"],
  ])("refuses %s (%s) with %s", (_label, typed, error) => {
    expect(iso(typed)).toBe(error);
  });

  it("an instant that is past in WIB is still ahead in WIT", () => {
    // 21/11/2026 10:30 is 03:30Z in WIB (future) but 01:30Z in WIT (past).
    expect(iso("21/11/2026 10:30", "WIB")).toBe("2026-11-21T03:30:00.000Z");
    expect(iso("21/11/2026 10:30", "WIT")).toBe("in_past");
  });

  it("formats back in the office's zone", () => {
    const instant = new Date("2027-01-12T02:00:00Z");
    expect(formatDateTime(instant, "WIB")).toBe("12/01/2027 09:00 WIB");
    expect(formatDateTime(instant, "WITA")).toBe("12/01/2027 10:00 WITA");
    expect(formatDateTime(instant, "WIT")).toBe("12/01/2027 11:00 WIT");
  });
});

describe("end: a duration, an end time or an end date", () => {
  const start = new Date("2027-01-12T02:00:00Z"); // 09:00 WIB
  const end = (text: string, zone: "WIB" | "WITA" | "WIT" = "WIB") => {
    const r = parseEnd(text, start, zone);
    return r.ok ? r.value.toISOString() : r.error;
  };

  it.each([
    ["2 jam", "2027-01-12T04:00:00.000Z"],
    ["2 Jam", "2027-01-12T04:00:00.000Z"],
    ["2jam", "2027-01-12T04:00:00.000Z"],
    ["90 menit", "2027-01-12T03:30:00.000Z"],
    ["1,5 jam", "2027-01-12T03:30:00.000Z"],
    ["1.5 jam", "2027-01-12T03:30:00.000Z"],
    ["1 jam 30 menit", "2027-01-12T03:30:00.000Z"],
    ["3 hours", "2027-01-12T05:00:00.000Z"],
    ["sampai 15.30", "2027-01-12T08:30:00.000Z"],
    ["s/d 15.30", "2027-01-12T08:30:00.000Z"],
    ["s.d. 15.30", "2027-01-12T08:30:00.000Z"],
    ["hingga pukul 12.00", "2027-01-12T05:00:00.000Z"],
    ["selesai jam 12", "2027-01-12T05:00:00.000Z"],
    ["15:00", "2027-01-12T08:00:00.000Z"],
    ["sampai 15.30 WIB", "2027-01-12T08:30:00.000Z"],
    ["2 hari", "2027-01-13T10:00:00.000Z"],
    ["13/01/2027 12:00", "2027-01-13T05:00:00.000Z"],
  ])("%s → %s", (typed, expected) => {
    expect(end(typed)).toBe(expected);
  });

  it("reads an end time in the office's zone", () => {
    const witaStart = new Date("2027-01-12T01:00:00Z"); // 09:00 WITA
    const r = parseEnd("sampai 15.30", witaStart, "WITA");
    expect(r.ok && r.value.toISOString()).toBe("2027-01-12T07:30:00.000Z");
  });

  it.each([
    ["sampai 08.00", "end_before_start"],
    ["09:00", "end_before_start"],
    ["11/01/2027 12:00", "end_before_start"],
    ["0 jam", "invalid_duration"],
    ["10 menit", "invalid_duration"],
    ["25 jam", "invalid_duration"],
    ["20 hari", "invalid_duration"],
    ["1,5 hari", "invalid_duration"],
    ["30/01/2027 12:00", "invalid_duration"],
    ["lama", "invalid_duration"],
    ["24:00", "invalid_duration"],
  ])("refuses %s with %s", (typed, error) => {
    expect(end(typed)).toBe(error);
  });

  it("parseSchedule says which field is wrong", () => {
    const now = new Date("2026-11-21T03:00:00Z");
    expect(parseSchedule("12/01/2027 09:00", "2 jam", "WIB", now)).toEqual({
      ok: true,
      startAt: new Date("2027-01-12T02:00:00Z"),
      endAt: new Date("2027-01-12T04:00:00Z"),
    });
    expect(parseSchedule("31/02/2027 09:00", "2 jam", "WIB", now)).toEqual({ ok: false, field: "startAt", error: "invalid_datetime" });
    expect(parseSchedule("12/01/2027 09:00", "sampai 08.00", "WIB", now)).toEqual({ ok: false, field: "endAt", error: "end_before_start" });
  });

  it("the request schema refuses an end before the start", () => {
    const start = new Date(Date.now() + 5 * 24 * 3600_000);
    const r = requestInputSchema.safeParse(requestInput({ startAt: start, endAt: new Date(start.getTime() - 60_000) }));
    expect(r.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["endAt", "end_before_start"]]);
  });
});

describe("ticket codes in messages", () => {
  it.each([
    ["status PB-2026-00042 ya", "PB-2026-00042"],
    ["cek pb-2026-00042", "PB-2026-00042"],
    ["PB 2026 00042", "PB-2026-00042"],
    ["PB202600042", "PB-2026-00042"],
    ["PB-2026-123456", "PB-2026-123456"],
    ["PB-2026-0042", null],
    ["tidak ada kode", null],
  ])("%s → %s", (text, code) => {
    expect(findTicketCode(text)).toBe(code);
  });
  it("normalises a typed code", () => {
    expect(ticketCodeSchema.parse(" pb-2026-00042 ")).toBe("PB-2026-00042");
    expect(ticketCodeSchema.safeParse("PB-26-00042").success).toBe(false);
  });
});
