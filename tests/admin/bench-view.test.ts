// bench:admin measures each page against its own view data answered as JSON (same route, session
// and queries, no template). That mode exists only when the panel is built with it: in the
// product the header changes nothing, so page data never becomes an API.
import { afterAll, beforeAll, expect, it } from "vitest";
import { emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

let product: Panel;
let bench: Panel;
beforeAll(async () => {
  [product, bench] = await Promise.all([startPanel(), startPanel({ viewDataForBench: true })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([product?.close(), bench?.close()]);
});

it("the product ignores the bench header and renders the page", { timeout: 60_000 }, async () => {
  const admin = await signedIn(product.app, emailOf("ADMIN"));
  const res = await admin.get("/users", { "x-bench-view": "data" });
  expect(res.statusCode).toBe(200);
  expect(res.headers["content-type"]).toContain("text/html");
  expect(res.body).toContain("<!doctype html>");
});

it("in bench mode the same page answers the data its template would get, still behind the route's permission", { timeout: 60_000 }, async () => {
  const admin = await signedIn(bench.app, emailOf("ADMIN"));
  const html = await admin.get("/users");
  const data = await admin.get("/users", { "x-bench-view": "data" });
  expect(html.headers["content-type"]).toContain("text/html");
  expect(data.headers["content-type"]).toContain("application/json");
  const body = data.json() as Record<string, unknown>;
  expect(Object.keys(body).length).toBeGreaterThan(0);
  // Every user listed on the page is in the data.
  const demoAdmin = emailOf("ADMIN");
  expect(html.body).toContain(demoAdmin);
  expect(data.body).toContain(demoAdmin);
  // The permission check runs before: a coach gets the same refusal either way.
  const coach = await signedIn(bench.app, emailOf("COACH"));
  expect((await coach.get("/users", { "x-bench-view": "data" })).statusCode).toBe(403);
});
