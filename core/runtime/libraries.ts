// Libraries that only a few pages and jobs use (spreadsheets, PDFs, QR codes, calendar files),
// loaded on their first use rather than when the process starts: an idle process then does not
// hold their code and data (issue 15, idle memory). Node caches a module after its first import,
// so later calls cost one resolved promise.
export const loadExcel = async () => (await import("exceljs")).default;
export const loadPdfKit = async () => (await import("pdfkit")).default;
export const loadQrCode = async () => (await import("qrcode")).default;
export const loadIcs = () => import("ics");
export const loadFileType = () => import("file-type");
