// Testimonials: offered for the requester's DONE requests, once per request.
import type { Db } from "../db/client.js";
import { DomainError } from "../errors.js";
import { requesterOwns } from "../permissions.js";
import type { RequesterRef } from "../requests/service.js";
import { testimonialSchema } from "../validation/request.js";
import { LIMITS, oneLine } from "../validation/text.js";

export async function addTestimonial(db: Db, who: RequesterRef & { authorName: string }, requestId: string, input: { rating: number; text: string }) {
  const data = testimonialSchema.parse(input);
  const request = await db.coachingRequest.findFirst({ where: { id: requestId, deletedAt: null }, include: { testimonial: true } });
  if (!request || !requesterOwns(request, who)) throw new DomainError("NOT_FOUND", "error.notFound");
  if (request.status !== "DONE") throw new DomainError("NOT_DONE", "error.notDone");
  if (request.testimonial) throw new DomainError("ALREADY_EXISTS", "error.testimonialExists");
  try {
    return await db.testimonial.create({
      data: {
        requestId,
        rating: data.rating,
        text: data.text,
        authorName: oneLine(who.authorName).slice(0, LIMITS.name),
        requesterId: who.requesterId ?? null,
      },
    });
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") throw new DomainError("ALREADY_EXISTS", "error.testimonialExists");
    throw e;
  }
}

/** DONE requests of this identity that have no testimonial yet. */
export async function testimonialCandidates(db: Db, who: RequesterRef) {
  const or: object[] = [];
  if (who.identityId) or.push({ identityId: who.identityId });
  if (who.requesterId) or.push({ requesterId: who.requesterId });
  for (const phone of who.phones ?? []) or.push({ requesterPhone: phone }, { picPhone: phone });
  if (or.length === 0) return [];
  return db.coachingRequest.findMany({ where: { deletedAt: null, status: "DONE", testimonial: null, OR: or }, orderBy: { startAt: "desc" }, take: 10 });
}
