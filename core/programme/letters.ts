// Surat Tugas for an approved coaching: a PDF assignment letter on the office letterhead, numbered
// from the office's format, naming the coaches with their NIP, the event, date, place and signer,
// plus an .ics calendar file. Made once per coaching (later calls return the same files) and sent
// to each coach as documents through the outbox (kinds coach.letter and coach.calendar).
import { createHash } from "node:crypto";
import type { Db, Prisma, Tx } from "../db/client.js";

export { LETTER_KINDS, letterIntents } from "../notifications/intents.js";

import { t } from "../messages/index.js";
import { labelOf, SERVICE_TYPES } from "../reference/index.js";
import { loadIcs, loadPdfKit } from "../runtime/libraries.js";
import { newStorageKey, type Storage } from "../storage/index.js";
import { formatDate, formatTime, toLocal } from "../validation/datetime.js";
import { letterheadBlock } from "./reports.js";

export const DEFAULT_LETTER_FORMAT = "B-{seq}/{code}/KP.650/{month}/{year}";
const ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

/** Fills {seq} {code} {month} {roman} {year} of an office's number format. */
export function formatLetterNumber(format: string, v: { seq: number; code: string; month: number; year: number }): string {
  return format
    .replaceAll("{seq}", String(v.seq).padStart(3, "0"))
    .replaceAll("{code}", v.code)
    .replaceAll("{month}", String(v.month).padStart(2, "0"))
    .replaceAll("{roman}", ROMAN[v.month - 1] ?? "")
    .replaceAll("{year}", String(v.year));
}

const LETTER_PREFIX = "Surat-Tugas-";

