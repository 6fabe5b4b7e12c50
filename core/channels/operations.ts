// What the admin panel may ask of the running chat channels and their delivery queues.
// The panel sees only this interface; main.ts passes in bot/'s implementation, so admin/
// and bot/ never import each other.

export type PairingRefusal = "invalid_phone" | "not_running" | "already_linked" | "timeout" | "failed";
export type PairingResult = { ok: true; code: string } | { ok: false; reason: PairingRefusal };

export interface QueueOverview {
  name: string;
  waiting: number;
  delayed: number;
  active: number;
  failed: number;
  completed: number;
}

export interface FailedJob {
  queue: string;
  jobId: string;
  outboxId: string;
  error: string;
  failedAt: Date | null;
  attempts: number;
}

export interface RejectedDelivery {
  outboxId: string;
  kind: string;
  channel: string;
  /** The platform's reason, e.g. "whatsapp 463: account restricted…". */
  error: string;
  at: Date;
  /** Where the notice ended up: SENT (another channel took over), QUEUED (fallback on its way) or FAILED. */
  outboxStatus: string;
}

export interface ChannelOperations {
  /** Notices a platform refused after accepting the send (WhatsApp's negative acks), newest first. */
  listRejected(limit: number): Promise<RejectedDelivery[]>;
  /** Asks the WhatsApp lease holder (on any instance) for a pairing code. */
  requestPairing(phone: string): Promise<PairingResult>;
  /** Job counts per notification queue. Throws QueueUnavailableError when Redis does not answer. */
  queueOverview(): Promise<QueueOverview[]>;
  /** The most recent failed jobs across all queues, newest first. */
  listFailed(limit: number): Promise<FailedJob[]>;
  /** One more attempt for a failed job; false when it is unknown or no longer failed. */
  retryFailed(queue: string, jobId: string): Promise<boolean>;
}

/** Redis did not answer in time: the page says so instead of hanging. */
export class QueueUnavailableError extends Error {
  constructor() {
    super("Redis is not reachable");
  }
}
