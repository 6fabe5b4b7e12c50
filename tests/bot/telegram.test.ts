// End to end over HTTP: the real Telegraf bot (long polling) against our strict Bot API server,
// with people typing, pressing inline buttons and sending files as they would on their phones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { storeAttachment } from "../../core/storage/index.js";
import { actorOf, makeUser, requestInput } from "../helpers/fixtures.js";
import { coachingHasStarted } from "../helpers/requests.js";
import { BotApiServer } from "../support/bot-api-server.js";
import { type BotTestContext, botTestContext } from "./support/context.js";
import { fakePdf, jpeg, pdf } from "./support/files.js";
import { fillForm, inDays } from "./support/form.js";
import { TelegramBotUnderTest, TOKEN } from "./support/tg.js";

let b: BotTestContext;
let emu: BotApiServer;
let bot: TelegramBotUnderTest;
let nextChat = 5000;
const newUser = (name = "Siti") => bot.user(nextChat++, name);

beforeAll(async () => {
  b = await botTestContext();
  emu = await BotApiServer.start();
  bot = await new TelegramBotUnderTest(b.ctx, emu).start();
});
afterAll(async () => {
  await bot?.stop();
  await emu?.stop();
  await b?.close();
});

const requestsOf = async (chatId: number) => {
  const identity = await b.ctx.db.channelIdentity.findUnique({ where: { channel_externalId: { channel: "telegram", externalId: String(chatId) } } });
  return b.ctx.db.coachingRequest.findMany({ where: { identityId: identity?.id ?? "00000000-0000-0000-0000-000000000000" }, orderBy: { createdAt: "asc" } });
};

