import { availableParallelism, loadavg } from 'node:os';
import { polygonCells } from '../src/domain/coverage.js';
import { EARTH_RADIUS_M } from '../src/domain/geo.js';
import { newId } from '../src/domain/ids.js';
import type { RecordOf } from '../src/domain/records.js';
import type { ScopedOfficer } from '../src/server/auth/scope.js';
import { zoneCoverage, zoneInScope } from '../src/server/coverage/coverage.js';
import type { DbKind } from '../src/server/db/index.js';
import { coverageResolution } from '../src/server/records/coverage.js';
import { writeDerived } from '../src/server/records/derived.js';
import { seedDemo } from '../src/server/demo/seed.js';
import { bruteCoverage, brutePasses } from '../tests/support/coverage-brute.js';
import { freshDatabase } from '../tests/integration/harness.js';
import { median, seededRandom } from './cpu.js';

// DESIGN.md target: a zone's coverage for 50 officers × 12 h of 5 s fixes (432,000 positions)
// in ≤ 100 ms, incremental. 50 officers of squad A patrol the demo's Qiaodong sector for 12 hours,
// half on foot (1.4 m/s) and half by car (8 m/s), turning at random and kept inside the sector.
// Their positions go through the ingest hook (writeDerived, as a push stores them, a shift's
// fixes in 1000-record batches); then the zone's coverage over the 12 hours is asked of the
// incremental table (zoneCoverage, what GET /api/coverage runs) and, beside it, recomputed from
// the raw positions with the same rules (tests/support/coverage-brute.ts). Both must agree.

const OFFICERS = 50;
const HOURS = 12;
const FIX_MS = 5000;
const BATCH = 1000;
const SAMPLES = 15;
const QIAODONG = '0190a1f0-0000-7000-8000-200000000002';
const BOX = { west: 114.413, south: 23.084, east: 114.45, north: 23.1 };
const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;

/** A position record as the derived writers read it; benches never verify it, so it is not signed. */
function positionRecord(officerId: string, deviceId: string, shiftId: string, seq: number, lat: number, lon: number, fixAt: string): RecordOf<'position'> {
  return { id: newId(), kind: 'position', deviceId, officerId, seq, at: fixAt, body: { shiftId, lat, lon, accuracy: 8, fixAt }, prev: '', hash: '', sig: '' };
}

