// "<script>" in every text field, through the bot's services and through the panel's forms,
// comes back inert on every page.
import { afterAll, beforeAll, expect, it } from "vitest";
import { addDocumentation } from "../../core/documentation/service.js";
import { recordClarificationAnswer } from "../../core/requests/clarification.js";
import { changeStatus, submitRequest } from "../../core/requests/service.js";
import { writeChannelStatus } from "../../core/runtime/channel-status.js";
import { addTestimonial } from "../../core/testimonials/service.js";
import { formatDate } from "../../core/validation/datetime.js";
import { tinyPdf } from "../../prisma/seed-data.js";
import { type Client, emailOf, type Panel, signedIn, startPanel } from "./helpers.js";

const XSS = `<script>alert('xss')</script>`;
const ATTR = `"><img src=x onerror=alert(1)>`;
const RAW = [/<script>alert/i, /<img src=x/i, /"><img/i];

let p: Panel;
const c: Record<string, Client> = {};
const pages: { who: string; url: string }[] = [];

beforeAll(async () => {
  p = await startPanel();
  const db = p.ctx.db;
  const riau = await db.office.findUniqueOrThrow({ where: { code: "1400" } });
  const userOf = (email: string) => db.user.findUniqueOrThrow({ where: { email } });
  const supU = await userOf(emailOf("SUPERVISOR"));
  const coachU = await userOf(emailOf("COACH"));
  const sup = { userId: supU.id, roles: supU.roles, officeId: supU.officeId };
  const start = new Date(Date.now() - 5 * 24 * 3600_000);

  // Through the bot's services (what the chat flows call).
  const input = {
    requesterName: `Budi ${XSS}`,
    requesterPhone: "0812-3456-7000",
    requesterEmail: "budi@contoh.go.id",
    agencyName: `Dinas ${XSS} ${ATTR}`,
    agencyLevel: "PROVINCE" as const,
    isDataProducer: true,
    serviceType: "FGD" as const,
    topics: ["SATU_DATA" as const],
    description: `Deskripsi ${XSS} ${ATTR}`,
    location: `Aula ${ATTR}`,
    mode: "OFFLINE" as const,
    startAt: new Date(Date.now() + 3 * 24 * 3600_000),
    endAt: new Date(Date.now() + 3 * 24 * 3600_000 + 7200_000),
    picName: `PIC ${XSS}`,
    picPhone: "0812-3456-7000",
  };
  const { request } = await submitRequest(db, input, { channel: "telegram", defaultOfficeId: riau.id });
  await changeStatus(db, sup, { requestId: request.id, to: "IN_REVIEW", note: `catatan ${XSS}` });
  await recordClarificationAnswer(db, request.id, `jawaban ${XSS} ${ATTR}`, "telegram");
  await changeStatus(db, sup, { requestId: request.id, to: "APPROVED", coachIds: [coachU.id], note: ATTR });
  await db.coachingRequest.update({ where: { id: request.id }, data: { startAt: start, endAt: new Date(start.getTime() + 7200_000) } });
  await changeStatus(db, sup, { requestId: request.id, to: "DONE" });
  await addDocumentation(
    db,
    { userId: coachU.id, roles: coachU.roles, officeId: coachU.officeId },
    { requestId: request.id, kind: "MINUTES", link: "https://x.example/notulen?a=%3Cscript%3E", note: `notula ${XSS}` },
  );
  await addTestimonial(db, { phones: [request.requesterPhone], authorName: `Budi ${XSS}` }, request.id, { rating: 4, text: `Bagus ${XSS} ${ATTR}` });
  const other = await submitRequest(
    db,
    { ...input, startAt: new Date(Date.now() + 9 * 24 * 3600_000), endAt: new Date(Date.now() + 9 * 24 * 3600_000 + 3600_000) },
    { channel: "whatsapp", defaultOfficeId: riau.id },
  );
  await changeStatus(db, sup, { requestId: other.request.id, to: "IN_REVIEW" });
  await changeStatus(db, sup, { requestId: other.request.id, to: "REJECTED", reason: `alasan ${XSS} ${ATTR}` });
  await writeChannelStatus(p.ctx.redis, p.ctx.redisPrefix, "whatsapp", { state: "closed", reason: `putus ${XSS}` });

  // Through the chat itself: the web simulator's API, typed answers as on WhatsApp.
  const sessionId = "escapingtest0000chat";
  const chat = async (text: string) => {
    const res = await p.app.inject({ method: "POST", url: "/simulator/api/send", payload: { sessionId, text } });
    expect(res.statusCode, text).toBe(200);
  };
  const day = formatDate(new Date(Date.now() + 40 * 24 * 3600_000), "WIB");
  for (const text of [
    "halo",
    "1",
    "setuju",
    `Chat ${XSS}`,
    "lewati",
    "0812 7788 6655",
    "chat@contoh.go.id",
    `Instansi Chat ${XSS} ${ATTR}`,
    "3",
    "ya",
    "1",
    "1,3",
    `Deskripsi lewat chat ${XSS} ${ATTR}`,
    `Lokasi chat ${ATTR}`,
    "2",
    `${day} 09:00`,
    "2 jam",
    "sama",
    "lewati",
    "kirim",
  ])
    await chat(text);
  const viaChat = await db.coachingRequest.findFirstOrThrow({ where: { requesterEmail: "chat@contoh.go.id" } });
  expect(viaChat.agencyName).toContain(XSS);

  for (const role of ["ADMIN", "SUPERVISOR", "OPERATOR", "COACH"] as const) c[role] = await signedIn(p.app, emailOf(role));

  // Through the panel's forms.
  await c.SUPERVISOR!.get(`/requests/${request.id}`);
  expect((await c.SUPERVISOR!.post(`/requests/${request.id}/clarify`, { question: `tanya ${XSS} ${ATTR}` })).statusCode).toBe(302);
  await c.OPERATOR!.get("/modules/new");
  expect(
    (
      await c.OPERATOR!.upload("/modules", { title: `Modul ${XSS}`, category: `Kat ${ATTR}`, description: `Isi ${XSS}` }, [
        { field: "file", name: `${ATTR}.pdf`, type: "application/pdf", bytes: tinyPdf("x") },
      ])
    ).statusCode,
  ).toBe(302);
  await c.ADMIN!.get("/users/new");
  const newUser = await c.ADMIN!.post("/users", {
    name: `Petugas ${XSS}`,
    email: "petugas.xss@sibina.test",
    position: `Jabatan ${ATTR}`,
    officeId: riau.id,
    roles: "COACH",
  });
  expect(newUser.statusCode).toBe(200);
  await c.ADMIN!.get("/requests/new");
  const added = await c.ADMIN!.upload(
    "/requests",
    {
      requesterName: `Ani ${XSS}`,
      requesterPhone: "0812-3456-7111",
      requesterEmail: "ani@contoh.go.id",
      agencyName: `Badan ${ATTR}`,
      agencyLevel: "PROVINCE",
      serviceType: "ASISTENSI",
      topics: "DATA_QUALITY",
      description: `Isi ${XSS} panjang sekali`,
      location: `Ruang ${XSS}`,
      mode: "ONLINE",
      start: "10/10/2027 09:00",
      end: "2 jam",
      picName: `Pic ${ATTR}`,
      picPhone: "0812-3456-7111",
    },
    [],
  );
  expect(added.statusCode).toBe(302);
  // A form that fails validation echoes the typed text back: still inert.
  await c.ADMIN!.get("/requests/new");
  const echoed = await c.ADMIN!.upload("/requests", { requesterName: XSS, description: ATTR, location: XSS, start: XSS, end: ATTR }, []);
  expect(echoed.statusCode).toBe(422);
  for (const re of RAW) expect(echoed.body).not.toMatch(re);

  const mod = await db.module.findFirstOrThrow({ where: { title: { startsWith: "Modul <script>" } } });
  const testimonial = await db.testimonial.findFirstOrThrow({ where: { requestId: request.id } });
  const addedReq = await db.coachingRequest.findFirstOrThrow({ where: { requesterEmail: "ani@contoh.go.id" } });
  const xssUser = await db.user.findUniqueOrThrow({ where: { email: "petugas.xss@sibina.test" } });
  pages.push({ who: "SUPERVISOR", url: `/requests/${viaChat.id}/status` });
  for (const who of ["ADMIN", "SUPERVISOR", "OPERATOR"]) {
    for (const url of [
      "/dashboard",
      "/requests",
      `/requests?q=${encodeURIComponent(XSS)}`,
      `/requests/${request.id}`,
      `/requests/${other.request.id}`,
      `/requests/${addedReq.id}`,
      `/requests/${viaChat.id}`,
      "/coachings",
      "/documentation",
      "/modules",
    ])
      pages.push({ who, url });
  }
  pages.push(
    { who: "SUPERVISOR", url: `/requests/${addedReq.id}/status` },
    { who: "ADMIN", url: `/requests/${request.id}/edit` },
    { who: "ADMIN", url: `/requests/${request.id}/delete` },
    { who: "ADMIN", url: "/testimonials" },
    { who: "ADMIN", url: `/testimonials/${testimonial.id}/delete` },
    { who: "ADMIN", url: "/users" },
    { who: "ADMIN", url: `/users/${xssUser.id}/edit` },
    { who: "ADMIN", url: `/users/${xssUser.id}/delete` },
    { who: "ADMIN", url: "/audit" },
    { who: "ADMIN", url: "/channels" },
    { who: "OPERATOR", url: `/modules/${mod.id}/delete` },
    { who: "COACH", url: "/dashboard" },
    { who: "COACH", url: "/my/assignments" },
    { who: "COACH", url: `/requests/${request.id}` },
    { who: "COACH", url: `/coachings/${request.id}/documentation` },
    { who: "COACH", url: "/coachings" },
  );
});
afterAll(async () => p?.close());

it("renders every stored payload escaped on every page, for every role", async () => {
  let shown = 0;
  for (const { who, url } of pages) {
    const res = await c[who]!.get(url);
    expect(res.statusCode, `${who} ${url}`).toBe(200);
    for (const re of RAW) expect(res.body, `${who} ${url}`).not.toMatch(re);
    if (res.body.includes("&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;")) shown++;
  }
  // The payload is really on these pages (escaped), so the test checks something.
  expect(shown).toBeGreaterThan(pages.length * 0.7);
});

it("keeps the payload intact as text (escaped once, not mangled)", async () => {
  const r = await p.ctx.db.coachingRequest.findFirstOrThrow({ where: { requesterName: { startsWith: "Budi <script>" } } });
  const html = (await c.SUPERVISOR!.get(`/requests/${r.id}`)).body;
  expect(html).toContain("Budi &lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;");
  expect(html).toContain("Aula &quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
  expect(html).toContain("jawaban &lt;script&gt;");
  expect(html).toContain("tanya &lt;script&gt;");
  expect(html).not.toContain("&amp;lt;");
});
