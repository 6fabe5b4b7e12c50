// First run without demo data: a one-time setup creates the deployment's office (and the offices
// above it, for escalation) from the bundled list, and the first admin. Until then the product
// serves only the setup page, reached with a single-use token printed to the console.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { writeAudit } from "../audit/service.js";
import { hashPassword } from "../auth/password.js";
import type { Db, Tx } from "../db/client.js";
import { DomainError } from "../errors.js";
import { catalogChain, catalogOffice } from "../offices/catalog.js";
import { passwordSchemaFor } from "../users/service.js";
import { emailSchema } from "../validation/identity.js";
import { LIMITS, lineText } from "../validation/text.js";

/** The Setting that names this deployment's own office (preferred over DEFAULT_OFFICE_CODE). */
export const DEPLOYMENT_OFFICE_KEY = "deployment.officeCode";

/** Setup is needed while there is no office or no admin account. */
export async function needsSetup(db: Db): Promise<boolean> {
  const [offices, admins] = await Promise.all([db.office.count(), db.user.count({ where: { roles: { has: "ADMIN" }, deletedAt: null } })]);
  return offices === 0 || admins === 0;
}

/** The deployment's office code: the one chosen at setup, else DEFAULT_OFFICE_CODE. */
export async function deploymentOfficeCode(db: Db | Tx, fallback: string): Promise<string> {
  const row = await db.setting.findUnique({ where: { key: DEPLOYMENT_OFFICE_KEY } });
  return typeof row?.value === "string" ? row.value : fallback;
}

/** A single-use token; compared in constant time, spent by the first successful setup. */
export function setupToken() {
  const value = randomBytes(24).toString("base64url");
  let spent = false;
  return {
    value,
    matches(candidate: unknown): boolean {
      if (spent || typeof candidate !== "string") return false;
      const a = Buffer.from(candidate);
      const b = Buffer.from(value);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    spend() {
      spent = true;
    },
    get spent() {
      return spent;
    },
  };
}
export type SetupToken = ReturnType<typeof setupToken>;

export const setupInputSchema = z.object({
  officeCode: z.string().refine((c) => catalogOffice(c) !== undefined, "unknownOffice"),
  name: lineText(3, LIMITS.name),
  email: emailSchema,
  password: z.string(),
});
export type SetupInput = z.infer<typeof setupInputSchema>;

/** Creates the office chain, the first admin and the deployment setting in one transaction. */
export async function performSetup(db: Db, input: SetupInput) {
  const data = setupInputSchema.parse(input);
  const pw = passwordSchemaFor(data).safeParse(data.password);
  if (!pw.success) throw new DomainError("VALIDATION", `admin.password.${pw.error.issues[0]!.message}` as never);
  const passwordHash = await hashPassword(pw.data);
  return db.$transaction(async (tx) => {
    if ((await tx.user.count({ where: { roles: { has: "ADMIN" }, deletedAt: null } })) > 0) throw new DomainError("CONFLICT", "setup.error.done");
    let parentId: string | null = null;
    let office: { id: string; code: string; name: string; timeZone: string } | null = null;
    for (const o of catalogChain(data.officeCode)) {
      const row: { id: string; code: string; name: string; timeZone: string } = await tx.office.upsert({
        where: { code: o.code },
        create: { code: o.code, name: o.name, level: o.level, timeZone: o.timeZone, parentId },
        update: {},
      });
      parentId = row.id;
      office = row;
    }
    if (!office) throw new DomainError("VALIDATION", "setup.error.unknownOffice");
    const admin = await tx.user.create({
      data: { name: data.name, email: data.email, roles: ["ADMIN"], officeId: office.id, passwordHash, mustChangePassword: false },
    });
    await tx.setting.upsert({
      where: { key: DEPLOYMENT_OFFICE_KEY },
      create: { key: DEPLOYMENT_OFFICE_KEY, value: office.code },
      update: { value: office.code },
    });
    await writeAudit(tx, { actorUserId: admin.id, action: "setup.complete", entity: "Office", entityId: office.id, changes: { office: office.code } });
    return { office, admin: { id: admin.id, email: admin.email } };
  });
}
