-- Security hardening (issue 11).

-- AlterEnum: notices to a staff member about their own account (e.g. failed sign-ins).
ALTER TYPE "RecipientKind" ADD VALUE 'STAFF';

-- Modules belong to an office: the uploader's office, else the top of the office tree.
ALTER TABLE "Module" ADD COLUMN     "officeId" UUID;
UPDATE "Module" m SET "officeId" = u."officeId" FROM "User" u WHERE m."uploadedById" = u."id";
UPDATE "Module" SET "officeId" = (SELECT "id" FROM "Office" ORDER BY ("level" = 'NATIONAL') DESC, "createdAt" ASC LIMIT 1)
WHERE "officeId" IS NULL;
ALTER TABLE "Module" ALTER COLUMN "officeId" SET NOT NULL;

-- AlterTable: the per-account lockout is replaced by per-(account, client) throttling in Redis;
-- temporary passwords must be changed at the first sign-in.
ALTER TABLE "User" DROP COLUMN "failedLogins",
DROP COLUMN "lockedUntil",
ADD COLUMN     "mustChangePassword" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Module_officeId_idx" ON "Module"("officeId");

-- AddForeignKey
ALTER TABLE "Module" ADD CONSTRAINT "Module_officeId_fkey" FOREIGN KEY ("officeId") REFERENCES "Office"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Every database gets its own random id (caches keyed by it never serve another database's data).
INSERT INTO "Setting" ("key", "value", "updatedAt") VALUES ('instance.id', to_jsonb(gen_random_uuid()::text), CURRENT_TIMESTAMP)
ON CONFLICT ("key") DO NOTHING;