/** The letter and calendar of a coaching, made on first use. Returns both attachments. */
export async function ensureSuratTugas(db: Db, storage: Storage, requestId: string, now = new Date()) {
  return db.$transaction(async (tx) => {
    // One maker at a time per coaching (two coaches' notices may be sent at once).
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`surat-tugas:${requestId}`}))`;
    const existing = await tx.attachment.findMany({ where: { requestId, fileName: { startsWith: LETTER_PREFIX } }, orderBy: { fileName: "asc" } });
    const pdf = existing.find((a) => a.mimeType === "application/pdf");
    const ics = existing.find((a) => a.mimeType === "text/calendar");
    if (pdf && ics) return { pdf, ics };
    const request = await tx.coachingRequest.findUniqueOrThrow({
      where: { id: requestId },
      include: {
        office: true,
        assignments: { include: { coach: { select: { name: true, nip: true, position: true } } }, orderBy: { createdAt: "asc" } },
        statusChanges: { where: { toStatus: "APPROVED" }, include: { actorUser: { select: { name: true, nip: true, position: true } } }, take: 1 },
      },
    });
    const number = request.letterNumber ?? (await nextLetterNumber(tx, request.office, now));
    if (!request.letterNumber) await tx.coachingRequest.update({ where: { id: requestId }, data: { letterNumber: number } });
    const signer = request.statusChanges[0]?.actorUser ?? null;
    const pdfBytes = await letterPdf({ request, number, signer, now });
    const icsBytes = await calendarFile(request);
    const base = `${LETTER_PREFIX}${request.code}`;
    return {
      pdf: pdf ?? (await storeRaw(tx, storage, pdfBytes, `${base}.pdf`, "application/pdf", requestId)),
      ics: ics ?? (await storeRaw(tx, storage, icsBytes, `${base}.ics`, "text/calendar", requestId)),
    };
  });
}

async function nextLetterNumber(tx: Tx, office: { id: string; code: string; timeZone: "WIB" | "WITA" | "WIT"; letterNumberFormat: string | null }, now: Date) {
  const local = toLocal(now, office.timeZone);
  const rows = await tx.$queryRaw<{ seq: number }[]>`
    UPDATE "Office" SET "letterSeq" = CASE WHEN "letterSeqYear" = ${local.year} THEN "letterSeq" + 1 ELSE 1 END, "letterSeqYear" = ${local.year}
    WHERE "id" = ${office.id}::uuid RETURNING "letterSeq" AS seq`;
  return formatLetterNumber(office.letterNumberFormat ?? DEFAULT_LETTER_FORMAT, { seq: rows[0]!.seq, code: office.code, month: local.month, year: local.year });
}

async function storeRaw(tx: Tx, storage: Storage, bytes: Buffer, fileName: string, mimeType: string, requestId: string) {
  const storageKey = newStorageKey();
  await storage.put(storageKey, bytes);
  return tx.attachment.create({
    data: { fileName, mimeType, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), storageKey, requestId },
  });
}

type LetterRequest = Prisma.CoachingRequestGetPayload<{
  include: { office: true; assignments: { include: { coach: { select: { name: true; nip: true; position: true } } } } };
}>;

export async function calendarFile(
  request: Pick<LetterRequest, "id" | "code" | "serviceType" | "agencyName" | "location" | "startAt" | "endAt" | "description">,
): Promise<Buffer> {
  const { createEvent } = await loadIcs();
  const parts = (d: Date) =>
    [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()] as [number, number, number, number, number];
  const { error, value } = createEvent({
    uid: `${request.id}@sibina`,
    title: `${request.code} ${labelOf(SERVICE_TYPES, request.serviceType, "id")} - ${request.agencyName}`,
    description: request.description,
    location: request.location,
    start: parts(request.startAt),
    startInputType: "utc",
    startOutputType: "utc",
    end: parts(request.endAt),
    endInputType: "utc",
    endOutputType: "utc",
  });
  if (error || !value) throw error ?? new Error("calendar file could not be made");
  return Buffer.from(value, "utf8");
}

export async function letterPdf(v: {
  request: LetterRequest;
  number: string;
  signer: { name: string; nip: string | null; position: string | null } | null;
  now: Date;
}): Promise<Buffer> {
  const { request: r, number } = v;
  const zone = r.office.timeZone;
  const tr = (key: Parameters<typeof t>[1], params?: Parameters<typeof t>[2]) => t("id", key, params);
  const PDFDocument = await loadPdfKit();
  const doc = new PDFDocument({ size: "A4", margin: 56, info: { Title: `Surat Tugas ${number}`, Author: r.office.name } });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  letterheadBlock(doc, r.office, tr("admin.monitoring.letterhead"));
  doc.font("Helvetica-Bold").fontSize(13).text(tr("letter.title"), { align: "center", underline: true });
  doc.font("Helvetica").fontSize(10.5).text(tr("letter.number", { number }), { align: "center" });
  doc.moveDown();
  const signer = v.signer;
  doc.text(tr("letter.signedBy"));
  doc.moveDown(0.3);
  const row = (label: string, value: string) => {
    const y = doc.y;
    doc.text(label, 72, y, { width: 110 });
    doc.text(`: ${value}`, 182, y, { width: 360 });
    doc.x = 56;
  };
  row(tr("letter.name"), signer?.name ?? "-");
  row("NIP", signer?.nip ?? "-");
  row(tr("letter.position"), signer?.position ?? `Kepala ${r.office.name}`);
  doc.moveDown();
  doc.text(tr("letter.assigns"));
  doc.moveDown(0.3);
  r.assignments.forEach((a, i) => {
    doc.font("Helvetica-Bold").text(`${i + 1}. ${a.coach.name}`, 72);
    doc.font("Helvetica");
    row("NIP", a.coach.nip ?? "-");
    row(tr("letter.position"), a.coach.position ?? "-");
  });
  doc.moveDown();
  doc.text(tr("letter.toCoach"), 56);
  doc.moveDown(0.3);
  row(tr("letter.event"), `${labelOf(SERVICE_TYPES, r.serviceType, "id")} - ${r.agencyName}`);
  row(tr("letter.date"), `${formatDate(r.startAt, zone)}, ${formatTime(r.startAt, zone)} - ${formatTime(r.endAt, zone)}`);
  row(tr("letter.place"), r.location);
  row(tr("letter.ticket"), r.code);
  doc.moveDown();
  doc.text(tr("letter.closing"), 56);
  doc.moveDown(1.5);
  const city = r.office.address ?? r.office.name;
  doc.text(`${city}, ${formatDate(v.now, zone)}`, 330);
  doc.text(signer?.position ?? `Kepala ${r.office.name}`, 330);
  doc.moveDown(3);
  doc.font("Helvetica-Bold").text(signer?.name ?? "-", 330);
  doc.font("Helvetica").text(`NIP ${signer?.nip ?? "-"}`, 330);
  doc.end();
  return done;
}
