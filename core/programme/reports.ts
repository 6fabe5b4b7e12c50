// The semester report as files: XLSX with typed cells (exceljs) and a printable PDF with the
// office's letterhead (pdfkit). Both are built from the same SemesterReport as the page.
import { type MessageKey, type Params, t } from "../messages/index.js";
import type { Locale } from "../reference/index.js";
import { loadExcel, loadPdfKit } from "../runtime/libraries.js";
import { formatDate } from "../validation/datetime.js";
import { type OfficeReport, type Outcome, ratios, type SemesterReport, type Totals } from "./monitoring.js";
import { labelIn, REPORT_KINDS } from "./reference.js";

const OUTCOMES: Outcome[] = ["onTime", "late", "missing", "pending"];

export interface Letterhead {
  name: string;
  address: string | null;
  phone: string | null;
  email: string | null;
  website: string | null;
}

export const semesterLabel = (semester: number, locale: Locale) => t(locale, semester === 1 ? "admin.monitoring.semester1" : "admin.monitoring.semester2");
export const reportFileName = (r: OfficeReport, ext: string) => `monev-${r.office.code}-${r.year}-s${r.semester}.${ext}`;

/** The rows every format shows, as label + typed values (numbers stay numbers, null stays empty). */
function summaryRows(tot: Totals, locale: Locale) {
  const tr = (k: MessageKey, p?: Params) => t(locale, k, p);
  const r = ratios(tot);
  return {
    compliance: REPORT_KINDS.map(
      (k, i) => [`${i + 1}. ${labelIn(REPORT_KINDS, k.code, locale)}`, ...OUTCOMES.map((o) => tot.compliance[k.code][o])] as [string, ...number[]],
    ),
    plan: [
      [tr("admin.monitoring.completeness"), r.completeness === null ? null : r.completeness / 100],
      [tr("admin.monitoring.planned"), tot.planned],
      [tr("admin.monitoring.done"), tot.done],
      [tr("admin.monitoring.doneNotPlanned"), tot.doneNotPlanned],
      [tr("admin.monitoring.plannedNotDone"), tot.plannedNotDone],
      [tr("admin.monitoring.realisation"), r.realisation === null ? null : r.realisation / 100],
    ] as [string, number | null][],
    capacity: [
      [tr("admin.monitoring.members"), tot.teamMembers],
      [tr("admin.monitoring.trained"), tot.membersTrained],
      [tr("admin.monitoring.share"), r.trained === null ? null : r.trained / 100],
      [tr("admin.monitoring.internalisedOffices"), tot.internalisedOnTime],
    ] as [string, number | null][],
    ips: [
      [tr("admin.monitoring.lociScored"), tot.lociScored],
      [tr("admin.monitoring.ipsAverage"), r.ipsAverage],
      [tr("admin.monitoring.coachings"), tot.coachings],
      [tr("admin.monitoring.hours"), Math.round(tot.coachingHours * 10) / 10],
    ] as [string, number | null][],
  };
}

const PERCENT_LABELS = new Set<MessageKey>(["admin.monitoring.completeness", "admin.monitoring.realisation", "admin.monitoring.share"]);

