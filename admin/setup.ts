// The one-time setup server of an empty database (core/setup). It answers only /setup (and the
// stylesheet) until the first office and admin exist, then resolves `completed` so main.ts can
// start the product proper. Possession of the printed single-use token is the authorisation.
import path from "node:path";
import { fileURLToPath } from "node:url";
import formbody from "@fastify/formbody";
import fastifyStatic from "@fastify/static";
import view from "@fastify/view";
import { Eta } from "eta";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Db } from "../core/db/client.js";
import { isDomainError } from "../core/errors.js";
import { type MessageKey, t } from "../core/messages/index.js";
import { officeCatalog } from "../core/offices/catalog.js";
import type { Logger } from "../core/runtime/logger.js";
import { performSetup, type SetupToken, setupInputSchema } from "../core/setup/service.js";
import { type FormBody, str } from "./http/forms.js";

const here = path.dirname(fileURLToPath(import.meta.url));

/** The bundled offices grouped for the picker: BPS RI, then each province with its kabupaten/kota. */
function officeGroups() {
  const { offices } = officeCatalog();
  const national = offices.filter((o) => o.level === "NATIONAL");
  return [
    { label: "BPS RI", offices: national },
    ...offices.filter((o) => o.level === "PROVINCE").map((p) => ({ label: p.name, offices: [p, ...offices.filter((o) => o.parent === p.code)] })),
  ];
}

export interface SetupServer {
  app: FastifyInstance;
  /** Resolves once setup has succeeded. */
  completed: Promise<{ officeCode: string }>;
}

export async function buildSetupServer(deps: { db: Db; log: Logger; token: SetupToken }): Promise<SetupServer> {
  const { db, token } = deps;
  const app = Fastify({ loggerInstance: deps.log as unknown as FastifyBaseLogger, bodyLimit: 64 * 1024 });
  await app.register(formbody, { bodyLimit: 64 * 1024 });
  await app.register(fastifyStatic, { root: path.join(here, "public"), prefix: "/assets/", decorateReply: false });
  await app.register(view, {
    engine: { eta: new Eta({ autoEscape: true, cache: true, views: path.join(here, "views") }) },
    root: path.join(here, "views"),
    production: true,
  });
  app.addHook("onSend", async (_request, reply, payload) => {
    reply.header("cache-control", "no-store").header("referrer-policy", "no-referrer").header("x-frame-options", "DENY");
    return payload;
  });

  let finish: (v: { officeCode: string }) => void = () => {};
  const completed = new Promise<{ officeCode: string }>((resolve) => {
    finish = resolve;
  });
  const groups = officeGroups();
  const locale = "id" as const;
  const tr = (key: MessageKey, params?: Record<string, string | number>) => t(locale, key, params);
  const page = (extra: Record<string, unknown>) => ({ locale, t: tr, groups, token: "", form: { officeCode: "", name: "", email: "" }, ...extra });

  app.get("/setup", async (request, reply) => {
    const given = (request.query as { token?: unknown }).token;
    if (!token.matches(given)) return reply.code(403).view("setup", page({ badToken: true }));
    return reply.view("setup", page({ token: given }));
  });

  app.post("/setup", async (request, reply) => {
    const body = request.body as FormBody;
    const given = str(body, "token");
    if (!token.matches(given)) return reply.code(403).view("setup", page({ badToken: true }));
    const form = { officeCode: str(body, "officeCode"), name: str(body, "name"), email: str(body, "email") };
    const parsed = setupInputSchema.safeParse({ ...form, password: str(body, "password") });
    const fail = (message: string) => reply.code(422).view("setup", page({ token: given, form, error: message }));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = String(issue.path[0] ?? "");
      return fail(
        field === "officeCode"
          ? tr("setup.error.unknownOffice")
          : `${tr(`setup.${field === "name" ? "adminName" : field}` as MessageKey)}: ${tr("error.validation")}`,
      );
    }
    try {
      const { office } = await performSetup(db, parsed.data);
      token.spend();
      finish({ officeCode: office.code });
      return reply.view("setup", page({ done: { office: office.name, zone: office.timeZone } }));
    } catch (e) {
      if (isDomainError(e)) return fail(tr(e.messageKey, e.params));
      throw e;
    }
  });
  // Everything else leads to the setup page (without the token, which only the console shows).
  app.setNotFoundHandler(async (_request, reply) => reply.code(503).view("setup", page({ badToken: true })));
  return { app, completed };
}