describe("request form on Telegram", () => {
  it("submits a complete request, correcting a bad NIP, odd phone formats and a past date on the spot", async () => {
    const u = newUser("Siti");
    await u.command("/start");
    expect(u.text()).toContain("Halo, Siti!");
    expect(u.buttons().map((x) => x.text)).toEqual([
      "Ajukan pembinaan",
      "Cek status pengajuan",
      "Cari modul & pembinaan",
      "Beri testimoni",
      "Kontak kantor BPS",
      "Hubungi petugas",
    ]);
    expect(u.text()).toContain("1. Ajukan pembinaan\n2. Cek status pengajuan");
    await u.press("Ajukan pembinaan");
    expect(u.text()).toContain("UU Pelindungan Data Pribadi");
    await u.press("Setuju");
    expect(u.text()).toContain("(1/17) Siapa nama lengkap Anda?");
    await u.say("Si");
    expect(u.text()).toContain("Isian terlalu pendek. Contoh: Siti Rahmawati.");
    expect(u.text()).toContain("(1/17) Siapa nama lengkap Anda?");
    await u.say("Siti Rahmawati");
    await u.say("1985 0101 2010");
    expect(u.text()).toContain("NIP harus 18 digit angka. Contoh: 19850101 201001 1 001.");
    expect(u.text()).toContain("(2/17)");
    await u.say("19850101 201001 2 003");
    expect(u.text()).toContain("(3/17) Nomor HP/WhatsApp");
    await u.say("0812-345");
    expect(u.text()).toContain("Nomor telepon tidak valid. Contoh: 0812-3456-7890");
    await u.say("(0812) 3456.7890");
    expect(u.text()).toContain("(4/17)");
    await u.say("siti at pekanbaru");
    expect(u.text()).toContain("Alamat email tidak valid. Contoh: nama@instansi.go.id.");
    await u.say("Siti.Rahmawati@Pekanbaru.go.id");
    await u.say("kominfo pekanbaru");
    expect(u.text()).toContain("Pilih instansi Anda dari daftar");
    await u.press("Dinas Komunikasi dan Informatika Kota Pekanbaru");
    expect(u.text()).toContain("(7/17) Apakah instansi Anda produsen data");
    await u.say("ya");
    await u.say("1");
    expect(u.text()).toContain("(9/17) Topik pembinaan");
    await u.press("Satu Data Indonesia");
    expect(u.buttons().find((x) => x.text.includes("Satu Data"))?.text).toBe("✓ Satu Data Indonesia");
    await u.press("Kualitas Data");
    await u.press("Selesai memilih");
    expect(u.text()).toContain("(10/17)");
    await u.say("Bimtek");
    expect(u.text()).toContain("Isian terlalu pendek. Contoh: Bimtek penyusunan metadata");
    await u.say("Bimbingan teknis penyusunan metadata kegiatan statistik untuk 30 pegawai.");
    await u.say("Aula Diskominfo Kota Pekanbaru");
    await u.say("hybrid");
    expect(u.text()).toContain("(13/17) Kapan mulai? Tulis tanggal dan jam (WIB)");
    await u.say("01/02/2020 09:00");
    expect(u.text()).toContain("Tanggal tersebut sudah lewat.");
    await u.say(inDays(20));
    expect(u.text()).toContain("Sertakan jamnya juga.");
    await u.say(`${inDays(20)} pukul 09.30`);
    await u.say("sampai 12.00");
    await u.say("Budi Santoso");
    expect(u.text()).toContain("(16/17) Nomor HP PIC?");
    await u.say("+62 811 7654 321");
    await u.press("Lewati");
    const summary = u.text();
    expect(summary).toContain("1. Nama: Siti Rahmawati");
    expect(summary).toContain("2. NIP: 198501012010012003");
    expect(summary).toContain("3. No. HP: +6281234567890");
    expect(summary).toContain("4. Email: siti.rahmawati@pekanbaru.go.id");
    expect(summary).toContain("5. Instansi: Dinas Komunikasi dan Informatika Kota Pekanbaru");
    expect(summary).toContain("9. Topik: Satu Data Indonesia, Kualitas Data");
    expect(summary).toContain(`13. Mulai: ${inDays(20)} 09:30 WIB`);
    expect(summary).toContain(`14. Selesai: ${inDays(20)} 12:00 WIB`);
    expect(summary).toContain("15. Nama PIC: Budi Santoso");
    await u.press("Kirim pengajuan");
    const code = /PB-\d{4}-\d{5}/.exec(u.text())?.[0];
    expect(code).toBeDefined();
    expect(u.text()).toContain("Supervisor BPS Kota Pekanbaru akan meninjaunya");

    const [request] = await requestsOf(u.chatId);
    expect(request).toMatchObject({
      code,
      requesterName: "Siti Rahmawati",
      requesterNip: "198501012010012003",
      requesterPhone: "+6281234567890",
      requesterEmail: "siti.rahmawati@pekanbaru.go.id",
      agencyName: "Dinas Komunikasi dan Informatika Kota Pekanbaru",
      agencyLevel: "REGENCY",
      isDataProducer: true,
      serviceType: "DIKLAT_BIMTEK",
      topics: ["SATU_DATA", "DATA_QUALITY"],
      mode: "HYBRID",
      picName: "Budi Santoso",
      picPhone: "+628117654321",
      channel: "telegram",
      officeId: b.offices.pekanbaru.id,
      locale: "id",
    });
    expect(request!.endAt.getTime() - request!.startAt.getTime()).toBe(150 * 60_000);
    expect(request!.consentAt).not.toBeNull();
    const requester = await b.ctx.db.requester.findUniqueOrThrow({ where: { id: request!.requesterId! } });
    expect(requester.consentAt).not.toBeNull();
    expect(requester.name).toBe("Siti Rahmawati");
    // Callback queries are answered (the spinner on the phone stops).
    expect(emu.calls.filter((c) => c.method === "answerCallbackQuery").length).toBeGreaterThanOrEqual(6);
  });

  it("changes one field from the summary by its number and returns to the summary", async () => {
    const u = newUser();
    await fillForm(u);
    expect(u.text()).toContain("8. Bentuk pembinaan: FGD");
    await u.press("Ubah isian");
    expect(u.text()).toContain("Isian nomor berapa yang ingin diubah?");
    await u.say("8");
    expect(u.text()).toContain("(8/17) Bentuk pembinaan apa");
    await u.press("Workshop");
    expect(u.text()).toContain("Ringkasan pengajuan Anda:");
    expect(u.text()).toContain("8. Bentuk pembinaan: Workshop");
    // The shortcut typed at the summary works too.
    await u.say("ubah 11");
    await u.say("Aula Kantor Walikota Pekanbaru");
    expect(u.text()).toContain("11. Lokasi: Aula Kantor Walikota Pekanbaru");
    await u.press("Kirim pengajuan");
    const [request] = await requestsOf(u.chatId);
    expect(request).toMatchObject({ serviceType: "WORKSHOP", location: "Aula Kantor Walikota Pekanbaru" });
  });

  it("cancels with the word batal at any step, and nothing is submitted", async () => {
    const u = newUser();
    await u.say("menu");
    await u.press("Ajukan pembinaan");
    await u.press("Setuju");
    await u.say("Siti Rahmawati");
    await u.say("batal");
    expect(u.text()).toContain("Pengajuan dibatalkan. Tidak ada data yang dikirim.");
    expect(u.buttons()[0]?.text).toBe("Ajukan pembinaan");
    await fillForm(u);
    await u.press("Batalkan");
    expect(u.text()).toContain("Pengajuan dibatalkan.");
    expect(await requestsOf(u.chatId)).toHaveLength(0);
  });

  it("resumes a half-filled form after the bot process is restarted", async () => {
    const u = newUser();
    await u.say("menu");
    await u.press("Ajukan pembinaan");
    await u.press("Setuju");
    await u.say("Siti Rahmawati");
    await u.press("Lewati");
    await u.say("0812 3456 7890");
    expect(u.text()).toContain("(4/17)");
    await bot.restart();
    await u.say("siti@pekanbaru.go.id");
    expect(u.text()).toContain("(5/17) Apa nama instansi Anda?");
    await u.say("Bappeda Pekanbaru");
    await u.press("Bappeda Kota Pekanbaru");
    await u.press("Tidak");
    await u.say("FGD");
    await u.say("3");
    await u.say("Diskusi kelompok terpumpun tentang Satu Data Indonesia.");
    await u.say("Zoom");
    await u.press("Daring");
    await u.say(`${inDays(40)} 13:00`);
    await u.say("2 jam");
    await u.press("Sama dengan saya");
    await u.press("Lewati");
    expect(u.text()).toContain("3. No. HP: +6281234567890");
    await u.press("Kirim pengajuan");
    const [request] = await requestsOf(u.chatId);
    expect(request).toMatchObject({ requesterName: "Siti Rahmawati", requesterEmail: "siti@pekanbaru.go.id", isDataProducer: false, mode: "ONLINE" });
  });

  it("warns about an open request of the same agency and service within 7 days, and still lets the person submit", async () => {
    const agency = await b.ctx.db.agency.findFirstOrThrow({ where: { name: "Bappeda Kota Pekanbaru" } });
    const start = new Date(Date.now() + 50 * 24 * 3600_000);
    const { request: existing } = await submitRequest(
      b.ctx.db,
      requestInput({
        agencyId: agency.id,
        agencyName: agency.name,
        agencyLevel: "REGENCY",
        serviceType: "FGD",
        startAt: start,
        endAt: new Date(start.getTime() + 3600_000),
      }),
      { channel: "web", defaultOfficeId: b.offices.riau.id },
    );
    const u = newUser();
    await fillForm(u, { service: "FGD", start: `${inDays(53)} 10:00` });
    await u.press("Kirim pengajuan");
    expect(u.text()).toContain(`Perhatian: instansi ini sudah punya pengajuan FGD yang masih berjalan dalam 7 hari dari tanggal itu: ${existing.code}.`);
    expect(await requestsOf(u.chatId)).toHaveLength(0);
    await u.press("Tetap kirim");
    expect(u.text()).toMatch(/terkirim dengan kode PB-\d{4}-\d{5}/);
    expect(await requestsOf(u.chatId)).toHaveLength(1);
  });

  it("speaks English after 'language', keeping the answers already given", async () => {
    const u = newUser("John");
    await u.say("menu");
    await u.press("Ajukan pembinaan");
    await u.press("Setuju");
    await u.say("John Pratama");
    await u.say("language");
    expect(u.text()).toContain("Pilih bahasa / Choose a language:");
    await u.press("English");
    expect(u.text()).toContain("OK, we continue in English. Your answers are kept.");
    expect(u.text()).toContain("(2/17) What is your NIP (18 digits)?");
    await u.press("Skip");
    await u.say("0812 9999 8888");
    await u.say("john@riau.go.id");
    await u.say("Dinas Kesehatan Riau");
    await u.press("Dinas Kesehatan Provinsi Riau");
    await u.press("Yes");
    await u.say("Workshop");
    await u.say("5");
    await u.say("A workshop on data quality assurance for 20 staff.");
    await u.say("Dinas Kesehatan hall, Pekanbaru");
    await u.press("Offline");
    await u.say(`${inDays(25)} 08:00`);
    await u.say("1 day");
    // "1 day" is ambiguous: the bot shows the end it computed (a working day) and asks.
    expect(u.text()).toContain(`The coaching will be recorded as ending ${inDays(25)} 16:00 WIB. Is that right?`);
    await u.press("Yes, that's right");
    await u.press("Same as me");
    await u.press("Skip");
    expect(u.text()).toContain("Summary of your request:");
    expect(u.text()).toContain("1. Name: John Pratama");
    expect(u.text()).toContain("6. Agency level: Provincial government");
    await u.press("Send request");
    expect(u.text()).toMatch(/Your request was sent with code PB-\d{4}-\d{5}\. A supervisor at BPS Provinsi Riau will review it/);
    const [request] = await requestsOf(u.chatId);
    expect(request).toMatchObject({ requesterName: "John Pratama", locale: "en", serviceType: "WORKSHOP", topics: ["DATA_QUALITY"] });
    const identity = await b.ctx.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: String(u.chatId) } } });
    expect(identity.locale).toBe("en");
  });

  it("accepts a document attachment checked by content, and refuses a fake PDF and an oversized file", async () => {
    const u = newUser();
    await fillForm(u);
    await u.press("Ubah isian");
    await u.press("Lampiran");
    expect(u.text()).toContain("(17/17) Ada surat atau dokumen pendukung?");
    await u.document(fakePdf(), "surat.pdf", "application/pdf");
    expect(u.text()).toContain("Jenis berkas tidak diterima. Kirim PDF, DOCX, XLSX, PPTX, JPG, atau PNG.");
    expect(u.text()).toContain("(17/17)");
    await u.document(Buffer.alloc(11 * 1024 * 1024, 1), "besar.pdf", "application/pdf");
    expect(u.text()).toContain("Berkas terlalu besar. Ukuran maksimal 10 MB.");
    await u.document(pdf("Surat permohonan pembinaan"), "Surat Permohonan.pdf", "application/pdf", "surat resmi");
    expect(u.text()).toContain('Berkas "Surat Permohonan.pdf" diterima.');
    expect(u.text()).toContain("17. Lampiran: Surat Permohonan.pdf");
    await u.press("Kirim pengajuan");
    const [request] = await requestsOf(u.chatId);
    const attachments = await b.ctx.db.attachment.findMany({ where: { requestId: request!.id } });
    expect(attachments).toHaveLength(1);
    expect(attachments[0]).toMatchObject({ fileName: "Surat Permohonan.pdf", mimeType: "application/pdf", size: pdf("Surat permohonan pembinaan").length });
    expect(await b.ctx.storage.get(attachments[0]!.storageKey)).toEqual(pdf("Surat permohonan pembinaan"));
  });

  it("accepts a photo as the attachment", async () => {
    const u = newUser();
    await fillForm(u);
    await u.press("Ubah isian");
    await u.press("Lampiran");
    await u.photo(jpeg());
    expect(u.text()).toMatch(/Berkas "foto-\d+\.jpg" diterima\./);
    await u.press("Kirim pengajuan");
    const [request] = await requestsOf(u.chatId);
    expect(await b.ctx.db.attachment.count({ where: { requestId: request!.id, mimeType: "image/jpeg" } })).toBe(1);
  });
});

