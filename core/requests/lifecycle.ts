// The request lifecycle as one explicit state machine (SPEKTRAL guide 4.4.1):
// Menunggu Diproses → Dalam Proses → Disetujui | Ditolak; Disetujui → Selesai.
// The requester may cancel before approval.
import type { RequestStatus } from "../db/generated/enums.js";
import { DomainError } from "../errors.js";

export type Actor = "SUPERVISOR" | "REQUESTER";

interface Transition {
  from: RequestStatus;
  to: RequestStatus;
  by: Actor;
  needs?: "coaches" | "reason";
}

export const TRANSITIONS: readonly Transition[] = [
  { from: "SUBMITTED", to: "IN_REVIEW", by: "SUPERVISOR" },
  { from: "IN_REVIEW", to: "APPROVED", by: "SUPERVISOR", needs: "coaches" },
  { from: "IN_REVIEW", to: "REJECTED", by: "SUPERVISOR", needs: "reason" },
  { from: "APPROVED", to: "DONE", by: "SUPERVISOR" },
  { from: "SUBMITTED", to: "CANCELLED", by: "REQUESTER" },
  { from: "IN_REVIEW", to: "CANCELLED", by: "REQUESTER" },
];

export const ALL_STATUSES: readonly RequestStatus[] = ["SUBMITTED", "IN_REVIEW", "APPROVED", "REJECTED", "DONE", "CANCELLED"];
export const OPEN_STATUSES: readonly RequestStatus[] = ["SUBMITTED", "IN_REVIEW", "APPROVED"];
/** Waiting for a supervisor's decision: the work queue; only these may be escalated. */
export const AWAITING_DECISION: readonly RequestStatus[] = ["SUBMITTED", "IN_REVIEW"];
/** With coaches assigned: scheduled (APPROVED) or held (DONE). */
export const WITH_COACHES: readonly RequestStatus[] = ["APPROVED", "DONE"];

export function findTransition(from: RequestStatus, to: RequestStatus, by: Actor): Transition | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to && t.by === by);
}

/** The statuses an actor may move a request to from its current status. */
export function nextStatuses(from: RequestStatus, by: Actor): RequestStatus[] {
  return TRANSITIONS.filter((t) => t.from === from && t.by === by).map((t) => t.to);
}

export interface TransitionInput {
  from: RequestStatus;
  to: RequestStatus;
  by: Actor;
  coachIds?: readonly string[];
  reason?: string | null;
}

/** Checks a transition and its requirements; throws a typed DomainError otherwise. Pure. */
export function checkTransition(input: TransitionInput): Transition {
  const t = findTransition(input.from, input.to, input.by);
  if (!t) throw new DomainError("INVALID_TRANSITION", "error.invalidTransition", { from: input.from, to: input.to });
  if (t.needs === "coaches" && (input.coachIds?.length ?? 0) === 0) throw new DomainError("COACH_REQUIRED", "error.coachRequired");
  if (t.needs === "reason" && !input.reason?.trim()) throw new DomainError("REASON_REQUIRED", "error.reasonRequired");
  return t;
}
