// Channels (ADMIN): Telegram and WhatsApp connection state, the WhatsApp QR or pairing code,
// and the outbound notification queues with failed jobs and a retry button.
import type { FastifyInstance, FastifyReply } from "fastify";
import { type FailedJob, type PairingRefusal, type QueueOverview, QueueUnavailableError } from "../../core/channels/operations.js";
import type { MessageKey } from "../../core/messages/index.js";
import { overallStatus, readChannelStatus, readInstanceStatuses } from "../../core/runtime/channel-status.js";
import { loadQrCode } from "../../core/runtime/libraries.js";
import { maskPhone } from "../../core/validation/identity.js";
import { audit, flash } from "../http/audit.js";
import { type FormBody, str } from "../http/forms.js";
import { allow } from "../http/guard.js";

/** Message catalog key for each pairing refusal. */
const PAIRING_MESSAGE: Record<PairingRefusal, MessageKey> = {
  invalid_phone: "whatsapp.pairing.invalidPhone",
  not_running: "whatsapp.pairing.notRunning",
  already_linked: "whatsapp.pairing.alreadyLinked",
  timeout: "whatsapp.pairing.timeout",
  failed: "whatsapp.pairing.failed",
};

export async function channelRoutes(app: FastifyInstance) {
  const { ctx, channels } = app.panel;

  async function channelsView(reply: FastifyReply, extra: { pairing?: { ok: boolean; key?: MessageKey; code?: string }; phone?: string } = {}) {
    const [telegramInstances, whatsapp] = await Promise.all([
      readInstanceStatuses(ctx.redis, ctx.redisPrefix, "telegram"),
      readChannelStatus(ctx.redis, ctx.redisPrefix, "whatsapp"),
    ]);
    const telegram = overallStatus(telegramInstances);
    const qr = whatsapp.state === "qr" && whatsapp.qr ? await (await loadQrCode()).toDataURL(whatsapp.qr, { margin: 1, width: 260 }) : null;
    let queues: QueueOverview[] | null = null;
    let failed: FailedJob[] = [];
    let queueError = false;
    try {
      [queues, failed] = await Promise.all([channels.queueOverview(), channels.listFailed(50)]);
    } catch (e) {
      if (!(e instanceof QueueUnavailableError)) throw e;
      queueError = true;
    }
    const [notNotified, rejected] = await Promise.all([
      ctx.db.outbox.count({ where: { status: { in: ["UNREACHABLE", "FAILED"] } } }),
      channels.listRejected(20),
    ]);
    return reply.view("channels", {
      title: reply.locals?.t("admin.nav.channels"),
      telegram,
      telegramInstances,
      whatsapp,
      qr,
      // The QR rotates every ~20 s: the page refreshes itself while one is shown.
      refresh: whatsapp.state === "qr" || whatsapp.state === "connecting" ? 10 : null,
      queues,
      failed,
      queueError,
      notNotified,
      rejected,
      pairing: extra.pairing ?? null,
      phone: extra.phone ?? "",
    });
  }

  app.get("/channels", { onRequest: allow("channel.manage") }, async (_request, reply) => channelsView(reply));

  app.post("/channels/whatsapp/pairing", { onRequest: allow("channel.manage") }, async (request, reply) => {
    const phone = str(request.body as FormBody, "phone").slice(0, 40);
    const result = await channels.requestPairing(phone);
    await audit(request, "channel.pairing", "Channel", "whatsapp", { phone: maskPhone(phone), ok: result.ok, reason: result.ok ? undefined : result.reason });
    if (!result.ok) reply.code(422);
    return channelsView(reply, {
      phone,
      pairing: result.ok ? { ok: true, code: result.code } : { ok: false, key: PAIRING_MESSAGE[result.reason] },
    });
  });

  app.post("/channels/jobs/retry", { onRequest: allow("channel.manage") }, async (request, reply) => {
    const body = request.body as FormBody;
    const queue = str(body, "queue").slice(0, 60);
    const jobId = str(body, "jobId").slice(0, 200);
    let ok = false;
    try {
      ok = await channels.retryFailed(queue, jobId);
    } catch (e) {
      if (!(e instanceof QueueUnavailableError)) throw e;
    }
    await audit(request, "channel.retry", "Job", `${queue}/${jobId}`, { ok });
    flash(request, ok ? "ok" : "error", ok ? "admin.channels.retried" : "admin.channels.retryFailed");
    return reply.redirect("/channels");
  });
}
