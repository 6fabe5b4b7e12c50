// The chat hot path (bot/engine/store.ts) writes hand-made SQL that the compiler cannot check
// against prisma/schema.prisma. PostgreSQL can: every statement is prepared against the
// migrated schema (a renamed table, column, type or enum value fails here), and the row the
// first statement returns has exactly the fields the code reads.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TURN_SQL, type TurnRow } from "../../bot/engine/store.js";
import { createTestDb, type TestDb } from "../helpers/db.js";

let t: TestDb;
let client: pg.Client;
beforeAll(async () => {
  t = await createTestDb(1);
  client = new pg.Client({ connectionString: t.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await t.drop();
});

// Written out by hand from TurnRow, so a field added to one side only fails.
const TURN_ROW_FIELDS: (keyof TurnRow)[] = [
  "seen",
  "identityId",
  "displayName",
  "phone",
  "identityLocale",
  "requesterId",
  "requesterName",
  "requesterPhone",
  "requesterEmail",
  "requesterNip",
  "consentAt",
  "userId",
  "userName",
  "userRoles",
  "userOfficeId",
  "sessionId",
  "flow",
  "step",
  "data",
  "sessionLocale",
  "version",
  "expiresAt",
  "sessionUpdatedAt",
  "conversationId",
  "conversationState",
];

describe("the chat hot path's SQL matches the schema", () => {
  it.each(Object.keys(TURN_SQL) as (keyof typeof TURN_SQL)[])("%s prepares against the migrated database", async (name) => {
    await client.query(`PREPARE check_${name} AS ${TURN_SQL[name]}`);
    await client.query(`DEALLOCATE check_${name}`);
  });

  it("begin returns exactly the fields TurnRow declares", async () => {
    const { rows, fields } = await client.query(TURN_SQL.begin, ["telegram", "no-such-chat", "no-such-update"]);
    expect(rows).toHaveLength(1);
    expect(fields.map((f) => f.name).sort()).toEqual([...TURN_ROW_FIELDS].sort());
  });

  it("a statement naming a column the schema lacks is refused (the check has teeth)", async () => {
    await expect(client.query(`PREPARE check_bad AS ${TURN_SQL.begin.replace('i."displayName"', 'i."nickName"')}`)).rejects.toThrow(/nickName/);
  });
});
