-- CreateEnum
CREATE TYPE "TeamRole" AS ENUM ('KETUA_PELAKSANA', 'KOORDINATOR', 'ANGGOTA', 'TIM_MONEV');

-- CreateEnum
CREATE TYPE "DecreeType" AS ENUM ('SURAT_KEPUTUSAN', 'SURAT_TUGAS');

-- CreateEnum
CREATE TYPE "CollectionMethod" AS ENUM ('CENSUS', 'SURVEY', 'ADMINISTRATIVE', 'OTHER');

-- CreateEnum
CREATE TYPE "DataUse" AS ENUM ('INTERNAL', 'LIMITED', 'OPEN');

-- CreateEnum
CREATE TYPE "ReportKind" AS ENUM ('TEAM_DECREE', 'CONTACTS', 'EPSS_CANDIDATES', 'WORK_PLAN', 'ACTIVITIES');

-- AlterTable
ALTER TABLE "Agency" ADD COLUMN     "contactUpdatedAt" TIMESTAMP(3),
ADD COLUMN     "contactUpdatedById" UUID;

-- AlterTable
ALTER TABLE "CoachingRequest" ADD COLUMN     "initiative" "Organiser" NOT NULL DEFAULT 'NON_BPS',
ADD COLUMN     "letterNumber" TEXT,
ADD COLUMN     "workPlanId" UUID;

-- AlterTable
ALTER TABLE "Documentation" ADD COLUMN     "shareable" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "Office" ADD COLUMN     "letterNumberFormat" TEXT,
ADD COLUMN     "letterSeq" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "letterSeqYear" INTEGER;

