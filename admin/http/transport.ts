// Can this browser keep the session cookie? Browsers store a Secure (and __Host-) cookie only
// over HTTPS, or on http://localhost and http://127.0.0.1, which they treat as secure contexts.
// A plain-HTTP intranet address (http://10.x.x.x:3000, http://sibina.kantor) therefore cannot
// hold a session, and the panel says so on the login page instead of failing obscurely.
// ALLOW_INSECURE_HTTP=true is the explicit, documented way out for a closed intranet: a plain
// cookie without Secure or the __Host- prefix, and a permanent warning banner.
import type { FastifyRequest } from "fastify";
import { isLoopbackHostname } from "../../core/config.js";

export const SECURE_COOKIE = "__Host-sibina";
export const INSECURE_COOKIE = "sibina_session";

export interface SessionCookie {
  name: string;
  secure: boolean;
}

export const sessionCookieFor = (allowInsecureHttp: boolean): SessionCookie =>
  allowInsecureHttp ? { name: INSECURE_COOKIE, secure: false } : { name: SECURE_COOKIE, secure: true };

/** The host part of a Host header ("sibina.kantor:3000" → "sibina.kantor", "[::1]:3000" → "::1"). */
export function hostnameOf(hostHeader: string | undefined): string {
  const host = (hostHeader ?? "").trim().toLowerCase();
  if (host.startsWith("[")) return host.slice(1, host.indexOf("]") > 0 ? host.indexOf("]") : undefined);
  return host.replace(/:\d+$/, "");
}

export const isLoopbackHost = (hostHeader: string | undefined) => isLoopbackHostname(hostnameOf(hostHeader));

/**
 * Plain HTTP to a loopback host counts as HTTPS, as it does for the browser, so the Secure
 * session cookie is sent there (local development and the demo). Fastify's request.protocol
 * is what @fastify/session consults; it already honours X-Forwarded-Proto from trusted proxies.
 */
export function treatLoopbackAsSecure(request: FastifyRequest): void {
  if (request.protocol === "https" || !isLoopbackHost(request.headers.host)) return;
  Object.defineProperty(request, "protocol", { value: "https", configurable: true });
}

export type TransportProblem = "plain_http" | "untrusted_proxy";

/**
 * Why a session cookie cannot be kept on this request, or null. "untrusted_proxy": a proxy
 * said the browser used HTTPS, but its address is not in TRUST_PROXY, so it is not believed.
 */
export function transportProblem(request: FastifyRequest, allowInsecureHttp: boolean): TransportProblem | null {
  if (allowInsecureHttp || request.protocol === "https") return null;
  return request.headers["x-forwarded-proto"] ? "untrusted_proxy" : "plain_http";
}

/** What the plain-HTTP explanation names: the address used and the proxy that was not trusted. */
export const transportParams = (request: FastifyRequest) => ({
  host: String(request.headers.host ?? ""),
  proxy: request.socket.remoteAddress ?? "",
});
export const LOCALE_COOKIE = "sibina_lang";