describe("status on Telegram", () => {
  it("lists this chat's requests with coaches and reasons, shows details by code, and gives others the same 'not found' as unknown codes", async () => {
    const u = newUser();
    await fillForm(u, { start: `${inDays(30)} 09:00`, agency: "Dinas Kesehatan Riau", pick: "Dinas Kesehatan Provinsi Riau" });
    await u.press("Kirim pengajuan");
    await fillForm(u, { service: "Asistensi", start: `${inDays(60)} 09:00` });
    await u.press("Kirim pengajuan");
    const [first, second] = await requestsOf(u.chatId);
    const riauSupervisor = await makeUser(b.ctx.db, b.offices.riau.id, ["SUPERVISOR"], "Hendra Gunawan");
    const supervisor = await makeUser(b.ctx.db, b.offices.pekanbaru.id, ["SUPERVISOR"], "Yusuf Maulana");
    const coach = await makeUser(b.ctx.db, b.offices.riau.id, ["COACH"], "Dewi Lestari");
    await changeStatus(b.ctx.db, actorOf(riauSupervisor), { requestId: first!.id, to: "IN_REVIEW" });
    await changeStatus(b.ctx.db, actorOf(riauSupervisor), { requestId: first!.id, to: "APPROVED", coachIds: [coach.id] });
    await changeStatus(b.ctx.db, actorOf(supervisor), { requestId: second!.id, to: "IN_REVIEW" });
    await changeStatus(b.ctx.db, actorOf(supervisor), { requestId: second!.id, to: "REJECTED", reason: "Jadwal bentrok dengan sensus." });

    await u.say("menu");
    await u.press("Cek status pengajuan");
    const list = u.text();
    expect(list).toContain(`${first!.code} · FGD · ${inDays(30)} · Disetujui`);
    expect(list).toContain("Pembina: Dewi Lestari");
    expect(list).toContain(`${second!.code} · Asistensi · ${inDays(60)} · Ditolak`);
    expect(list).toContain("Alasan penolakan: Jadwal bentrok dengan sensus.");
    await u.press(first!.code);
    expect(u.text()).toContain(`Pengajuan ${first!.code}\nStatus: Disetujui`);
    expect(u.text()).toContain("Pembina: Dewi Lestari");

    // Typed anywhere, even in the middle of a form.
    await u.say("menu");
    await u.press("Ajukan pembinaan");
    await u.press("Setuju");
    await u.say(`status ${second!.code.toLowerCase()}`);
    expect(u.text()).toContain(`Pengajuan ${second!.code}\nStatus: Ditolak`);
    // ...and the form's question is asked again (here: the offer of this PIC's previous details).
    expect(u.text()).toContain("Gunakan data sebelumnya (nama, NIP, HP, email, instansi)?");

    // Another person asks for these codes: exactly the answer an unknown code gets.
    const other = newUser("Andi");
    await other.say(first!.code);
    const forOther = other.text();
    await other.say("PB-2026-99999");
    const unknown = other.text();
    expect(forOther).toContain(`Kode tiket ${first!.code} tidak ditemukan.`);
    expect(forOther.replace(first!.code, "X")).toBe(unknown.replace("PB-2026-99999", "X"));
    expect(forOther).not.toContain("Disetujui");
  });
});