export async function reportXlsx(report: SemesterReport, locale: Locale, now = new Date()): Promise<Buffer> {
  const tr = (k: MessageKey, p?: Params) => t(locale, k, p);
  const o = report.office;
  const wb = new (await loadExcel()).Workbook();
  wb.creator = "Sibina";
  wb.created = now;
  const percentLabels = new Set([...PERCENT_LABELS].map((k) => tr(k)));
  const sheet = (name: string, tot: Totals) => {
    const ws = wb.addWorksheet(name);
    ws.columns = [{ width: 52 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 16 }];
    ws.addRow([tr("admin.monitoring.reportTitle")]).font = { bold: true, size: 13 };
    ws.addRow([tr("admin.programme.office"), o.office.name]);
    ws.addRow([tr("admin.programme.year"), o.year]);
    ws.addRow([tr("admin.monitoring.semester"), o.semester, semesterLabel(o.semester, locale)]);
    const asOf = ws.addRow([tr("admin.monitoring.asOf", { date: "" }).trim(), o.asOf]);
    asOf.getCell(2).numFmt = "dd/mm/yyyy hh:mm";
    ws.addRow([]);
    const rows = summaryRows(tot, locale);
    ws.addRow([tr("admin.monitoring.ind1")]).font = { bold: true };
    ws.addRow([tr("admin.monitoring.kind"), ...OUTCOMES.map((x) => tr(`admin.monitoring.${x}`))]).font = { bold: true };
    for (const r of rows.compliance) ws.addRow(r);
    for (const [label, value] of rows.plan) {
      const row = ws.addRow([label, value]);
      if (percentLabels.has(label)) row.getCell(2).numFmt = "0.0%";
    }
    ws.addRow([]);
    ws.addRow([tr("admin.monitoring.ind2")]).font = { bold: true };
    for (const [label, value] of rows.capacity) {
      const row = ws.addRow([label, value]);
      if (percentLabels.has(label)) row.getCell(2).numFmt = "0.0%";
    }
    ws.addRow([]);
    ws.addRow([tr("admin.monitoring.ind3")]).font = { bold: true };
    for (const [label, value] of rows.ips) ws.addRow([label, value]);
    return ws;
  };
  sheet(tr("admin.monitoring.ownOffice").slice(0, 31), o.own);
  if (report.children.length > 0) sheet(tr("admin.monitoring.rollup").slice(0, 31), report.rollup);

  const loci = wb.addWorksheet(tr("admin.programme.loci").slice(0, 31));
  loci.columns = [{ width: 48 }, { width: 12 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 14 }, { width: 10 }, { width: 12 }, { width: 12 }];
  loci.addRow([
    tr("admin.monitoring.locus"),
    `${tr("admin.monitoring.completeness")} (/16)`,
    tr("admin.monitoring.planned"),
    tr("admin.monitoring.done"),
    tr("admin.monitoring.doneNotPlanned"),
    tr("admin.monitoring.plannedNotDone"),
    tr("admin.monitoring.ips"),
    tr("admin.monitoring.coachings"),
    tr("admin.monitoring.hours"),
  ]).font = { bold: true };
  for (const l of o.loci) loci.addRow([l.name, l.contactFilled, l.planned, l.done, l.doneNotPlanned, l.plannedNotDone, l.ips, l.coachings, l.coachingHours]);

  if (report.children.length > 0) {
    const kids = wb.addWorksheet(tr("admin.monitoring.children").slice(0, 31));
    kids.columns = [{ width: 40 }, ...Array.from({ length: 10 }, () => ({ width: 12 }))];
    kids.addRow([
      tr("admin.programme.office"),
      tr("admin.monitoring.onTime"),
      tr("admin.monitoring.late"),
      tr("admin.monitoring.missing"),
      tr("admin.monitoring.planned"),
      tr("admin.monitoring.done"),
      tr("admin.monitoring.doneNotPlanned"),
      tr("admin.monitoring.plannedNotDone"),
      tr("admin.monitoring.members"),
      tr("admin.monitoring.trained"),
      tr("admin.monitoring.coachings"),
    ]).font = { bold: true };
    const line = (name: string, tot: Totals) => {
      const sum = (x: Outcome) => Object.values(tot.compliance).reduce((a, c) => a + c[x], 0);
      return [
        name,
        sum("onTime"),
        sum("late"),
        sum("missing"),
        tot.planned,
        tot.done,
        tot.doneNotPlanned,
        tot.plannedNotDone,
        tot.teamMembers,
        tot.membersTrained,
        tot.coachings,
      ];
    };
    kids.addRow(line(o.office.name, o.own));
    for (const c of report.children) kids.addRow(line(c.office.name, c.rollup));
    kids.addRow(line(tr("admin.monitoring.total"), report.rollup)).font = { bold: true };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const fmt = (v: number | null, percent = false) => (v === null ? "–" : percent ? `${(v * 100).toFixed(1)}%` : String(v));

/** A printable A4 report with the office letterhead. */
export async function reportPdf(report: SemesterReport, letterhead: Letterhead, locale: Locale, now = new Date()): Promise<Buffer> {
  const tr = (k: MessageKey, p?: Params) => t(locale, k, p);
  const o = report.office;
  const PDFDocument = await loadPdfKit();
  const doc = new PDFDocument({
    size: "A4",
    margin: 48,
    info: { Title: `${tr("admin.monitoring.reportTitle")} - ${o.office.name} - ${semesterLabel(o.semester, locale)} ${o.year}`, Author: "Sibina" },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  letterheadBlock(doc, letterhead, tr("admin.monitoring.letterhead"));
  doc.font("Helvetica-Bold").fontSize(13).text(tr("admin.monitoring.reportTitle"), { align: "center" });
  doc
    .font("Helvetica")
    .fontSize(11)
    .text(`${o.office.name} - ${semesterLabel(o.semester, locale)} ${o.year}`, { align: "center" });
  doc.fontSize(9).text(tr("admin.monitoring.asOf", { date: formatDate(o.asOf, o.office.timeZone) }), { align: "center" });
  doc.moveDown();

  const percentLabels = new Set([...PERCENT_LABELS].map((k) => tr(k)));
  const block = (title: string, tot: Totals) => {
    const rows = summaryRows(tot, locale);
    doc.font("Helvetica-Bold").fontSize(11).text(title);
    doc.moveDown(0.3);
    doc.font("Helvetica-Bold").fontSize(10).text(tr("admin.monitoring.ind1"));
    table(
      doc,
      [tr("admin.monitoring.kind"), ...OUTCOMES.map((x) => tr(`admin.monitoring.${x}`))],
      rows.compliance.map((r) => r.map((v) => String(v))),
      [235, 60, 60, 60, 84],
    );
    for (const [label, value] of rows.plan) line(doc, label, fmt(value, percentLabels.has(label)));
    doc.moveDown(0.5);
    doc.font("Helvetica-Bold").fontSize(10).text(tr("admin.monitoring.ind2"));
    for (const [label, value] of rows.capacity) line(doc, label, fmt(value, percentLabels.has(label)));
    doc.moveDown(0.5);
    doc.font("Helvetica-Bold").fontSize(10).text(tr("admin.monitoring.ind3"));
    for (const [label, value] of rows.ips) line(doc, label, fmt(value));
    doc.moveDown();
  };
  block(tr("admin.monitoring.ownOffice"), o.own);
  if (report.children.length > 0) block(tr("admin.monitoring.rollup"), report.rollup);
  if (o.loci.length > 0) {
    doc.font("Helvetica-Bold").fontSize(10).text(tr("admin.programme.loci"));
    table(
      doc,
      [tr("admin.monitoring.locus"), tr("admin.monitoring.planned"), tr("admin.monitoring.done"), tr("admin.monitoring.ips"), tr("admin.monitoring.coachings")],
      o.loci.map((l) => [l.name, String(l.planned), String(l.done), l.ips === null ? "–" : l.ips.toFixed(2), String(l.coachings)]),
      [235, 60, 60, 60, 84],
    );
  }
  if (report.children.length > 0) {
    doc.moveDown();
    doc.font("Helvetica-Bold").fontSize(10).text(tr("admin.monitoring.children"));
    table(
      doc,
      [
        tr("admin.programme.office"),
        tr("admin.monitoring.planned"),
        tr("admin.monitoring.done"),
        tr("admin.monitoring.trained"),
        tr("admin.monitoring.coachings"),
      ],
      report.children.map((c) => [c.office.name, String(c.rollup.planned), String(c.rollup.done), String(c.rollup.membersTrained), String(c.rollup.coachings)]),
      [235, 60, 60, 60, 84],
    );
  }
  doc.moveDown();
  doc
    .font("Helvetica")
    .fontSize(8)
    .text(tr("admin.monitoring.printedAt", { date: formatDate(now, o.office.timeZone) }), { align: "right" });
  doc.end();
  return done;
}

export function letterheadBlock(doc: PDFKit.PDFDocument, l: Letterhead, agency: string) {
  doc.font("Helvetica-Bold").fontSize(14).text(agency, { align: "center" });
  doc.fontSize(12).text(l.name.toUpperCase(), { align: "center" });
  const contact = [l.address, l.phone ? `Telp. ${l.phone}` : null, l.email, l.website].filter(Boolean).join(" · ");
  if (contact) doc.font("Helvetica").fontSize(8.5).text(contact, { align: "center" });
  const y = doc.y + 4;
  doc
    .moveTo(48, y)
    .lineTo(doc.page.width - 48, y)
    .lineWidth(1.5)
    .stroke();
  doc.y = y + 10;
  doc.x = 48;
}

function line(doc: PDFKit.PDFDocument, label: string, value: string) {
  const y = doc.y;
  doc.font("Helvetica").fontSize(9).text(label, 48, y, { width: 380 });
  doc.text(value, 430, y, { width: 117, align: "right" });
  doc.x = 48;
}

function table(doc: PDFKit.PDFDocument, head: string[], rows: string[][], widths: number[]) {
  const draw = (cells: string[], bold: boolean) => {
    if (doc.y > doc.page.height - 90) doc.addPage();
    const y = doc.y;
    let x = 48;
    let bottom = y;
    cells.forEach((c, i) => {
      doc
        .font(bold ? "Helvetica-Bold" : "Helvetica")
        .fontSize(8.5)
        .text(c, x + 2, y + 2, { width: (widths[i] ?? 60) - 4, align: i === 0 ? "left" : "right" });
      bottom = Math.max(bottom, doc.y);
      x += widths[i] ?? 60;
    });
    doc
      .rect(
        48,
        y,
        widths.reduce((a, b) => a + b, 0),
        bottom - y + 2,
      )
      .lineWidth(0.5)
      .stroke();
    doc.y = bottom + 2;
    doc.x = 48;
  };
  draw(head, true);
  for (const r of rows) draw(r, false);
  doc.moveDown(0.4);
}
