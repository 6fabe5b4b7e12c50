-- WhatsApp (issue 16): sent messages kept for retries after a reconnect, and a lookup of a
-- Delivery by its WhatsApp message id for rejections that arrive after the send.

-- CreateTable
CREATE TABLE "WhatsappSentMessage" (
    "id" TEXT NOT NULL,
    "remoteJid" TEXT NOT NULL,
    "message" BYTEA NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WhatsappSentMessage_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WhatsappSentMessage_createdAt_idx" ON "WhatsappSentMessage"("createdAt");

-- CreateIndex
CREATE INDEX "Delivery_channel_externalId_idx" ON "Delivery"("channel", "externalId");
