// Small real files for upload tests: their content, not their names, decides what they are.
import { tinyPdf } from "../../../prisma/seed-data.js";

/** A valid one-page PDF (the same builder the demo data uses for its modules). */
export const pdf = (title = "Surat permohonan"): Buffer => tinyPdf(title);

/** A 1×1 PNG. */
export const png = () => Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

/** Bytes that start like a JPEG (JFIF header). */
export const jpeg = () =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), Buffer.alloc(200, 0x20), Buffer.from([0xff, 0xd9])]);

/** Plain text pretending to be a PDF. */
export const fakePdf = () => Buffer.from("This is not a PDF, just text with a .pdf name.\n".repeat(5));
