-- CreateTable
CREATE TABLE "WebMessage" (
    "id" BIGSERIAL NOT NULL,
    "sessionId" TEXT NOT NULL,
    "message" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebFileGrant" (
    "sessionId" TEXT NOT NULL,
    "attachmentId" UUID NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebFileGrant_pkey" PRIMARY KEY ("sessionId","attachmentId")
);

-- CreateIndex
CREATE INDEX "WebMessage_sessionId_id_idx" ON "WebMessage"("sessionId", "id");

-- CreateIndex
CREATE INDEX "WebMessage_createdAt_idx" ON "WebMessage"("createdAt");

-- CreateIndex
CREATE INDEX "WebFileGrant_createdAt_idx" ON "WebFileGrant"("createdAt");