describe("modules, testimonials and contact on Telegram", () => {
  it("finds modules and past coachings by keyword and topic, and sends the module file as a document", async () => {
    const stored = await storeAttachment(b.ctx.db, b.ctx.storage, { bytes: pdf("Metadata"), fileName: "Modul Metadata.pdf", maxBytes: 10e6 });
    if (!stored.ok) throw new Error("fixture refused");
    await b.ctx.db.module.create({
      data: {
        title: "Penyusunan Metadata Kegiatan Statistik",
        category: "Metadata",
        topic: "STATISTICAL_ACTIVITIES",
        fileType: "PDF",
        attachmentId: stored.attachment.id,
        officeId: b.ctx.defaultOfficeId,
      },
    });
    const u = newUser();
    await u.say("menu");
    await u.press("Cari modul");
    expect(u.text()).toContain("Ketik kata kunci");
    await u.say("zzzz tidak ada");
    expect(u.text()).toContain('Tidak ada modul atau pembinaan yang cocok dengan "zzzz tidak ada".');
    await u.say("metadata");
    expect(u.text()).toContain("Modul yang cocok:\n1. Penyusunan Metadata Kegiatan Statistik (PDF)");
    await u.press("Penyusunan Metadata");
    const doc = u.last.find((m) => m.document);
    expect(doc?.document?.fileName).toBe("Modul Metadata.pdf");
    expect(doc?.document?.size).toBe(pdf("Metadata").length);
    expect(doc?.text).toContain("Berikut modul Penyusunan Metadata Kegiatan Statistik.");
    // By topic: the module of that topic.
    await u.say("menu");
    await u.press("Cari modul");
    await u.press("Identifikasi Kegiatan Statistik");
    expect(u.text()).toContain("Penyusunan Metadata Kegiatan Statistik (PDF)");
  });

  it("takes a testimonial once for a finished coaching", async () => {
    const u = newUser();
    await u.say("menu");
    await u.press("Beri testimoni");
    expect(u.text()).toContain("Belum ada pembinaan selesai");
    await fillForm(u);
    await u.press("Kirim pengajuan");
    const [request] = await requestsOf(u.chatId);
    const supervisor = await makeUser(b.ctx.db, b.offices.pekanbaru.id, ["SUPERVISOR"]);
    const coach = await makeUser(b.ctx.db, b.offices.pekanbaru.id, ["COACH"]);
    await changeStatus(b.ctx.db, actorOf(supervisor), { requestId: request!.id, to: "IN_REVIEW" });
    await changeStatus(b.ctx.db, actorOf(supervisor), { requestId: request!.id, to: "APPROVED", coachIds: [coach.id] });
    await coachingHasStarted(b.ctx.db, request!.id);
    await changeStatus(b.ctx.db, actorOf(supervisor), { requestId: request!.id, to: "DONE" });
    await u.say("menu");
    await u.press("Beri testimoni");
    expect(u.text()).toContain(`Seberapa puas Anda dengan pembinaan ${request!.code}?`);
    await u.say("7");
    expect(u.text()).toContain("Pilihan tidak dikenali.");
    await u.press("5");
    await u.say("ok");
    expect(u.text()).toContain("Isian terlalu pendek. Contoh: Materinya jelas");
    await u.say("Materinya jelas dan langsung bisa kami terapkan di Bappeda.");
    expect(u.text()).toContain("Terima kasih atas testimoni Anda!");
    const testimonial = await b.ctx.db.testimonial.findUniqueOrThrow({ where: { requestId: request!.id } });
    expect(testimonial).toMatchObject({ rating: 5, text: "Materinya jelas dan langsung bisa kami terapkan di Bappeda.", authorName: "Siti Rahmawati" });
    await u.press("Beri testimoni");
    expect(u.text()).toContain("Belum ada pembinaan selesai");
  });

  it("gives the handling office's contact details", async () => {
    const u = newUser();
    await u.say("menu");
    await u.press("Kontak kantor BPS");
    expect(u.text()).toContain("BPS Provinsi Riau\nAlamat: Jl. Pattimura No. 12, Pekanbaru\nTelepon: 0761-23042\nEmail: bps1400@bps.go.id");
  });
});

