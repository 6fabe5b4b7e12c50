// Puts a request into any lifecycle status through the real services (never by writing the
// status column), so tests start from states the product itself can reach.

import type { StaffActor } from "../../core/access/index.js";
import type { Db } from "../../core/db/client.js";
import type { RequestStatus } from "../../core/db/generated/enums.js";
import { cancelByRequester, changeStatus, type SubmitOptions, submitRequest } from "../../core/requests/service.js";
import type { RequestInput } from "../../core/validation/request.js";
import { requestInput } from "./fixtures.js";

/** The supervisor steps from SUBMITTED to each status (CANCELLED is the requester's own step). */
export const PATH_TO: Record<RequestStatus, RequestStatus[]> = {
  SUBMITTED: [],
  IN_REVIEW: ["IN_REVIEW"],
  APPROVED: ["IN_REVIEW", "APPROVED"],
  REJECTED: ["IN_REVIEW", "REJECTED"],
  DONE: ["IN_REVIEW", "APPROVED", "DONE"],
  CANCELLED: [],
};

export interface RequestInOptions {
  supervisor: StaffActor;
  /** Coaches for the approval step (needed for APPROVED and DONE). */
  coachIds?: string[];
  input?: Partial<RequestInput>;
  submit?: Partial<SubmitOptions>;
  reason?: string;
}

/** Submits a request and drives it to `status`; returns the request as it is then. */
export async function requestIn(db: Db, status: RequestStatus, opts: RequestInOptions) {
  const { request } = await submitRequest(db, requestInput(opts.input), {
    channel: "web",
    defaultOfficeId: opts.supervisor.officeId,
    ...opts.submit,
  });
  for (const to of PATH_TO[status]) {
    if (to === "DONE") await coachingHasStarted(db, request.id);
    await changeStatus(db, opts.supervisor, { requestId: request.id, to, coachIds: opts.coachIds, reason: opts.reason ?? "Jadwal penuh bulan ini." });
  }
  if (status === "CANCELLED") await cancelByRequester(db, { phones: [request.requesterPhone] }, request.id);
  return db.coachingRequest.findUniqueOrThrow({ where: { id: request.id } });
}

/**
 * Time passes until the coaching has started (an hour ago, same length), so it may be marked
 * Selesai: the product refuses Selesai before the start.
 */
export async function coachingHasStarted(db: Db, requestId: string, now = new Date()) {
  const r = await db.coachingRequest.findUniqueOrThrow({ where: { id: requestId }, select: { startAt: true, endAt: true } });
  if (r.startAt <= now) return r;
  const startAt = new Date(now.getTime() - 3600_000);
  return db.coachingRequest.update({
    where: { id: requestId },
    data: { startAt, endAt: new Date(startAt.getTime() + (r.endAt.getTime() - r.startAt.getTime())) },
  });
}
