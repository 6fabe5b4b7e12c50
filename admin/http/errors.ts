// Error pages: every failure answers with a friendly page in the person's language and the
// right status, and never with data or a stack trace.
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ZodError } from "zod";
import { isDomainError } from "../../core/errors.js";
import type { MessageKey } from "../../core/messages/index.js";

const DOMAIN_STATUS: Record<string, number> = { NOT_FOUND: 404, FORBIDDEN: 403 };

export async function renderError(request: FastifyRequest, reply: FastifyReply, status: number, key: MessageKey, params: Record<string, string | number> = {}) {
  reply.code(status);
  if (request.headers.accept?.includes("application/json") && !request.headers.accept.includes("text/html")) {
    return reply.send({ error: status, message: key });
  }
  return reply.view("error", { status, messageKey: key, params, title: `${status}` });
}

export const makeErrorHandler = (maxUploadMb: number) =>
  async function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
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
