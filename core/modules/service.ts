// Training modules and past coachings, so agencies can look before they ask (SPEKTRAL section 3).
import type { Db } from "../db/client.js";
import type { Topic } from "../db/generated/enums.js";
import { oneLine } from "../validation/text.js";

export async function searchModules(db: Db, q: { keyword?: string; topic?: Topic | null; take?: number }) {
  const keyword = oneLine(q.keyword ?? "").slice(0, 100);
  return db.module.findMany({
    where: {
      deletedAt: null,
      topic: q.topic ?? undefined,
      OR: keyword
        ? [
            { title: { contains: keyword, mode: "insensitive" } },
            { category: { contains: keyword, mode: "insensitive" } },
            { description: { contains: keyword, mode: "insensitive" } },
          ]
        : undefined,
    },
    orderBy: { createdAt: "desc" },
    take: q.take ?? 10,
    include: { attachment: true },
  });
}

/** Coachings already done, by agency name or topic or keyword. */
export async function searchPastCoachings(db: Db, q: { keyword?: string; topic?: Topic | null; take?: number }) {
  const keyword = oneLine(q.keyword ?? "").slice(0, 100);
  return db.coachingRequest.findMany({
    where: {
      deletedAt: null,
      status: "DONE",
      topics: q.topic ? { has: q.topic } : undefined,
      OR: keyword ? [{ agencyName: { contains: keyword, mode: "insensitive" } }, { description: { contains: keyword, mode: "insensitive" } }] : undefined,
    },
    orderBy: { startAt: "desc" },
    take: q.take ?? 5,
    select: { code: true, agencyName: true, serviceType: true, topics: true, startAt: true, officeId: true },
  });
}
