// Human-friendly ticket codes: PB-<year>-<5+ digit sequence>, from a per-year counter row.
//
// Codes must stay consecutive, so the number is taken inside the submitting transaction: a
// submission that rolls back gives its number back. (A PostgreSQL sequence would never block, but
// every rolled-back submission would leave a gap for good.) What makes this cheap is *when* it is
// taken: last, in one statement that bumps the counter and writes the code, so the counter row is
// locked only for that statement and the commit, not for the whole submission. Until then the
// request carries a provisional code that no other transaction can see.
import type { Tx } from "../db/client.js";

export const formatTicketCode = (year: number, seq: number) => `PB-${year}-${String(seq).padStart(5, "0")}`;

/** Placeholder for the unique code column until assignTicketCode runs; never committed. */
export const provisionalTicketCode = (requestId: string) => `pending:${requestId}`;

/**
 * Gives the request the year's next code. Must be the submitting transaction's last statement:
 * the counter row stays locked from here until commit. The SQL pads like formatTicketCode (a test
 * checks both agree across the five-digit boundary).
 */
export async function assignTicketCode(tx: Tx, requestId: string, year: number): Promise<string> {
  const rows = await tx.$queryRaw<{ code: string }[]>`
    WITH next AS (
      INSERT INTO "TicketCounter" ("year", "last") VALUES (${year}, 1)
      ON CONFLICT ("year") DO UPDATE SET "last" = "TicketCounter"."last" + 1
      RETURNING "last"
    )
    UPDATE "CoachingRequest" AS r
    SET "code" = 'PB-' || ${year}::int || '-' || lpad(next."last"::text, greatest(5, length(next."last"::text)), '0')
    FROM next
    WHERE r."id" = ${requestId}::uuid
    RETURNING r."code"`;
  const code = rows[0]?.code;
  if (!code) throw new Error(`assignTicketCode: request ${requestId} is not in this transaction`);
  return code;
}
