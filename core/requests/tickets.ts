// Human-friendly ticket codes: PB-<year>-<5+ digit sequence>, from a per-year counter row
// that is incremented atomically inside the submitting transaction (unique, never reused).
import type { Tx } from "../db/client.js";

export const formatTicketCode = (year: number, seq: number) => `PB-${year}-${String(seq).padStart(5, "0")}`;

export async function nextTicketCode(tx: Tx, year: number): Promise<string> {
  const rows = await tx.$queryRaw<{ last: number }[]>`
    INSERT INTO "TicketCounter" ("year", "last") VALUES (${year}, 1)
    ON CONFLICT ("year") DO UPDATE SET "last" = "TicketCounter"."last" + 1
    RETURNING "last"`;
  return formatTicketCode(year, Number(rows[0]!.last));
}
