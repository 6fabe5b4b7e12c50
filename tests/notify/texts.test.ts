// Every notice in both languages: the right facts, the office's time zone, nothing left as
// a {placeholder}. Pure composition, no database.
import { describe, expect, it } from "vitest";
import { composeNotice, localPhone, type NoticeData, panelLinks } from "../../bot/delivery/render.js";
import type { RecipientKind } from "../../core/db/generated/enums.js";
import { NOTICE_KINDS, type NoticeKind } from "../../core/notifications/kinds.js";

const links = panelLinks({ PUBLIC_URL: "https://sibina.bps.go.id/", HOST: "127.0.0.1", PORT: 3000 });
const request = {
  id: "5d7f1c3e-0000-4000-8000-000000000001",
  code: "PB-2026-00042",
  serviceType: "DIKLAT_BIMTEK" as const,
  agencyName: "Dinas Kominfo Provinsi Sulawesi Selatan",
  location: "Aula Diskominfo, Makassar",
  mode: "OFFLINE" as const,
  startAt: new Date("2026-10-06T01:10:00Z"), // 09:10 WITA
  picName: "SIDDIK",
  picPhone: "+6281234567890",
  status: "APPROVED" as const,
  rejectionReason: null,
  officeName: "BPS Provinsi Sulawesi Selatan",
  timeZone: "WITA" as const,
};

const data = (kind: NoticeKind, recipientKind: RecipientKind, extra: Partial<NoticeData> = {}): NoticeData => ({
  kind,
  recipientKind,
  payload: {},
  request,
  coaches: ["FATHIR MAULA. S", "Rina Wulandari"],
  recipientName: "FATHIR MAULA. S",
  recipientHasWhatsapp: false,
  note: null,
  missing: [],
  ...extra,
});

const both = (d: NoticeData) => ({ id: composeNotice(d, "id", links).text, en: composeNotice(d, "en", links).text });

