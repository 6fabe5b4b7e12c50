// Seeding and measuring helpers for bench:notify (Telegram and WhatsApp modes): a scratch
// database, N shuffled notices to C chats with distinct texts per chat, medians and target lines.
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, type Db } from "../core/db/client.js";
import { createDatabaseIfMissing, dropDatabase, migrate } from "../prisma/tools/migrations.js";

/** Requester notices with distinct texts, so (chat, text) names one notice. */
export const REQUESTER_KINDS = [
  "request.received",
  "request.in_review",
  "request.approved",
  "request.done",
  "request.cancelled",
  "request.rejected",
  "request.submitted",
];
/** What a coach gets for one coaching: the notice, the Surat Tugas (PDF) and its calendar file (.ics). */
export const COACH_KINDS = ["coach.assigned", "coach.letter", "coach.calendar"];

export interface Scratch {
  url: string;
  db: Db;
  prefix: string;
  storageDir: string;
  drop(): Promise<void>;
}

export async function scratchDatabase(tag: string): Promise<Scratch> {
  const base = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/sibina";
  const u = new URL(base);
  u.pathname = `/sibina_bench_${tag}_${randomBytes(4).toString("hex")}`;
  const url = u.toString();
  await createDatabaseIfMissing(url);
  await migrate(url);
  const db = createDb(url, 12);
  return {
    url,
    db,
    prefix: `sibina-bench-${tag}:${randomBytes(3).toString("hex")}`,
    storageDir: path.join(tmpdir(), `sibina-bench-${tag}-${randomBytes(4).toString("hex")}`),
    async drop() {
      await db.$disconnect();
      await dropDatabase(url);
    },
  };
}

