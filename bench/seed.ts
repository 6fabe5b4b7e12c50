// Bulk data for the benchmarks: many coaching requests in one statement.
import type { createDb } from "../core/db/client.js";

/** 100k requests in one statement: values cycle through the reference lists by row number. */
export async function seedRequests(db: ReturnType<typeof createDb>, rows: number) {
  const offices = await db.office.findMany({ where: { OR: [{ code: "1400" }, { parent: { code: "1400" } }] }, select: { id: true } });
  const coaches = await db.user.findMany({ where: { roles: { has: "COACH" }, office: { code: "1400" } }, select: { id: true } });
  const agencies = await db.agency.findMany({ select: { id: true, name: true, level: true } });
  await db.$executeRawUnsafe(
    `INSERT INTO "CoachingRequest" (id, code, "requesterName", "requesterPhone", "requesterEmail", "agencyId", "agencyName", "agencyLevel",
        "isDataProducer", "serviceType", topics, description, location, mode, "startAt", "endAt", "picName", "picPhone", status,
        "rejectionReason", "officeId", channel, locale, "createdAt", "updatedAt")
     SELECT gen_random_uuid(),
            'PB-B' || lpad(i::text, 7, '0'),
            'Pengaju ' || i, '+62812' || lpad((i % 10000000)::text, 7, '0'), 'pengaju' || i || '@instansi.go.id',
            ($1::uuid[])[1 + i % array_length($1::uuid[], 1)],
            ($2::text[])[1 + i % array_length($2::text[], 1)],
            (($3::text[])[1 + i % array_length($3::text[], 1)])::"AgencyLevel",
            i % 5 <> 0,
            ((enum_range(NULL::"ServiceType"))[1 + (i * 7) % 12]),
            ARRAY[((enum_range(NULL::"Topic"))[1 + i % 7])],
            'Permintaan pembinaan statistik sektoral nomor ' || i || ' tentang metadata, kualitas data dan Satu Data Indonesia.',
            'Aula kantor ' || (i % 50),
            ((enum_range(NULL::"Mode"))[1 + i % 3]),
            now() - make_interval(hours => i % 26000) + interval '30 days',
            now() - make_interval(hours => i % 26000) + interval '30 days 3 hours',
            'PIC ' || i, '+62813' || lpad((i % 10000000)::text, 7, '0'),
            (CASE WHEN i % 20 = 0 THEN 'SUBMITTED' WHEN i % 20 = 1 THEN 'IN_REVIEW' WHEN i % 20 < 5 THEN 'APPROVED'
                  WHEN i % 20 < 7 THEN 'REJECTED' WHEN i % 20 = 7 THEN 'CANCELLED' ELSE 'DONE' END)::"RequestStatus",
            CASE WHEN i % 20 IN (5, 6) THEN 'Jadwal bentrok dengan kegiatan sensus.' END,
            ($4::uuid[])[1 + i % array_length($4::uuid[], 1)],
            'whatsapp', 'id',
            now() - make_interval(mins => i * 16),
            now() - make_interval(mins => i * 16)
       FROM generate_series(1, $5::int) AS i`,
    agencies.map((a) => a.id),
    agencies.map((a) => a.name),
    agencies.map((a) => a.level),
    offices.map((o) => o.id),
    rows,
  );
  await db.$executeRawUnsafe(
    `INSERT INTO "Assignment" (id, "requestId", "coachId", "createdAt")
     SELECT gen_random_uuid(), r.id, ($1::uuid[])[1 + (abs(hashtext(r.id::text)) % array_length($1::uuid[], 1))], r."createdAt"
       FROM "CoachingRequest" r WHERE r.code LIKE 'PB-B%' AND r.status IN ('APPROVED', 'DONE')`,
    coaches.map((c) => c.id),
  );
  await db.$executeRawUnsafe(`ANALYZE`);
}
