// Conversation sessions in PostgreSQL (ConversationSession), so a half-filled form survives
// restarts and deploys. One row per chat address; `version` increases with every handled
// message (the idle reminder uses it to know whether the person answered meanwhile).
import type { Db } from "../../core/db/client.js";
import type { Prisma } from "../../core/db/generated/client.js";
import { isLocale } from "../../core/messages/index.js";
import type { Locale } from "../../core/reference/index.js";
import type { Channel } from "../channels/types.js";
import type { FlowState } from "./flow.js";

export interface PausedFlow {
  flow: string;
  step: string;
  state: FlowState;
  history: string[];
  run: number;
}

export interface SessionData {
  /** The current flow's state. */
  state: FlowState;
  /** Steps visited in this run, for "kembali"/"back". */
  history: string[];
  /** Run counter: every new start of a flow gets a new number (part of the run key). */
  run: number;
  /** An engine question asked in front of the step. */
  pending?: "language" | "resume";
  /** A form left for the menu or another flow; offered again when its flow is chosen. */
  paused?: PausedFlow;
  /** The last submission, so a late second "send" answers with the same ticket code. */
  submitted?: { runKey: string; code: string };
}

export interface Session {
  id: string;
  channel: Channel;
  externalId: string;
  flow: string;
  step: string;
  data: SessionData;
  locale: Locale;
  version: number;
  expiresAt: Date;
  updatedAt: Date;
  /** Not yet in the database. */
  isNew: boolean;
}

export const MENU_FLOW = "menu";
export const MENU_STEP = "pick";

const emptyData = (): SessionData => ({ state: {}, history: [], run: 0 });

function parseData(raw: unknown): SessionData {
  const d = (raw && typeof raw === "object" ? raw : {}) as Partial<SessionData>;
  return {
    ...d,
    state: d.state && typeof d.state === "object" ? d.state : {},
    history: Array.isArray(d.history) ? d.history.filter((s): s is string => typeof s === "string") : [],
    run: typeof d.run === "number" ? d.run : 0,
  };
}

export async function loadSession(db: Db, channel: Channel, externalId: string, now: Date, ttlMs: number, locale: Locale): Promise<Session> {
  const row = await db.conversationSession.findUnique({ where: { channel_externalId: { channel, externalId } } });
  if (!row) {
    return {
      id: crypto.randomUUID(),
      channel,
      externalId,
      flow: MENU_FLOW,
      step: MENU_STEP,
      data: emptyData(),
      locale,
      version: 0,
      expiresAt: new Date(now.getTime() + ttlMs),
      updatedAt: now,
      isNew: true,
    };
  }
  return {
    id: row.id,
    channel,
    externalId,
    flow: row.flow,
    step: row.step,
    data: parseData(row.data),
    locale: isLocale(row.locale) ? row.locale : "id",
    version: row.version,
    expiresAt: row.expiresAt,
    updatedAt: row.updatedAt,
    isNew: false,
  };
}

/** Saves the session and bumps its version; returns the new version. */
export async function saveSession(db: Db, s: Session, now: Date, ttlMs: number): Promise<number> {
  const fields = {
    flow: s.flow,
    step: s.step,
    data: s.data as unknown as Prisma.InputJsonValue,
    locale: s.locale,
    expiresAt: new Date(now.getTime() + ttlMs),
  };
  if (s.isNew) {
    const row = await db.conversationSession.upsert({
      where: { channel_externalId: { channel: s.channel, externalId: s.externalId } },
      create: { id: s.id, channel: s.channel, externalId: s.externalId, ...fields, version: 1 },
      update: { ...fields, version: { increment: 1 } },
      select: { id: true, version: true },
    });
    s.id = row.id;
    s.isNew = false;
    s.version = row.version;
    return row.version;
  }
  const row = await db.conversationSession.update({ where: { id: s.id }, data: { ...fields, version: { increment: 1 } }, select: { version: true } });
  s.version = row.version;
  return row.version;
}

/** Resets a session to the main menu (keeps the language, a paused form and the last submission). */
export function resetSession(s: Session): void {
  s.flow = MENU_FLOW;
  s.step = MENU_STEP;
  s.data = { ...emptyData(), run: s.data.run, submitted: s.data.submitted, paused: s.data.paused };
}
