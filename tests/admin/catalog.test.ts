// Every message key the panel's templates and routes use exists in the catalog (Indonesian
// and English), including the keys built from codes (outbox kinds, channel states, ...).
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { hasMessage, t } from "../../core/messages/index.js";
import { ROLES } from "../../core/reference/index.js";

async function filesUnder(dir: string, ext: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full, ext)));
    else if (entry.name.endsWith(ext)) out.push(full);
  }
  return out;
}

it("has every literal key used in admin/ templates and code", async () => {
  const files = [...(await filesUnder("admin/views", ".eta")), ...(await filesUnder("admin", ".ts"))];
  const keys = new Set<string>();
  for (const f of files) {
    const text = await readFile(f, "utf8");
    for (const m of text.matchAll(/["'`]((?:admin|error|invalid|app)\.[A-Za-z0-9_.]+[A-Za-z0-9_])["'`]/g)) keys.add(m[1]!);
  }
  expect(keys.size).toBeGreaterThan(250);
  const missing = [...keys].filter((k) => !hasMessage(k));
  expect(missing).toEqual([]);
});

it("has every key built from a code", () => {
  const built = [
    ...[
      "request.submitted",
      "request.received",
      "request.in_review",
      "request.approved",
      "request.rejected",
      "request.done",
      "request.cancelled",
      "request.escalated",
    ].map((k) => `admin.outbox.kind.${k}`),
    ...["request.clarification", "request.clarification_answer", "coach.assigned", "reminder.session", "reminder.documentation"].map(
      (k) => `admin.outbox.kind.${k}`,
    ),
    ...["REQUESTER", "PIC", "COACH", "SUPERVISOR", "ADMIN", "STAFF"].map((k) => `admin.outbox.recipient.${k}`),
    "admin.outbox.kind.account.under_attack",
    ...["plain_http", "untrusted_proxy"].map((k) => `admin.transport.${k}`),
    ...["too_short", "too_long", "too_weak", "same"].map((k) => `admin.password.${k}`),
    ...["off", "connecting", "qr", "pairing", "open", "closed", "logged_out", "standby"].map((k) => `admin.channels.state.${k}`),
    ...["NATIONAL", "PROVINCE", "REGENCY"].map((k) => `admin.officeLevel.${k}`),
    ...["too_large", "empty", "bad_type"].map((k) => `admin.upload.${k}`),
  ];
  expect(built.filter((k) => !hasMessage(k))).toEqual([]);
  // English differs from Indonesian (a real translation, not a copy).
  expect(t("en", "admin.nav.requests")).toBe("Requests");
  expect(t("id", "admin.nav.requests")).toBe("Daftar Pengajuan");
  expect(ROLES.length).toBe(4);
});
