// The two database round trips of every message. Hot path: one read-only statement to start
// (dedupe check, who, session, the Inbox conversation's state) and one statement to finish (mark
// the update handled, touch the identity, save the session, append the turn to the Inbox
// transcript): one commit per message instead of the ten or so queries the ORM would send. The
// per-chat turn lock (core/runtime/locks.ts) makes the read-then-write safe.
//
// Measured (bench/bot.ts), the ORM's own work was the largest cost left per message, so these
// two statements go through a small pg pool as named prepared statements (parsed and planned
// once per connection). The pool is used only after checking it reaches the same database as
// ctx.db; otherwise the same SQL runs through Prisma. Everything else uses Prisma as usual.
import pg from "pg";
import type { ConversationState, Role } from "../../core/db/generated/enums.js";
import type { TranscriptEntries } from "../../core/inbox/service.js";
import { isLocale } from "../../core/messages/index.js";
import type { Locale } from "../../core/reference/index.js";
import type { AppContext } from "../../core/runtime/context.js";
import { oneLine } from "../../core/validation/text.js";
import type { InboundEvent } from "../channels/types.js";
import type { Who } from "./flow.js";
import { safeError } from "./log.js";
import { parseData, type Session } from "./session.js";

export interface TurnRow {
  seen: boolean;
  identityId: string | null;
  displayName: string | null;
  phone: string | null;
  identityLocale: string | null;
  requesterId: string | null;
  requesterName: string | null;
  requesterPhone: string | null;
  requesterEmail: string | null;
  requesterNip: string | null;
  consentAt: Date | null;
  userId: string | null;
  userName: string | null;
  userRoles: Role[] | null;
  userOfficeId: string | null;
  sessionId: string | null;
  flow: string | null;
  step: string | null;
  data: unknown;
  sessionLocale: string | null;
  version: number | null;
  expiresAt: Date | null;
  sessionUpdatedAt: Date | null;
  conversationId: string | null;
  conversationState: ConversationState | null;
}

/** The person's Inbox conversation (null: none yet, the bot answers and the first turn creates it). */
export type TurnConversation = { id: string; state: ConversationState } | null;

export type TurnStart = { fresh: false } | { fresh: true; who: Who & { locale: Locale }; session: Session; conversation: TurnConversation };

// Timestamp columns hold UTC wall-clock time (as Prisma writes DateTime); they are read back
// as timestamptz so every driver turns them into the right instant.
const WHO_AND_SESSION = `
  i."id"::text AS "identityId", i."displayName", i."phone", i."locale" AS "identityLocale",
  r."id"::text AS "requesterId", r."name" AS "requesterName", r."phone" AS "requesterPhone", r."email" AS "requesterEmail",
  r."nip" AS "requesterNip", r."consentAt" AT TIME ZONE 'UTC' AS "consentAt",
  u."id"::text AS "userId", u."name" AS "userName", u."roles"::text[] AS "userRoles", u."officeId"::text AS "userOfficeId",
  s."id"::text AS "sessionId", s."flow", s."step", s."data", s."locale" AS "sessionLocale", s."version",
  s."expiresAt" AT TIME ZONE 'UTC' AS "expiresAt", s."updatedAt" AT TIME ZONE 'UTC' AS "sessionUpdatedAt",
  c."id"::text AS "conversationId", c."state"::text AS "conversationState"`;

const JOINS = `
  LEFT JOIN "Requester" r ON r."id" = i."requesterId"
  LEFT JOIN "User" u ON u."id" = i."userId" AND u."deletedAt" IS NULL
  LEFT JOIN "ConversationSession" s ON s."channel" = $1::"Channel" AND s."externalId" = $2
  LEFT JOIN "Conversation" c ON c."identityId" = i."id"`;

const UTC = (n: number) => `$${n}::timestamptz AT TIME ZONE 'UTC'`;

/**
 * The turn's lines appended to the person's Inbox transcript, in the statement that saves the
 * session, and only when the session was saved (a finishExisting that found no session writes
 * nothing; finish then does it all). On a person's first turn the conversation is opened here too,
 * for the office core/inbox would choose: of their latest request, else this deployment's ($14).
 * A new conversation starts with the turn's preview; an existing one has its preview moved.
 * Lines as core/inbox's transcriptEntries() makes them; timestamps are UTC, as Prisma writes them.
 */
