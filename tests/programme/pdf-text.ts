// Reads the text a pdfkit PDF shows, for assertions (no PDF library needed to check our own output).
import { inflateSync } from "node:zlib";

/** The shown text of a pdfkit PDF: inflate each content stream, decode its hex TJ strings. */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString("latin1");
  const out: string[] = [];
  for (const m of raw.matchAll(/stream\r?\n([\s\S]*?)\r?\nendstream/g)) {
    let body: string;
    try {
      body = inflateSync(Buffer.from(m[1]!, "latin1")).toString("latin1");
    } catch {
      body = m[1]!;
    }
    for (const tj of body.matchAll(/\[(.*?)\]\s*TJ/g)) {
      out.push([...tj[1]!.matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => Buffer.from(h[1]!, "hex").toString("latin1")).join(""));
    }
  }
  return out.join("\n");
}