export async function run(kind: DbKind = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite'): Promise<void> {
  const { database, env, drop } = await freshDatabase(kind);
  const db = database.db;
  try {
    const end = Date.parse('2026-11-29T20:00:00.000Z');
    const start = end - HOURS * 3600_000;
    await seedDemo(db, 'bench-password', new Date(end));
    const leader = await db.selectFrom('users').selectAll().where('badge', '=', 'L001').executeTakeFirstOrThrow();
    const officers: ScopedOfficer[] = [];
    for (let i = 0; i < OFFICERS; i++) {
      const id = newId();
      const badge = `B${String(i).padStart(3, '0')}`;
      await db
        .insertInto('users')
        .values({
          id,
          badge,
          name: badge,
          role: 'officer',
          unit_id: leader.unit_id,
          squad_id: leader.squad_id,
          password_hash: '-',
          created_at: new Date(start).toISOString(),
        })
        .execute();
      officers.push({ id, badge, name: badge, squadId: leader.squad_id });
    }

    const rnd = seededRandom(2026);
    let derivingMs = 0;
    let positions = 0;
    for (const [n, officer] of officers.entries()) {
      const speed = n % 2 ? 8 : 1.4;
      const deviceId = newId();
      const shiftId = newId();
      let lat = BOX.south + rnd() * (BOX.north - BOX.south);
      let lon = BOX.west + rnd() * (BOX.east - BOX.west);
      let heading = rnd() * 2 * Math.PI;
      let batch: Array<RecordOf<'position'>> = [];
      for (let t = start, seq = 1; t < end; t += FIX_MS, seq++) {
        if (rnd() < 0.05) heading += (rnd() - 0.5) * Math.PI;
        const step = (speed * FIX_MS) / 1000;
        lat += (step * Math.cos(heading)) / M_PER_DEG;
        lon += (step * Math.sin(heading)) / (M_PER_DEG * Math.cos((lat * Math.PI) / 180));
        // Turn back at the sector's edge, as a patrol does at its boundary.
        if (lat < BOX.south || lat > BOX.north || lon < BOX.west || lon > BOX.east) {
          heading += Math.PI;
          lat = Math.min(Math.max(lat, BOX.south), BOX.north);
          lon = Math.min(Math.max(lon, BOX.west), BOX.east);
        }
        batch.push(positionRecord(officer.id, deviceId, shiftId, seq, lat, lon, new Date(t).toISOString()));
        if (batch.length === BATCH || t + FIX_MS >= end) {
          const began = performance.now();
          const records = batch;
          await db.transaction().execute((trx) => writeDerived(trx, records));
          derivingMs += performance.now() - began;
          positions += batch.length;
          batch = [];
        }
      }
      process.stdout.write(`\r${positions} positions stored`);
    }
    const cellRows = Number(
      (
        await db
          .selectFrom('coverage_cells')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    console.log(`\r${positions} positions of ${OFFICERS} officers × ${HOURS} h (one per ${FIX_MS / 1000} s) on ${kind}: ${cellRows} coverage rows`);

    const viewer = { id: leader.id, badge: leader.badge, name: leader.name, role: leader.role, unitId: leader.unit_id, squadId: leader.squad_id };
    const zone = await zoneInScope(db, viewer, QIAODONG);
    const window = { from: new Date(start).toISOString(), to: new Date(end - 1).toISOString(), now: new Date(end), unseenHours: 2 };
    const zoneCells = new Set(polygonCells(zone.polygon, coverageResolution()));

    const incremental: number[] = [];
    const incrementalCpu: number[] = [];
    let answer: Awaited<ReturnType<typeof zoneCoverage>> | undefined;
    for (let i = 0; i < SAMPLES; i++) {
      const began = performance.now();
      const cpu = process.cpuUsage();
      answer = await zoneCoverage(db, zone, officers, window);
      const used = process.cpuUsage(cpu);
      incremental.push(performance.now() - began);
      incrementalCpu.push((used.user + used.system) / 1000);
    }
    const raw: number[] = [];
    let brute: ReturnType<typeof bruteCoverage> | undefined;
    for (let i = 0; i < 3; i++) {
      const began = performance.now();
      const shifts = await brutePasses(
        db,
        officers.map((o) => o.id),
        coverageResolution(),
      );
      brute = bruteCoverage(shifts, zoneCells, start, end);
      raw.push(performance.now() - began);
    }
    if (!answer || !brute) throw new Error('no samples');
    const union = new Set([...brute.byOfficer.values()].flatMap((cells) => [...cells]));
    if (answer.squad.passed !== union.size) throw new Error(`incremental ${answer.squad.passed} cells passed, recomputed ${union.size}`);
    for (const o of answer.officers)
      if (o.passed !== (brute.byOfficer.get(o.officerId)?.size ?? 0))
        throw new Error(`${o.badge}: incremental ${o.passed} cells, recomputed ${brute.byOfficer.get(o.officerId)?.size ?? 0}`);

    const ours = median(incremental);
    const theirs = median(raw);
    console.log(
      `  zone: ${answer.cellCount} cells at resolution ${answer.resolution}; squad coverage ${(answer.squad.ratio * 100).toFixed(1)} %, ${answer.unseen.length} unseen areas (> 2 h)`,
    );
    console.log(`  ingest hook (positions + coverage) for ${positions} fixes: ${(derivingMs / 1000).toFixed(1)} s`);
    console.log(
      `  incremental (coverage tables): median ${ours.toFixed(1)} ms of ${SAMPLES} (min ${Math.min(...incremental).toFixed(1)}, max ${Math.max(...incremental).toFixed(1)}); CPU median ${median(incrementalCpu).toFixed(1)} ms`,
    );
    console.log(`  recomputed from raw positions: median ${theirs.toFixed(0)} ms of ${raw.length}`);
    console.log(`  target ≤ 100 ms: ${ours <= 100 ? 'met' : 'NOT met'}; ${availableParallelism()} cores, load ${loadavg()[0]!.toFixed(1)}`);
    console.log(`bench coverage: ${ours.toFixed(1)} ms, ${(theirs / ours).toFixed(0)}× vs recomputing from raw positions`);
  } finally {
    await database.close();
    if (process.env.COVERAGE_BENCH_KEEP) console.log(`kept ${env.DATA_DIR}`);
    else await drop();
  }
}