const TRANSCRIPT = `, existing AS (
      SELECT "id", "lastMessageAt" FROM "Conversation" WHERE "identityId" = $4::uuid
    ), shift AS (
      -- Two turns (or a staff reply and a turn) in the same millisecond would tie on createdAt and
      -- sort at random: the lines move just past the conversation's latest line instead.
      SELECT GREATEST(interval '0', COALESCE((SELECT "lastMessageAt" FROM existing) + interval '1 millisecond'
        - (($20::text[])[1])::timestamptz AT TIME ZONE 'UTC', interval '0')) AS "by"
    ), opened AS (
      INSERT INTO "Conversation" ("id", "identityId", "officeId", "lastMessageAt", "lastMessage", "createdAt", "updatedAt")
      SELECT gen_random_uuid(), $4::uuid,
        COALESCE((SELECT r."officeId" FROM "CoachingRequest" r
          WHERE r."deletedAt" IS NULL AND (r."identityId" = $4::uuid
            OR r."requesterId" = (SELECT ci."requesterId" FROM "ChannelIdentity" ci WHERE ci."id" = $4::uuid))
          ORDER BY r."createdAt" DESC LIMIT 1), $14::uuid),
        ${UTC(21)}, $22, ${UTC(5)}, ${UTC(5)}
      WHERE cardinality($15::text[]) > 0 AND NOT EXISTS (SELECT 1 FROM existing) AND EXISTS (SELECT 1 FROM saved)
      ON CONFLICT ("identityId") DO NOTHING
      RETURNING "id"
    ), target AS (
      SELECT "id" FROM existing UNION ALL SELECT "id" FROM opened
    ), said AS (
      INSERT INTO "ConversationMessage" ("id", "conversationId", "author", "text", "attachmentId", "authorUserId", "outboxId", "createdAt")
      SELECT gen_random_uuid(), t."id", m."author"::"TranscriptAuthor", m."text", m."attachmentId"::uuid, m."authorUserId"::uuid, m."outboxId"::uuid,
        (m."createdAt"::timestamptz AT TIME ZONE 'UTC') + (SELECT "by" FROM shift)
      FROM unnest($15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[])
        AS m("author", "text", "attachmentId", "authorUserId", "outboxId", "createdAt")
      CROSS JOIN (SELECT "id" FROM target LIMIT 1) t
      WHERE EXISTS (SELECT 1 FROM saved)
    ), heard AS (
      UPDATE "Conversation" SET "lastMessageAt" = ${UTC(21)} + (SELECT "by" FROM shift), "lastMessage" = $22, "updatedAt" = ${UTC(5)}
      WHERE "id" = (SELECT "id" FROM existing) AND cardinality($15::text[]) > 0 AND EXISTS (SELECT 1 FROM saved)
    )`;

