// Every check of a password or a two-factor code is a guess that an attacker could repeat: the
// sign-in form, and re-entering the current password to change it or to turn off two-step
// verification (a stolen session must not be a free password oracle). All of them count in the
// same throttle per (account, client address) with growing waits (core/auth/throttle.ts); each
// failure is audited with the client's real address, and an account under attack is alerted.
import type { FastifyRequest } from "fastify";
import { writeAudit } from "../../core/audit/service.js";
import { type AuthStage, POLICIES, subjectOfEmail } from "../../core/auth/throttle.js";
import { alertAccountUnderAttack } from "../../core/users/service.js";

/** Whole seconds to announce for a wait (at least 1). */
export const waitSeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** Counts a failure; past the stage's threshold the owner and the admins are alerted (once an hour). */
export async function recordFailure(request: FastifyRequest, stage: AuthStage, subject: string, userId: string | null): Promise<void> {
  const { ctx, throttle } = request.server.panel;
  const count = await throttle.fail(stage, subject, request.ip);
  await writeAudit(ctx.db, { actorUserId: null, action: `auth.failed.${stage}`, entity: "User", entityId: userId, ip: request.ip });
  if (userId && count.accountHour >= POLICIES[stage].alertAt) {
    await alertAccountUnderAttack(ctx.db, { userId, stage, failures: count.accountHour, clients: count.clientsHour, hour: count.hour }, request.ip);
  }
}

/**
 * The current password asked again by a signed-in page, throttled exactly like the sign-in form
 * for this account and client: seconds to wait first (0: go ahead), and what to record after.
 */
export function currentPasswordCheck(request: FastifyRequest, account: { id: string; email: string }) {
  const { throttle } = request.server.panel;
  const subject = subjectOfEmail(account.email);
  return {
    waitSeconds: async () => {
      const ms = await throttle.waitFor("password", subject, request.ip);
      return ms > 0 ? waitSeconds(ms) : 0;
    },
    failed: () => recordFailure(request, "password", subject, account.id),
    succeeded: () => throttle.succeed("password", subject, request.ip),
  };
}
