-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateIndex
CREATE INDEX "CoachingRequest_status_serviceType_createdAt_idx" ON "CoachingRequest"("status", "serviceType", "createdAt");

-- CreateIndex
CREATE INDEX "CoachingRequest_search_trgm_idx" ON "CoachingRequest" USING GIN ("requesterName" gin_trgm_ops, "agencyName" gin_trgm_ops, "description" gin_trgm_ops, "location" gin_trgm_ops, "picName" gin_trgm_ops, "requesterEmail" gin_trgm_ops);