export const TURN_SQL = {
  /** $1 channel, $2 externalId, $3 updateId */
  begin: `
    SELECT EXISTS (SELECT 1 FROM "ProcessedUpdate" WHERE "channel" = $1::"Channel" AND "updateId" = $3) AS "seen", ${WHO_AND_SESSION}
    FROM (SELECT 1) AS one
    LEFT JOIN "ChannelIdentity" i ON i."channel" = $1::"Channel" AND i."externalId" = $2
    ${JOINS}`,
  /** $1 channel, $2 externalId, $3 displayName, $4 phone, $5 now */
  firstContact: `
    WITH i AS (
      INSERT INTO "ChannelIdentity" ("id", "channel", "externalId", "displayName", "phone", "lastSeenAt", "updatedAt")
      VALUES (gen_random_uuid(), $1::"Channel", $2, $3, $4, ${UTC(5)}, ${UTC(5)})
      ON CONFLICT ("channel", "externalId") DO UPDATE SET "lastSeenAt" = EXCLUDED."lastSeenAt"
      RETURNING *
    )
    SELECT false AS "seen", ${WHO_AND_SESSION}
    FROM i
    ${JOINS}`,
  /** Like finish, for a session that exists already: a plain update, the common case. */
  finishExisting: `
    WITH handled AS (
      INSERT INTO "ProcessedUpdate" ("channel", "updateId") VALUES ($1::"Channel", $3) ON CONFLICT DO NOTHING
    ), seen AS (
      UPDATE "ChannelIdentity" SET "lastSeenAt" = ${UTC(5)}, "updatedAt" = ${UTC(5)},
        "displayName" = COALESCE($6, "displayName"), "phone" = COALESCE($7, "phone")
      WHERE "id" = $4::uuid AND ("lastSeenAt" IS NULL OR "lastSeenAt" < ${UTC(5)} - interval '1 minute'
        OR "displayName" IS DISTINCT FROM COALESCE($6, "displayName") OR "phone" IS DISTINCT FROM COALESCE($7, "phone"))
    ), saved AS (
      UPDATE "ConversationSession" SET "flow" = $9, "step" = $10, "data" = $11::jsonb, "locale" = $12,
        "updatedAt" = ${UTC(5)}, "version" = "version" + 1,
        "expiresAt" = CASE WHEN "expiresAt" < ${UTC(13)} - interval '1 hour' THEN ${UTC(13)} ELSE "expiresAt" END
      WHERE "id" = $8::uuid AND "channel" = $1::"Channel" AND "externalId" = $2
      RETURNING "id"::text AS "id", "version"
    )${TRANSCRIPT}
    SELECT "id", "version" FROM saved`,
  /** $1 channel, $2 externalId, $3 updateId, $4 identityId, $5 now, $6 displayName, $7 phone,
   *  $8 sessionId, $9 flow, $10 step, $11 data, $12 locale, $13 expiresAt,
   *  $14 this deployment's office (a new conversation's, when the person has no request), $15–$20 the transcript lines':
   *  author, text, attachmentId, authorUserId, outboxId, createdAt (arrays: text as text, never
   *  as JSON, which PostgreSQL refuses for some strings people send), $21 lastMessageAt, $22 lastMessage */
  finish: `
    WITH handled AS (
      INSERT INTO "ProcessedUpdate" ("channel", "updateId") VALUES ($1::"Channel", $3) ON CONFLICT DO NOTHING
    ), seen AS (
      -- "last seen" to the minute is enough; most messages then leave the identity row alone.
      UPDATE "ChannelIdentity" SET "lastSeenAt" = ${UTC(5)}, "updatedAt" = ${UTC(5)},
        "displayName" = COALESCE($6, "displayName"), "phone" = COALESCE($7, "phone")
      WHERE "id" = $4::uuid AND ("lastSeenAt" IS NULL OR "lastSeenAt" < ${UTC(5)} - interval '1 minute'
        OR "displayName" IS DISTINCT FROM COALESCE($6, "displayName") OR "phone" IS DISTINCT FROM COALESCE($7, "phone"))
    ), saved AS (
      INSERT INTO "ConversationSession" ("id", "channel", "externalId", "flow", "step", "data", "locale", "version", "expiresAt", "updatedAt")
      VALUES ($8::uuid, $1::"Channel", $2, $9, $10, $11::jsonb, $12, 1, ${UTC(13)}, ${UTC(5)})
      ON CONFLICT ("channel", "externalId") DO UPDATE SET
        "flow" = EXCLUDED."flow", "step" = EXCLUDED."step", "data" = EXCLUDED."data", "locale" = EXCLUDED."locale",
        "updatedAt" = EXCLUDED."updatedAt", "version" = "ConversationSession"."version" + 1,
        -- Expiry is decided from updatedAt; the indexed expiresAt (for clean-up) moves at most hourly,
        -- so most saves are heap-only updates that touch no index.
        "expiresAt" = CASE WHEN "ConversationSession"."expiresAt" < EXCLUDED."expiresAt" - interval '1 hour'
          THEN EXCLUDED."expiresAt" ELSE "ConversationSession"."expiresAt" END
      RETURNING "id"::text AS "id", "version"
    )${TRANSCRIPT}
    SELECT "id", "version" FROM saved`,
} as const;

/** The transcript lines as one array per column, for the unnest() in TRANSCRIPT. */
const transcriptColumns = (lines: TranscriptEntries["messages"]) => [
  lines.map((l) => l.author),
  lines.map((l) => l.text),
  lines.map((l) => l.attachmentId),
  lines.map((l) => l.authorUserId),
  lines.map((l) => l.outboxId),
  lines.map((l) => l.createdAt.toISOString()),
];

const displayNameOf = (event: InboundEvent) => (event.displayName ? oneLine(event.displayName).slice(0, 100) || null : null);

export interface TurnStoreOptions {
  /** Connections of the hot-path pool (default 10). */
  poolSize?: number;
}

export class TurnStore {
  private pool: pg.Pool | null = null;
  private ready: Promise<void> | null = null;

  constructor(
    private readonly ctx: Pick<AppContext, "db" | "config" | "log" | "defaultOfficeId">,
    private readonly opts: TurnStoreOptions = {},
  ) {}