describe("notice texts", () => {
  it("the coach assignment follows the SPEKTRAL notice, in the office's zone", () => {
    const { id, en } = both(data("coach.assigned", "COACH"));
    expect(id).toBe(
      [
        "Penunjukan Narasumber Pembinaan",
        "",
        "Yth. Bapak/Ibu FATHIR MAULA. S,",
        "",
        "Anda ditugaskan menjadi Narasumber dalam kegiatan pembinaan statistik sektoral dengan detail:",
        "",
        "Kode pengajuan: PB-2026-00042",
        "Jenis layanan pembinaan: Diklat/Bimtek",
        "Instansi: Dinas Kominfo Provinsi Sulawesi Selatan",
        "Lokasi pembinaan: Aula Diskominfo, Makassar (Luring (tatap muka))",
        "Tanggal: 06/10/2026 Pukul: 09:10 WITA",
        "PIC Kegiatan: SIDDIK (081234567890)",
        "",
        "Terima kasih,",
        "Supervisor Sibina BPS Provinsi Sulawesi Selatan",
      ].join("\n"),
    );
    expect(en).toContain("Dear FATHIR MAULA. S");
    expect(en).toContain("Service type: Training / technical guidance");
    expect(en).toContain("Date: 06/10/2026 Time: 09:10 WITA");
    const wa = both(data("coach.assigned", "COACH", { recipientHasWhatsapp: true }));
    expect(wa.id).toContain("PIC Kegiatan: SIDDIK (081234567890, wa.me/6281234567890)");
    expect(wa.en).toContain("Activity PIC: SIDDIK (081234567890, wa.me/6281234567890)");
  });

  it("status notices to the requester say what changed and what comes next", () => {
    expect(both(data("request.in_review", "REQUESTER"))).toEqual({
      id: expect.stringContaining("sekarang Dalam Proses"),
      en: expect.stringContaining("is now In process"),
    });
    const approved = both(data("request.approved", "REQUESTER"));
    expect(approved.id).toContain("DISETUJUI");
    expect(approved.id).toContain("Pembina: FATHIR MAULA. S, Rina Wulandari.");
    expect(approved.id).toContain("Pembina akan menghubungi PIC kegiatan, SIDDIK (081234567890)");
    expect(approved.en).toContain("Coaches: FATHIR MAULA. S, Rina Wulandari.");
    const rejected = both(data("request.rejected", "REQUESTER", { note: "Jadwal bentrok dengan Sensus Pertanian." }));
    expect(rejected.id).toContain("Alasan: Jadwal bentrok dengan Sensus Pertanian.");
    expect(rejected.en).toContain("Reason: Jadwal bentrok dengan Sensus Pertanian.");
    const done = both(data("request.done", "REQUESTER"));
    expect(done.id).toContain("ketik menu lalu pilih \u201cBeri testimoni\u201d");
    expect(done.en).toContain("type menu and choose \u201cGive a testimonial\u201d");
  });

  it("supervisors get a short alert with the panel link", () => {
    const { id, en } = both(data("request.submitted", "SUPERVISOR"));
    expect(id).toContain("Pengajuan baru PB-2026-00042");
    expect(id).toContain(`https://sibina.bps.go.id/requests/${request.id}`);
    expect(en).toContain("New request PB-2026-00042");
    expect(both(data("request.clarification_answer", "SUPERVISOR", { note: "Pesertanya 40 orang." })).id).toContain('"Pesertanya 40 orang."');
    expect(panelLinks({ HOST: "0.0.0.0", PORT: 8080 }).request("x")).toBe("http://0.0.0.0:8080/requests/x");
  });

  it("reminders: the day before for coach and PIC, documentation with what is missing and the upload link", () => {
    expect(both(data("reminder.session", "COACH")).id).toContain("besok Anda menjadi narasumber");
    expect(both(data("reminder.session", "PIC")).en).toContain("scheduled for tomorrow, 06/10/2026 at 09:10 WITA");
    const docs = both(data("reminder.documentation", "COACH", { missing: ["ATTENDANCE", "MINUTES"], payload: { round: 2 } }));
    expect(docs.id).toContain("Pengingat kedua");
    expect(docs.id).toContain("Daftar Hadir, Notulensi");
    expect(docs.id).toContain(`https://sibina.bps.go.id/coachings/${request.id}/documentation`);
    expect(docs.en).toContain("Attendance list, Minutes");
  });

  it("the requester hears that the request went to another office, named", () => {
    const d = both(data("request.escalated", "REQUESTER", { payload: { officeName: "BPS Provinsi Riau" } }));
    expect(d.id).toContain("dialihkan ke BPS Provinsi Riau");
    expect(d.en).toContain("passed on to BPS Provinsi Riau");
  });

  it("every kind renders fully in both languages", () => {
    // Every kind in the list, each to the recipients it goes to (and requesters for status kinds).
    const recipientsOf = (kind: NoticeKind): RecipientKind[] => {
      if (kind.startsWith("channel.")) return ["ADMIN"];
      if (kind.startsWith("account.")) return ["STAFF", "ADMIN"];
      if (kind === "coach.assigned" || kind === "reminder.documentation") return ["COACH"];
      if (kind === "reminder.session") return ["COACH", "PIC"];
      if (kind === "request.clarification_answer" || kind === "inbox.waiting") return ["SUPERVISOR"];
      if (kind === "request.escalated") return ["SUPERVISOR", "REQUESTER"];
      if (kind === "request.submitted" || kind === "request.cancelled") return ["SUPERVISOR", "REQUESTER"];
      return ["REQUESTER"];
    };
    const kinds = NOTICE_KINDS.flatMap((kind) => recipientsOf(kind).map((who) => [kind, who] as const));
    expect(kinds.length).toBeGreaterThanOrEqual(NOTICE_KINDS.length);
    for (const [kind, who] of kinds) {
      const d = kind.startsWith("channel.")
        ? data(kind, who, { request: null, payload: { channel: "whatsapp" } })
        : kind.startsWith("account.")
          ? data(kind, who, {
              request: null,
              payload: { userId: "u", stage: "totp", failures: 3, clients: 2 },
              account: { name: "Rina", email: "rina@bps.go.id" },
            })
          : kind.startsWith("inbox.")
            ? data(kind, who, {
                request: null,
                payload: { conversationId: "c" },
                inbox: { text: "Halo dari petugas", document: null, person: "Siti", channel: "web" },
              })
            : data(kind, who, { note: "Catatan" });
      const { id, en } = both(d);
      expect(id, kind).not.toMatch(/\{\w+\}/);
      expect(en, kind).not.toMatch(/\{\w+\}/);
      // A staff reply is the staff's own words, in whatever language they wrote.
      if (kind === "inbox.reply") expect(id).toBe("Halo dari petugas");
      else expect(id, kind).not.toBe(en);
    }
    expect(localPhone("+6281234567890")).toBe("081234567890");
  });

  it("an account under attack: the owner is told what happened and where to act, the admins whose account it is", () => {
    const account = { name: "Rina Marlina", email: "rina@bps.go.id" };
    const pw = { userId: "u", stage: "password", failures: 12, clients: 7 };
    const owner = both(data("account.under_attack", "STAFF", { request: null, payload: pw, account }));
    expect(owner.id).toContain("12 percobaan masuk yang gagal ke akun Sibina Anda (rina@bps.go.id) dari 7 alamat");
    expect(owner.id).toContain("https://sibina.bps.go.id/profile/security");
    expect(owner.en).toContain("12 failed sign-in attempts on your Sibina account (rina@bps.go.id) from 7 addresses");
    const totp = both(data("account.under_attack", "STAFF", { request: null, payload: { ...pw, stage: "totp", failures: 3 }, account }));
    expect(totp.id).toContain("kode verifikasi dua langkah salah 3 kali");
    expect(totp.id).toContain("https://sibina.bps.go.id/profile/password");
    const admin = both(data("account.under_attack", "ADMIN", { request: null, payload: pw, account }));
    expect(admin.id).toContain("Akun Rina Marlina (rina@bps.go.id) menjadi sasaran percobaan masuk: 12 kegagalan dari 7 alamat");
    expect(admin.en).toContain("https://sibina.bps.go.id/audit?action=auth");
    expect(composeNotice(data("account.under_attack", "ADMIN", { request: null, payload: pw, account }), "id", links).title).toBe(
      "Peringatan keamanan akun Sibina",
    );
  });
});
