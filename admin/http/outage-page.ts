// The page staff get when PostgreSQL or Redis is briefly unreachable: 503, in their language,
// built from the request alone. It needs nothing that loading the user, the session or the
// per-request helpers would have set up, since those are exactly what failed.
import type { FastifyReply, FastifyRequest } from "fastify";
import { isLocale, t } from "../../core/messages/index.js";
import type { Locale } from "../../core/reference/index.js";

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The person's language from the request only: the language cookie, else the browser's. */
export function requestLocale(request: FastifyRequest): Locale {
  // Before the cookie plugin has run (a refusal in the first onRequest hook) the raw header is read.
  const cookie = request.cookies?.sibina_lang ?? /(?:^|;\s*)sibina_lang=(id|en)(?:;|$)/.exec(String(request.headers.cookie ?? ""))?.[1];
  if (isLocale(cookie)) return cookie;
  return /^en\b/i.test(String(request.headers["accept-language"] ?? "")) ? "en" : "id";
}

/** What became of a change the person just sent, if they sent one. */
export type SentChange = "none" | "not_saved" | "maybe_saved";

export function outagePage(locale: Locale, change: SentChange = "none", status = 503): string {
  const changeLine =
    change === "none"
      ? ""
      : `\n  <p class="notice error" data-testid="change-state" data-state="${change}">${escapeHtml(t(locale, change === "not_saved" ? "admin.outage.notSaved" : "admin.outage.maybeSaved"))}</p>`;
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="15">
<title>${status} · Sibina</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<main class="error-page" data-testid="outage">
  <div class="code">${status}</div>
  <h1>${escapeHtml(t(locale, "admin.outage.title"))}</h1>
  <p data-testid="error-message">${escapeHtml(t(locale, "admin.outage.body"))}</p>${changeLine}
  <p class="small muted">${escapeHtml(t(locale, "admin.outage.retry"))}</p>
</main>
</body>
</html>`;
}

declare module "fastify" {
  interface FastifyRequest {
    /** Set just before the route's handler runs: a failure before it means nothing was saved. */
    handlerReached: boolean;
  }
}

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Answers 503 with the outage page (JSON for API clients), whatever state the request is in. */
export function sendOutage(request: FastifyRequest, reply: FastifyReply) {
  const locale = requestLocale(request);
  const change: SentChange = SAFE.has(request.method) ? "none" : request.handlerReached ? "maybe_saved" : "not_saved";
  reply.code(503).header("retry-after", "15").header("cache-control", "no-store");
  if (request.headers.accept?.includes("application/json") && !request.headers.accept.includes("text/html")) {
    return reply.type("application/json").send({ error: 503, message: "admin.outage.body", change });
  }
  return reply.type("text/html; charset=utf-8").send(outagePage(locale, change));
}
