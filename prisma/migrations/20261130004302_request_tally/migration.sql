-- CreateTable
CREATE TABLE "RequestTally" (
    "officeId" UUID NOT NULL,
    "dimension" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RequestTally_pkey" PRIMARY KEY ("officeId","dimension","value")
);

-- The dashboard's counts, kept in the same transaction as each change to a request (hand-written).
-- Statement-level triggers with transition tables: a bulk INSERT … SELECT of 100k rows applies one
-- grouped delta instead of 600k single-row upserts. Deltas are applied in key order, so two
-- concurrent changes lock counter rows in the same order and cannot deadlock each other.

-- The counter rows one request contributes to (its month in each of the three Indonesian zones).
CREATE FUNCTION "request_tally_keys"(status "RequestStatus", service "ServiceType", level "AgencyLevel", created TIMESTAMP(3))
RETURNS TABLE (dimension TEXT, value TEXT) LANGUAGE sql STABLE AS $$
  VALUES ('status', status::text),
         ('serviceType', service::text),
         ('agencyLevel', level::text),
         ('month:WIB', to_char(created + interval '7 hours', 'YYYY-MM')),
         ('month:WITA', to_char(created + interval '8 hours', 'YYYY-MM')),
         ('month:WIT', to_char(created + interval '9 hours', 'YYYY-MM'))
$$;

-- Live rows arriving (new image) count +1, live rows leaving (old image) count -1. Each branch names
-- only the transition tables its event has.
CREATE FUNCTION "request_tally_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "RequestTally" ("officeId", "dimension", "value", "count")
    SELECT d."officeId", d.dimension, d.value, sum(d.n)::int
      FROM (SELECT r."officeId", k.dimension, k.value, 1 AS n
              FROM new_rows r CROSS JOIN LATERAL "request_tally_keys"(r.status, r."serviceType", r."agencyLevel", r."createdAt") k
             WHERE r."deletedAt" IS NULL) d
     GROUP BY 1, 2, 3
    HAVING sum(d.n) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT ("officeId", "dimension", "value") DO UPDATE SET "count" = "RequestTally"."count" + EXCLUDED."count";
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "RequestTally" ("officeId", "dimension", "value", "count")
    SELECT d."officeId", d.dimension, d.value, sum(d.n)::int
      FROM (SELECT r."officeId", k.dimension, k.value, -1 AS n
              FROM old_rows r CROSS JOIN LATERAL "request_tally_keys"(r.status, r."serviceType", r."agencyLevel", r."createdAt") k
             WHERE r."deletedAt" IS NULL) d
     GROUP BY 1, 2, 3
    HAVING sum(d.n) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT ("officeId", "dimension", "value") DO UPDATE SET "count" = "RequestTally"."count" + EXCLUDED."count";
  ELSE
    INSERT INTO "RequestTally" ("officeId", "dimension", "value", "count")
    SELECT d."officeId", d.dimension, d.value, sum(d.n)::int
      FROM (SELECT r."officeId", k.dimension, k.value, 1 AS n
              FROM new_rows r CROSS JOIN LATERAL "request_tally_keys"(r.status, r."serviceType", r."agencyLevel", r."createdAt") k
             WHERE r."deletedAt" IS NULL
            UNION ALL
            SELECT r."officeId", k.dimension, k.value, -1 AS n
              FROM old_rows r CROSS JOIN LATERAL "request_tally_keys"(r.status, r."serviceType", r."agencyLevel", r."createdAt") k
             WHERE r."deletedAt" IS NULL) d
     GROUP BY 1, 2, 3
    HAVING sum(d.n) <> 0
     ORDER BY 1, 2, 3
    ON CONFLICT ("officeId", "dimension", "value") DO UPDATE SET "count" = "RequestTally"."count" + EXCLUDED."count";
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION "request_tally_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "RequestTally";
  RETURN NULL;
END
$$;

-- A trigger with transition tables may have one event only, hence three.
CREATE TRIGGER "CoachingRequest_tally_insert" AFTER INSERT ON "CoachingRequest"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "request_tally_change"();
CREATE TRIGGER "CoachingRequest_tally_update" AFTER UPDATE ON "CoachingRequest"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "request_tally_change"();
CREATE TRIGGER "CoachingRequest_tally_delete" AFTER DELETE ON "CoachingRequest"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "request_tally_change"();
CREATE TRIGGER "CoachingRequest_tally_truncate" AFTER TRUNCATE ON "CoachingRequest"
  FOR EACH STATEMENT EXECUTE FUNCTION "request_tally_truncate"();

-- The requests already there.
INSERT INTO "RequestTally" ("officeId", "dimension", "value", "count")
SELECT r."officeId", k.dimension, k.value, count(*)::int
  FROM "CoachingRequest" r CROSS JOIN LATERAL "request_tally_keys"(r.status, r."serviceType", r."agencyLevel", r."createdAt") k
 WHERE r."deletedAt" IS NULL
 GROUP BY 1, 2, 3;
