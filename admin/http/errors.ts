// Error pages: every failure answers with a friendly page in the person's language and the
// right status, and never with data or a stack trace.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";
import { isDomainError } from "../../core/errors.js";
import { type MessageKey, t } from "../../core/messages/index.js";
import { isServiceOutage } from "../../core/runtime/outage.js";
import { escapeHtml, requestLocale, sendOutage } from "./outage-page.js";

const DOMAIN_STATUS: Record<string, number> = { NOT_FOUND: 404, FORBIDDEN: 403 };

export async function renderError(request: FastifyRequest, reply: FastifyReply, status: number, key: MessageKey, params: Record<string, string | number> = {}) {
  reply.code(status);
  if (request.headers.accept?.includes("application/json") && !request.headers.accept.includes("text/html")) {
    return reply.send({ error: status, message: key });
  }
  // The per-request helpers are missing when the request failed before they were set up.
  if (!reply.locals) return sendBare(request, reply, status, key, params);
  return reply.view("error", { status, messageKey: key, params, title: `${status}` });
}

export const makeErrorHandler = (maxUploadMb: number) =>
  async function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    // PostgreSQL or Redis briefly unreachable: not a bug, and nothing the person did wrong.
    if (isServiceOutage(error)) {
      request.log.warn({ err: { name: error.name, message: error.message } }, "panel request hit a service outage");
      return sendOutage(request, reply);
    }
    if (isDomainError(error)) {
      return renderError(request, reply, DOMAIN_STATUS[error.code] ?? 400, error.messageKey, error.params);
    }
    if (error instanceof ZodError) return renderError(request, reply, 400, "error.validation");
    switch (error.code) {
      case "FST_CSRF_INVALID_TOKEN":
      case "FST_CSRF_MISSING_SECRET":
        return renderError(request, reply, 403, "admin.error.csrf");
      case "FST_REQ_FILE_TOO_LARGE":
      case "FST_FILES_LIMIT":
      case "FST_PARTS_LIMIT":
      case "FST_FIELDS_LIMIT":
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return renderError(request, reply, 413, "admin.error.tooLarge", { mb: maxUploadMb });
    }
    if (error.statusCode === 429) return renderError(request, reply, 429, "admin.error.rateLimited");
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return renderError(request, reply, error.statusCode, "admin.error.badRequest");
    request.log.error({ err: error }, "panel request failed");
    return renderError(request, reply, 500, "admin.error.server");
  };

/** An error page without the layout (which needs the session and the user). */
function sendBare(request: FastifyRequest, reply: FastifyReply, status: number, key: MessageKey, params: Record<string, string | number>) {
  const locale = requestLocale(request);
  const text = escapeHtml(t(locale, key, params));
  return reply
    .type("text/html; charset=utf-8")
    .send(
      `<!doctype html>\n<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${status} · Sibina</title><link rel="stylesheet" href="/assets/app.css"></head><body><main class="error-page"><div class="code">${status}</div><p data-testid="error-message">${text}</p></main></body></html>`,
    );
}