/** A deterministic shuffle, so runs are comparable. */
export function shuffle<T>(items: T[], seed = 42): T[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export interface Mix {
  total: number;
  requesterTexts: number;
  coachTexts: number;
  documents: number;
  requesterChats: number;
  coachChats: number;
}

/**
 * The notices of a busy office: requesters hear of each status change, and each approved
 * coaching has two coaches who get the assignment notice, the Surat Tugas PDF and its .ics.
 * With coaches = 0 every notice is a requester's text.
 */
export async function seedNotices(
  db: Db,
  opts: { n: number; chats: number; coachShare: number; identity: (i: number) => { channel: "telegram" | "whatsapp"; externalId: string } },
): Promise<Mix> {
  const office = await db.office.create({ data: { code: "1400", name: "BPS Provinsi Riau", level: "PROVINCE", timeZone: "WIB" } });
  // Two coaches per approved coaching; every coach chat gets three notices.
  const coachChats = 2 * Math.floor(Math.min(opts.chats * opts.coachShare, opts.n / 3) / 2);
  const requesterChats = opts.chats - coachChats;
  const requesterTexts = opts.n - 3 * coachChats;
  if (requesterChats < 1 || Math.ceil(requesterTexts / requesterChats) > REQUESTER_KINDS.length) {
    throw new Error(`too few chats: at most ${REQUESTER_KINDS.length} notices per requester chat`);
  }
  const requesterIds: string[] = [];
  const requestIds: string[] = [];
  const start = new Date(Date.now() + 14 * 24 * 3600_000);
  for (let from = 0; from < requesterChats; from += 1000) {
    const chunk = Array.from({ length: Math.min(1000, requesterChats - from) }, (_, k) => from + k);
    const requesters = await db.requester.createManyAndReturn({
      data: chunk.map((i) => ({ name: `Bench ${i}`, phone: `+628120000${String(i).padStart(4, "0")}` })),
    });
    requesterIds.push(...requesters.map((r) => r.id));
    await db.channelIdentity.createMany({ data: requesters.map((r, k) => ({ ...opts.identity(chunk[k]!), requesterId: r.id })) });
    const requests = await db.coachingRequest.createManyAndReturn({
      data: requesters.map((r, k) => ({
        code: `PB-2099-${String(chunk[k]! + 1).padStart(5, "0")}`,
        requesterId: r.id,
        requesterName: r.name!,
        requesterPhone: r.phone!,
        requesterEmail: `bench${chunk[k]}@example.go.id`,
        agencyName: "Dinas Kominfo",
        agencyLevel: "PROVINCE" as const,
        isDataProducer: true,
        serviceType: "ASISTENSI" as const,
        topics: ["SATU_DATA" as const],
        description: "Benchmark",
        location: "Pekanbaru",
        mode: "ONLINE" as const,
        startAt: start,
        endAt: new Date(start.getTime() + 7200_000),
        picName: r.name!,
        picPhone: r.phone!,
        officeId: office.id,
        channel: opts.identity(0).channel,
        // The first coachChats / 2 coachings are approved, with two coaches each.
        status: chunk[k]! < coachChats / 2 ? ("APPROVED" as const) : ("IN_REVIEW" as const),
      })),
    });
    requestIds.push(...requests.map((q) => q.id));
  }
  const coaches = coachChats
    ? await db.user.createManyAndReturn({
        data: Array.from({ length: coachChats }, (_, i) => ({
          email: `coach${i}@bench.local`,
          name: `Coach ${i}`,
          roles: ["COACH" as const],
          officeId: office.id,
          passwordHash: "-",
        })),
      })
    : [];
  await db.channelIdentity.createMany({ data: coaches.map((c, i) => ({ ...opts.identity(requesterChats + i), userId: c.id })) });
  await db.assignment.createMany({ data: coaches.map((c, i) => ({ requestId: requestIds[Math.floor(i / 2)]!, coachId: c.id })) });

  // N notices, shuffled so one chat's notices can come right after each other.
  type Row = { kind: string; dedupeKey: string; requestId: string; recipientKind: "REQUESTER" | "COACH"; payload: object } & (
    | { recipientRequesterId: string }
    | { recipientUserId: string }
  );
  const rows: Row[] = [];
  for (let i = 0; i < requesterTexts; i++) {
    const chat = i % requesterChats;
    rows.push({
      kind: REQUESTER_KINDS[Math.floor(i / requesterChats)]!,
      dedupeKey: `bench:r${i}`,
      requestId: requestIds[chat]!,
      recipientKind: "REQUESTER",
      recipientRequesterId: requesterIds[chat]!,
      payload: { requestId: requestIds[chat]!, n: i },
    });
  }
  coaches.forEach((c, i) => {
    const requestId = requestIds[Math.floor(i / 2)]!;
    for (const kind of COACH_KINDS) {
      rows.push({ kind, dedupeKey: `bench:c${i}:${kind}`, requestId, recipientKind: "COACH", recipientUserId: c.id, payload: { requestId, coachId: c.id } });
    }
  });
  const t0 = Date.now() - rows.length;
  const ordered = shuffle(rows).map((r, order) => ({ ...r, availableAt: new Date(t0 + order) }));
  for (let from = 0; from < ordered.length; from += 2000) await db.outbox.createMany({ data: ordered.slice(from, from + 2000) });
  return { total: rows.length, requesterTexts, coachTexts: coachChats, documents: 2 * coachChats, requesterChats, coachChats };
}

/**
 * Chats whose notices arrived out of queue order. `arrivals` maps an outbox id to when its
 * (first accepted) message arrived; `address` is the chat.
 */
export async function chatsOutOfOrder(db: Db, channel: string, arrivals: (outboxId: string, externalId: string | null) => number | undefined) {
  const rows = await db.delivery.findMany({
    where: { channel, status: "SENT" },
    select: { outboxId: true, address: true, externalId: true, outbox: { select: { availableAt: true, createdAt: true } } },
  });
  const byChat = new Map<string, { queued: number; arrived: number }[]>();
  let unmatched = 0;
  for (const r of rows) {
    const arrived = arrivals(r.outboxId, r.externalId);
    if (arrived === undefined) {
      unmatched++;
      continue;
    }
    const list = byChat.get(r.address) ?? [];
    list.push({ queued: r.outbox.availableAt.getTime(), arrived });
    byChat.set(r.address, list);
  }
  let outOfOrder = 0;
  for (const list of byChat.values()) {
    list.sort((a, b) => a.queued - b.queued);
    if (list.some((x, i) => i > 0 && x.arrived < list[i - 1]!.arrived)) outOfOrder++;
  }
  return { outOfOrder, chats: byChat.size, unmatched };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** "target …: met / missed" for one figure. */
export function target(label: string, value: string, met: boolean, goal: string) {
  console.log(`  target ${label.padEnd(34)} ${value.padEnd(14)} (${goal}): ${met ? "met" : "missed"}`);
}

/** What must be 0 in every run (lost, duplicated, reordered notices): one target line each. */
export function zeroTargets<R>(runs: readonly R[], counts: Record<string, (r: R) => number>) {
  for (const [label, count] of Object.entries(counts)) {
    target(
      label,
      String(median(runs.map(count))),
      runs.every((r) => count(r) === 0),
      "0 in every run",
    );
  }
}
