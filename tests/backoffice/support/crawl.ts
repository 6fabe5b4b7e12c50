// Finds every panel page a signed-in person can reach by following the links on the pages
// themselves (new pages from other issues are picked up without listing them here), and
// validates their HTML with html-validate.
import { HtmlValidate, type Message } from "html-validate";
import type { Client } from "../../admin/helpers.js";

/** GET links that change nothing and return HTML pages of the panel. */
const SKIP = [/^\/logout/, /^\/files\//, /\/export/, /\.(csv|xlsx|json)(\?|$)/, /^\/simulator/, /^\/assets\//, /\/json$/, /^\/locale/];

/** One page per path shape: /requests/<uuid> is visited for a few ids, not all of them. */
export const shapeOf = (url: string) =>
  url
    .split("?")[0]!
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ":id")
    .replace(/\/\d+(?=\/|$)/g, "/:n");

export function linksOf(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<a\s[^>]*href="([^"]+)"/g)) {
    const href = m[1]!.replace(/&amp;/g, "&").split("#")[0]!;
    if (!href.startsWith("/") || href.startsWith("//")) continue;
    if (SKIP.some((re) => re.test(href))) continue;
    out.push(href);
  }
  return out;
}

/** Breadth-first from the start pages, at most `perShape` pages of each shape (query strings count as one shape). */
export async function crawl(client: Client, start: string[], opts: { perShape?: number; max?: number } = {}) {
  const perShape = opts.perShape ?? 2;
  const max = opts.max ?? 80;
  const seen = new Set<string>();
  const shapes = new Map<string, number>();
  const pages: { url: string; status: number; html: string }[] = [];
  const queue = [...start];
  while (queue.length && pages.length < max) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const shape = shapeOf(url) + (url.includes("?") ? "?" : "");
    const n = shapes.get(shape) ?? 0;
    if (n >= perShape) continue;
    shapes.set(shape, n + 1);
    const res = await client.get(url);
    if (!String(res.headers["content-type"] ?? "").includes("text/html")) continue;
    pages.push({ url, status: res.statusCode, html: res.body });
    for (const link of linksOf(res.body)) if (!seen.has(link)) queue.push(link);
  }
  return pages;
}

const validator = new HtmlValidate({
  extends: ["html-validate:recommended"],
  rules: {
    // Style choices of the recommended preset that say nothing about validity or access.
    "no-trailing-whitespace": "off",
    "attribute-boolean-style": "off",
    "void-style": "off",
    "attribute-empty-style": "off",
    "no-inline-style": "off",
    "prefer-tbody": "off",
    "long-title": "off",
    "doctype-style": "off",
    // A group of checkboxes (roles, topics) shares one name by design.
    "form-dup-name": ["error", { shared: ["radio", "checkbox", "button", "reset", "submit"] }],
  },
});

/** html-validate's errors for one page, as "rule: message (line:col)". */
export async function htmlErrors(html: string, name: string): Promise<string[]> {
  const report = await validator.validateString(html, name);
  return report.results.flatMap((r) => r.messages.filter((m: Message) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message} (${m.line}:${m.column})`));
}