  /** Uses its own pool only when it reaches the very database ctx.db uses. */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      // Chat turns commit without waiting for the WAL flush: if the database server itself
      // crashes, the last fraction of a second of answers may be asked again; nothing else is
      // at stake (submissions go through Prisma with full durability).
      const pool = new pg.Pool({
        connectionString: this.ctx.config.DATABASE_URL,
        max: this.opts.poolSize ?? 10,
        idleTimeoutMillis: 30_000,
        options: "-c synchronous_commit=off",
      });
      pool.on("error", (err) => this.ctx.log.warn({ err: safeError(err) }, "turn store pool error"));
      const identify = "SELECT current_database() AS db, inet_server_port() AS port, pg_postmaster_start_time()::text AS started";
      try {
        const [mine, theirs] = await Promise.all([
          pool.query(identify),
          this.ctx.db.$queryRawUnsafe<{ db: string; port: number; started: string }[]>(identify),
        ]);
        const a = mine.rows[0];
        const b = theirs[0];
        if (a && b && a.db === b.db && a.port === b.port && a.started === b.started) {
          this.pool = pool;
          return;
        }
      } catch (err) {
        this.ctx.log.warn({ err: safeError(err) }, "turn store pool unavailable, using Prisma");
      }
      await pool.end().catch(() => {});
    })();
    return this.ready;
  }

  private async query<T>(name: keyof typeof TURN_SQL, values: unknown[]): Promise<T[]> {
    await this.init();
    if (this.pool) return (await this.pool.query<T & pg.QueryResultRow>({ name: `sibina_turn_${name}`, text: TURN_SQL[name], values })).rows;
    return this.ctx.db.$queryRawUnsafe<T[]>(TURN_SQL[name], ...values);
  }

  /** Whether the update was handled already, and the person with their session (created on first contact). */
  async begin(event: InboundEvent, now: Date, ttlMs: number): Promise<TurnStart> {
    let rows = await this.query<TurnRow>("begin", [event.channel, event.externalId, event.updateId]);
    if (rows[0]?.seen) return { fresh: false };
    if (!rows[0]?.identityId) {
      rows = await this.query<TurnRow>("firstContact", [event.channel, event.externalId, displayNameOf(event), event.phone ?? null, now.toISOString()]);
    }
    const row = rows[0];
    if (!row?.identityId) throw new Error("chat identity could not be created");
    return {
      fresh: true,
      ...toTurn(row, event, now, ttlMs),
      conversation: row.conversationId && row.conversationState ? { id: row.conversationId, state: row.conversationState } : null,
    };
  }

  /**
   * Marks the update handled, touches the identity, saves the session (bumping its version) and
   * appends the turn to the person's Inbox transcript (opening the conversation on their first turn).
   */
  async finish(event: InboundEvent, who: Who, s: Session, now: Date, ttlMs: number, transcript: TranscriptEntries | null): Promise<number> {
    // A session deleted meanwhile (clean-up) is simply written again by the upsert.
    let rows: { id: string; version: number }[] = [];
    const values = [
      event.channel,
      event.externalId,
      event.updateId,
      who.identityId,
      now.toISOString(),
      displayNameOf(event),
      event.phone ?? null,
      s.id,
      s.flow,
      s.step,
      JSON.stringify(s.data),
      s.locale,
      new Date(now.getTime() + ttlMs).toISOString(),
      this.ctx.defaultOfficeId,
      ...transcriptColumns(transcript?.messages ?? []),
      (transcript?.lastMessageAt ?? now).toISOString(),
      transcript?.lastMessage ?? null,
    ];
    if (!s.isNew) rows = await this.query<{ id: string; version: number }>("finishExisting", values);
    if (rows.length === 0) rows = await this.query<{ id: string; version: number }>("finish", values);
    const row = rows[0]!;
    s.id = row.id;
    s.isNew = false;
    s.version = row.version;
    return row.version;
  }

  async close(): Promise<void> {
    await this.ready?.catch(() => {});
    await this.pool?.end().catch(() => {});
    this.pool = null;
  }
}

function toTurn(row: TurnRow, event: InboundEvent, now: Date, ttlMs: number): { who: Who & { locale: Locale }; session: Session } {
  const identityLocale: Locale = isLocale(row.identityLocale) ? row.identityLocale : "id";
  const who: Who & { locale: Locale } = {
    identityId: row.identityId!,
    channel: event.channel,
    externalId: event.externalId,
    displayName: row.displayName,
    phone: row.phone,
    locale: identityLocale,
    requester: row.requesterId
      ? { id: row.requesterId, name: row.requesterName, phone: row.requesterPhone, email: row.requesterEmail, nip: row.requesterNip, consentAt: row.consentAt }
      : null,
    user: row.userId ? { id: row.userId, name: row.userName ?? "", roles: row.userRoles ?? [], officeId: row.userOfficeId ?? "" } : null,
  };
  const session: Session = row.sessionId
    ? {
        id: row.sessionId,
        channel: event.channel,
        externalId: event.externalId,
        flow: row.flow ?? "menu",
        step: row.step ?? "pick",
        data: parseData(row.data),
        locale: isLocale(row.sessionLocale) ? row.sessionLocale : identityLocale,
        version: row.version ?? 0,
        expiresAt: row.expiresAt ?? now,
        updatedAt: row.sessionUpdatedAt ?? now,
        isNew: false,
      }
    : {
        id: crypto.randomUUID(),
        channel: event.channel,
        externalId: event.externalId,
        flow: "menu",
        step: "pick",
        data: { state: {}, history: [], run: 0 },
        locale: identityLocale,
        version: 0,
        expiresAt: new Date(now.getTime() + ttlMs),
        updatedAt: now,
        isNew: true,
      };
  return { who, session };
}