describe("delivery guarantees and odd updates on Telegram", () => {
  it("handles an update Telegram delivers again after a lost confirmation only once, so a double 'send' never makes two requests", async () => {
    const u = newUser();
    await fillForm(u);
    const confirmId = u.client.press(u.buttons().find((x) => x.text.includes("Kirim pengajuan"))!.data);
    await bot.waitHandled(u.chatId, bot.count(u.chatId) + 1);
    u.last = emu.botMessages(TOKEN, u.chatId);
    expect(u.text()).toMatch(/terkirim dengan kode/);
    // The instance restarts and Telegram, whose confirmation of the update was lost, sends it again.
    await bot.restart();
    const handledBefore = bot.count(u.chatId);
    emu.redeliver(TOKEN, confirmId);
    await bot.waitHandled(u.chatId, handledBefore + 1);
    expect(emu.botMessages(TOKEN, u.chatId)).toEqual([]);
    expect(await requestsOf(u.chatId)).toHaveLength(1);
    expect(await b.ctx.db.processedUpdate.count({ where: { channel: "telegram", updateId: `123456:${confirmId}` } })).toBe(1);
  });

  it("answers stickers, locations, contacts and edited messages with a short hint, and groups with a polite redirect", async () => {
    const u = newUser();
    await u.say("menu");
    await u.raw({ sticker: { file_id: "s1", file_unique_id: "s1", width: 512, height: 512, is_animated: false, is_video: false, type: "regular" } });
    expect(u.text()).toBe("Maaf, saya hanya bisa membaca teks, tombol, dokumen, dan foto.");
    await u.raw({ location: { latitude: 0.5071, longitude: 101.4478 } });
    expect(u.text()).toBe("Maaf, saya hanya bisa membaca teks, tombol, dokumen, dan foto.");
    await u.raw({ contact: { phone_number: "+6281234567890", first_name: "Budi" } });
    expect(u.text()).toBe("Maaf, saya hanya bisa membaca teks, tombol, dokumen, dan foto.");
    await u.exchange(async () => u.client.edited("ralat"));
    expect(u.text()).toBe("Maaf, saya hanya bisa membaca teks, tombol, dokumen, dan foto.");
    const group = bot.user(-100777, "Grup Diskominfo", "group");
    await group.say("/start");
    expect(group.text()).toContain("Sibina hanya melayani chat pribadi");
    await group.say("halo bot");
    expect(group.last).toEqual([]); // reminded at most every ten minutes
    expect(await b.ctx.db.channelIdentity.count({ where: { externalId: "-100777" } })).toBe(0);
  });

  it("links a staff member's chat with a LINK code", async () => {
    const coach = await makeUser(b.ctx.db, b.offices.riau.id, ["COACH"], "Rudi Hartono");
    await b.ctx.db.linkCode.create({ data: { code: "LINK-ABC234", userId: coach.id, expiresAt: new Date(Date.now() + 600_000) } });
    const u = newUser("Rudi");
    await u.say("LINK-ABC999");
    expect(u.text()).toContain("Kode tautan tidak valid atau sudah kedaluwarsa.");
    await u.say("link-abc234");
    expect(u.text()).toContain("Chat ini sekarang terhubung dengan akun Sibina atas nama Rudi Hartono.");
    const identity = await b.ctx.db.channelIdentity.findUniqueOrThrow({ where: { channel_externalId: { channel: "telegram", externalId: String(u.chatId) } } });
    expect(identity.userId).toBe(coach.id);
  });

  it("lets a chat guess link codes only a few times an hour: after five wrong ones not even the right one links it", async () => {
    const coach = await makeUser(b.ctx.db, b.offices.riau.id, ["COACH"], "Sari Tebakan");
    await b.ctx.db.linkCode.create({ data: { code: "LINK-QRS789", userId: coach.id, expiresAt: new Date(Date.now() + 600_000) } });
    const guesser = newUser("Penebak");
    for (const guess of ["LINK-AAAAAA", "LINK-BBBBBB", "LINK-CCCCCC", "LINK-DDDDDD", "LINK-EEEEEE"]) {
      await guesser.say(guess);
      expect(guesser.text()).toContain("Kode tautan tidak valid atau sudah kedaluwarsa.");
    }
    await guesser.say("LINK-QRS789");
    expect(guesser.text()).toContain("Terlalu banyak kode tautan yang salah dari chat ini.");
    const identity = await b.ctx.db.channelIdentity.findUniqueOrThrow({
      where: { channel_externalId: { channel: "telegram", externalId: String(guesser.chatId) } },
    });
    expect(identity.userId).toBeNull();
    expect((await b.ctx.db.linkCode.findUniqueOrThrow({ where: { code: "LINK-QRS789" } })).usedAt).toBeNull();
    // Another chat, which has not been guessing, links with that code at once.
    const owner = newUser("Sari");
    await owner.say("LINK-QRS789");
    expect(owner.text()).toContain("atas nama Sari Tebakan");
  });
});
