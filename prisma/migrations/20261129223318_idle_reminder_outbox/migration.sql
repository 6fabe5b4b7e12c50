-- AlterEnum
ALTER TYPE "RecipientKind" ADD VALUE 'CHAT';

-- AlterTable
ALTER TABLE "Outbox" ADD COLUMN     "recipientIdentityId" UUID;

-- AddForeignKey
ALTER TABLE "Outbox" ADD CONSTRAINT "Outbox_recipientIdentityId_fkey" FOREIGN KEY ("recipientIdentityId") REFERENCES "ChannelIdentity"("id") ON DELETE SET NULL ON UPDATE CASCADE;
