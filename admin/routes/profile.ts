// The staff member's own profile: chat linking code, two-factor setup, password change (also
// the page a temporary password leads to, before anything else opens).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import QRCode from "qrcode";
import { createLinkCode } from "../../core/auth/link-codes.js";
import { MIN_PASSWORD } from "../../core/auth/password-policy.js";
import { openSecret, sealSecret, totpKeyring } from "../../core/auth/secrets.js";
import { isDomainError } from "../../core/errors.js";
import type { MessageKey } from "../../core/messages/index.js";
import { totpRequiredFor, totpRequiredRoles } from "../../core/settings/service.js";
import { changeOwnPassword, checkNewPassword } from "../../core/users/service.js";
import { disableTotp, enableTotp, newTotpSecret, totpUri, verifyTotp } from "../../core/users/totp.js";
import { flash } from "../http/audit.js";
import { type FormBody, str } from "../http/forms.js";
import { allow, selfOf } from "../http/guard.js";
import { currentPasswordCheck } from "../http/guesses.js";
import { telegramLinkFor } from "../http/telegram-link.js";

const setupConfig = { config: { duringTotpSetup: true } } as const;
const passwordConfig = { config: { duringTotpSetup: true, duringPasswordChange: true } } as const;

export async function profileRoutes(app: FastifyInstance) {
  const { ctx, store } = app.panel;

  async function profileView(request: FastifyRequest, reply: FastifyReply, extra: { linkCode?: string } = {}) {
    const user = await ctx.db.user.findUniqueOrThrow({
      where: { id: request.staff!.id },
      include: { office: true, identities: { select: { channel: true, displayName: true, createdAt: true } } },
    });
    return reply.view("profile", {
      title: reply.locals?.t("admin.nav.profile"),
      profile: user,
      linkCode: extra.linkCode ?? null,
      // Telegram bots cannot write first: the deep link lets the staff member open the chat.
      telegram: user.identities.some((i) => i.channel === "telegram") ? null : await telegramLinkFor(ctx, selfOf(request)),
      min: MIN_PASSWORD,
    });
  }

  app.get("/profile", { onRequest: allow(), ...setupConfig }, async (request, reply) => profileView(request, reply));

  app.post("/profile/link-code", { onRequest: allow() }, async (request, reply) => {
    const code = await createLinkCode(ctx.db, selfOf(request));
    reply.header("cache-control", "no-store");
    return profileView(request, reply, { linkCode: code });
  });

  const passwordView = (request: FastifyRequest, reply: FastifyReply, error: MessageKey | null, errorParams: Record<string, number> = {}) =>
    reply.view("password", {
      title: reply.locals?.t("admin.password.title"),
      required: request.staff!.mustChangePassword,
      min: MIN_PASSWORD,
      error,
      errorParams,
    });

  app.get("/profile/password", { onRequest: allow(), ...passwordConfig }, async (request, reply) => passwordView(request, reply, null));

  app.post("/profile/password", { onRequest: allow(), ...passwordConfig }, async (request, reply) => {
    const body = request.body as FormBody;
    const next = str(body, "next");
    const refuse = (key: MessageKey) => {
      reply.code(422);
      return passwordView(request, reply, key);
    };
    if (next !== str(body, "confirm")) return refuse("admin.password.mismatch");
    const check = checkNewPassword(request.staff!, next);
    if (!check.ok) return refuse(`admin.password.${check.problem}`);
    // The current password is a guess like a sign-in: same throttle, same waits.
    const guess = currentPasswordCheck(request, request.staff!);
    const wait = await guess.waitSeconds();
    if (wait > 0) {
      reply.code(429).header("retry-after", String(wait));
      return passwordView(request, reply, "admin.login.wait", { seconds: wait });
    }
    try {
      await changeOwnPassword(ctx.db, selfOf(request), str(body, "current"), next);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      if (e.messageKey === "error.wrongPassword") await guess.failed();
      return refuse(e.messageKey);
    }
    await guess.succeeded();
    // Other devices signed in with the old password are signed out.
    await store.destroyAllFor(request.staff!.id, request.session.sessionId);
    flash(request, "ok", "admin.password.changed");
    // After a temporary password the person goes on to their work (or to a required 2FA setup).
    return reply.redirect(request.staff!.mustChangePassword ? "/" : "/profile");
  });

  app.get("/profile/security", { onRequest: allow(), ...setupConfig }, async (request, reply) => {
    const staff = request.staff!;
    const required = totpRequiredFor(staff.roles, await totpRequiredRoles(ctx.db));
    let qr: string | null = null;
    let secret: string | null = null;
    if (!staff.totpEnabled) {
      // The secret being set up is sealed in the session too (sessions may be persisted by Redis).
      const keyring = await totpKeyring(ctx.config);
      const pending = request.session.totpSetup ? openSecret(keyring, staff.id, request.session.totpSetup) : null;
      secret = pending ?? newTotpSecret();
      if (!pending) request.session.totpSetup = sealSecret(keyring, staff.id, secret);
      qr = await QRCode.toDataURL(totpUri(secret, staff.email), { margin: 1, width: 220 });
    }
    reply.header("cache-control", "no-store");
    return reply.view("security", { title: reply.locals?.t("admin.totp.setupTitle"), required, qr, secret, error: null });
  });

  app.post("/profile/security/enable", { onRequest: allow(), ...setupConfig }, async (request, reply) => {
    const keyring = await totpKeyring(ctx.config);
    const staffId = request.staff!.id;
    const secret = request.session.totpSetup ? openSecret(keyring, staffId, request.session.totpSetup) : null;
    const code = str(request.body as FormBody, "code");
    if (!secret || !verifyTotp(secret, code)) {
      flash(request, "error", "admin.totp.invalid");
      return reply.redirect("/profile/security");
    }
    await enableTotp(ctx.db, selfOf(request), sealSecret(keyring, staffId, secret));
    request.session.totpSetup = undefined;
    flash(request, "ok", "admin.totp.enabled");
    return reply.redirect("/profile");
  });

  app.post("/profile/security/disable", { onRequest: allow() }, async (request, reply) => {
    const guess = currentPasswordCheck(request, request.staff!);
    const wait = await guess.waitSeconds();
    if (wait > 0) {
      flash(request, "error", "admin.login.wait", { seconds: wait });
      return reply.redirect("/profile/security");
    }
    try {
      await disableTotp(ctx.db, selfOf(request), str(request.body as FormBody, "password"));
    } catch (e) {
      if (!isDomainError(e)) throw e;
      if (e.messageKey === "error.wrongPassword") await guess.failed();
      flash(request, "error", e.messageKey);
      return reply.redirect("/profile/security");
    }
    await guess.succeeded();
    flash(request, "ok", "admin.totp.disabled");
    return reply.redirect("/profile");
  });
}