-- CreateTable
CREATE TABLE "CoachingTeam" (
    "id" UUID NOT NULL,
    "officeId" UUID NOT NULL,
    "year" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "decreeType" "DecreeType",
    "decreeNumber" TEXT,
    "decreeAttachmentId" UUID,
    "decreeUploadedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CoachingTeam_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TeamMember" (
    "teamId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "role" "TeamRole" NOT NULL,

    CONSTRAINT "TeamMember_pkey" PRIMARY KEY ("teamId","userId","role")
);

-- CreateTable
CREATE TABLE "TeamLocus" (
    "teamId" UUID NOT NULL,
    "agencyId" UUID NOT NULL,

    CONSTRAINT "TeamLocus_pkey" PRIMARY KEY ("teamId","agencyId")
);

-- CreateTable
CREATE TABLE "InventoryItem" (
    "id" UUID NOT NULL,
    "agencyId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "lastHeld" TEXT NOT NULL,
    "producerUnit" TEXT NOT NULL,
    "method" "CollectionMethod" NOT NULL,
    "mainIndicator" TEXT NOT NULL,
    "priority" BOOLEAN NOT NULL,
    "dataUse" "DataUse" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "InventoryItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EpssCandidate" (
    "id" UUID NOT NULL,
    "agencyId" UUID NOT NULL,
    "officeId" UUID NOT NULL,
    "year" INTEGER NOT NULL,
    "activityName" TEXT NOT NULL,
    "activityYear" INTEGER NOT NULL,
    "method" "CollectionMethod" NOT NULL,
    "producer" TEXT NOT NULL,
    "echelon2Unit" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "note" TEXT,
    "inventoryItemId" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EpssCandidate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReportingDeadline" (
    "year" INTEGER NOT NULL,
    "kind" "ReportKind" NOT NULL,
    "dueDate" DATE,
    "daysAfter" INTEGER,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReportingDeadline_pkey" PRIMARY KEY ("year","kind")
);

-- CreateTable
CREATE TABLE "FulldayAllocation" (
    "officeId" UUID NOT NULL,
    "year" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "FulldayAllocation_pkey" PRIMARY KEY ("officeId","year")
);

-- CreateTable
CREATE TABLE "CapacityEvent" (
    "id" UUID NOT NULL,
    "officeId" UUID NOT NULL,
    "title" TEXT NOT NULL,
    "heldOn" DATE NOT NULL,
    "internalisation" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CapacityEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CapacityAttendance" (
    "eventId" UUID NOT NULL,
    "userId" UUID NOT NULL,

    CONSTRAINT "CapacityAttendance_pkey" PRIMARY KEY ("eventId","userId")
);

-- CreateTable
CREATE TABLE "IpsScore" (
    "agencyId" UUID NOT NULL,
    "year" INTEGER NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IpsScore_pkey" PRIMARY KEY ("agencyId","year")
);

-- CreateIndex
CREATE INDEX "CoachingTeam_year_idx" ON "CoachingTeam"("year");

-- CreateIndex
CREATE UNIQUE INDEX "CoachingTeam_officeId_year_name_key" ON "CoachingTeam"("officeId", "year", "name");

-- CreateIndex
CREATE INDEX "TeamMember_userId_idx" ON "TeamMember"("userId");

-- CreateIndex
CREATE INDEX "TeamLocus_agencyId_idx" ON "TeamLocus"("agencyId");

-- CreateIndex
CREATE UNIQUE INDEX "InventoryItem_agencyId_title_producerUnit_key" ON "InventoryItem"("agencyId", "title", "producerUnit");

-- CreateIndex
CREATE INDEX "EpssCandidate_officeId_year_idx" ON "EpssCandidate"("officeId", "year");

-- CreateIndex
CREATE INDEX "EpssCandidate_agencyId_year_idx" ON "EpssCandidate"("agencyId", "year");

-- CreateIndex
CREATE INDEX "CapacityEvent_officeId_heldOn_idx" ON "CapacityEvent"("officeId", "heldOn");

-- CreateIndex
CREATE INDEX "CapacityAttendance_userId_idx" ON "CapacityAttendance"("userId");

-- CreateIndex
CREATE INDEX "CoachingRequest_workPlanId_idx" ON "CoachingRequest"("workPlanId");

-- CreateIndex
CREATE INDEX "CoachingRequest_agencyId_startAt_idx" ON "CoachingRequest"("agencyId", "startAt");

-- CreateIndex
CREATE INDEX "WorkPlan_officeId_year_idx" ON "WorkPlan"("officeId", "year");

-- AddForeignKey
ALTER TABLE "Agency" ADD CONSTRAINT "Agency_contactUpdatedById_fkey" FOREIGN KEY ("contactUpdatedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CoachingRequest" ADD CONSTRAINT "CoachingRequest_workPlanId_fkey" FOREIGN KEY ("workPlanId") REFERENCES "WorkPlan"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CoachingTeam" ADD CONSTRAINT "CoachingTeam_officeId_fkey" FOREIGN KEY ("officeId") REFERENCES "Office"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CoachingTeam" ADD CONSTRAINT "CoachingTeam_decreeAttachmentId_fkey" FOREIGN KEY ("decreeAttachmentId") REFERENCES "Attachment"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TeamMember" ADD CONSTRAINT "TeamMember_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "CoachingTeam"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TeamMember" ADD CONSTRAINT "TeamMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TeamLocus" ADD CONSTRAINT "TeamLocus_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "CoachingTeam"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "TeamLocus" ADD CONSTRAINT "TeamLocus_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "Agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "InventoryItem" ADD CONSTRAINT "InventoryItem_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "Agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EpssCandidate" ADD CONSTRAINT "EpssCandidate_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "Agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EpssCandidate" ADD CONSTRAINT "EpssCandidate_inventoryItemId_fkey" FOREIGN KEY ("inventoryItemId") REFERENCES "InventoryItem"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FulldayAllocation" ADD CONSTRAINT "FulldayAllocation_officeId_fkey" FOREIGN KEY ("officeId") REFERENCES "Office"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CapacityEvent" ADD CONSTRAINT "CapacityEvent_officeId_fkey" FOREIGN KEY ("officeId") REFERENCES "Office"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CapacityAttendance" ADD CONSTRAINT "CapacityAttendance_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "CapacityEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CapacityAttendance" ADD CONSTRAINT "CapacityAttendance_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IpsScore" ADD CONSTRAINT "IpsScore_agencyId_fkey" FOREIGN KEY ("agencyId") REFERENCES "Agency"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
