import type { Kysely, Transaction } from 'kysely';
import { bucketOf, COVERAGE_BUCKET_MS, routePasses, type CoverageFix } from '../../domain/coverage.js';
import type { SignedRecord } from '../../domain/records.js';
import type { Tables } from '../db/schema.js';
import { coverageResolution, replaceBuckets } from './coverage.js';
import { shiftKey } from './shifts.js';

// Coverage from native tracker apps (issue 13): a browser gets no fixes while the phone is
// locked, so a paired native app's fixes fill those gaps in the beat's coverage too. They count
// only while the officer is on shift (an off-duty drive home patrols nothing), under a coverage
// key of their own beside the signed route's, `native:<shift id>`: the two are never mixed into
// one route, and a zone's coverage counts cells per officer, so a cell both passed counts once.
//
// The same rules as the signed route (routePasses): cells between two fixes are interpolated
// unless the fixes are further apart than a gap allows; a native app reports no pauses, so its
// gaps are its silences. Both orders of arrival end in the same rows: a fix derives the buckets
// around it, and a shift's start or end arriving (often after the native fixes, from a phone that
// was offline) derives the shift's native coverage again, whole.

/** The coverage key under which a shift's native fixes are kept. */
export function nativeCoverageKey(shiftId: string): string {
  return `native:${shiftId}`;
}

type Db = Transaction<Tables> | Kysely<Tables>;

/** A shift's time on duty, epoch ms: until its end, or open-ended. */
interface DutyWindow {
  shiftId: string;
  from: number;
  to: number;
}

/** Later than any fix: the end of a shift not ended yet. */
const OPEN_END = Date.parse('9999-12-31T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** Derives the coverage a native fix at `fixAt` adds to the shifts the officer was on then. Call in the transaction that stores it. */
export async function writeNativeFixCoverage(db: Db, officerId: string, fixAt: string): Promise<void> {
  const shifts = await db
    .selectFrom('shifts')
    .select(['shift_id', 'started_at', 'ended_at'])
    .where('officer_id', '=', officerId)
    .where('started_at', '<=', fixAt)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', fixAt)]))
    .execute();
  const at = Date.parse(fixAt);
  for (const shift of shifts) {
    const duty = dutyOf(shift);
    if (!duty) continue;
    const before = await neighbourFix(db, officerId, duty, at, 'before');
    const after = await neighbourFix(db, officerId, duty, at, 'after');
    await deriveBuckets(db, officerId, duty, bucketOf(before?.fixAt ?? at), bucketOf(after?.fixAt ?? at) + COVERAGE_BUCKET_MS);
  }
}

/**
 * Derives again, whole, the native coverage of the shifts these stored records start or end.
 * Call after writeShifts, in the storing transaction.
 */
export async function writeNativeShiftCoverage(db: Db, records: readonly SignedRecord[]): Promise<void> {
  const touched = new Map<string, { officerId: string; shiftId: string }>();
  for (const r of records)
    if (r.kind === 'shift.start' || r.kind === 'shift.end')
      touched.set(shiftKey(r.officerId, r.body.shiftId), { officerId: r.officerId, shiftId: r.body.shiftId });
  if (touched.size === 0) return;
  const officerIds = [...new Set([...touched.values()].map((s) => s.officerId))];
  const withNative = new Set(
    (await db.selectFrom('native_trackers').select('officer_id').distinct().where('officer_id', 'in', officerIds).execute()).map((r) => r.officer_id),
  );
  for (const { officerId, shiftId } of touched.values()) {
    if (!withNative.has(officerId)) continue;
    const shift = await db
      .selectFrom('shifts')
      .select(['shift_id', 'started_at', 'ended_at'])
      .where('officer_id', '=', officerId)
      .where('shift_id', '=', shiftId)
      .executeTakeFirst();
    const duty = shift ? dutyOf(shift) : null;
    // Every bucket: a shift that ends earlier than was known loses the cells after its end.
    await deriveBuckets(db, officerId, duty ?? { shiftId, from: OPEN_END, to: OPEN_END }, 0, OPEN_END);
  }
}

function dutyOf(shift: { shift_id: string; started_at: string | null; ended_at: string | null }): DutyWindow | null {
  if (shift.started_at === null) return null;
  return { shiftId: shift.shift_id, from: Date.parse(shift.started_at), to: shift.ended_at === null ? OPEN_END : Date.parse(shift.ended_at) };
}

/** Replaces the shift's native coverage rows in buckets [fromBucket, toBucket) with what its native fixes on duty make. */
async function deriveBuckets(db: Db, officerId: string, duty: DutyWindow, fromBucket: number, toBucket: number): Promise<void> {
  const key = nativeCoverageKey(duty.shiftId);
  // The fixes inside the buckets, and one on either side: the steps that reach into them.
  const inside = await readFixes(db, officerId, duty, Math.max(fromBucket, duty.from), Math.min(toBucket, duty.to + 1));
  const outsideBefore = await neighbourFix(db, officerId, duty, fromBucket, 'before');
  const outsideAfter = await neighbourFix(db, officerId, duty, toBucket - 1, 'after');
  const fixes = [...(outsideBefore ? [outsideBefore] : []), ...inside, ...(outsideAfter ? [outsideAfter] : [])];
  await replaceBuckets(db, officerId, key, fromBucket, toBucket, routePasses(fixes, [], coverageResolution()));
}

/** The officer's native fixes on duty in [from, to), in fix-time order. */
async function readFixes(db: Db, officerId: string, duty: DutyWindow, from: number, to: number): Promise<CoverageFix[]> {
  if (from >= to) return [];
  const rows = await db
    .selectFrom('native_positions')
    .select(['lat', 'lon', 'fix_at'])
    .where('officer_id', '=', officerId)
    .where('fix_at', '>=', iso(from))
    .where('fix_at', '<', iso(to))
    .orderBy('fix_at')
    .orderBy('tracker_id')
    .execute();
  return rows.map(toFix);
}

/** The officer's native fix on duty nearest before `at` (or after it). */
async function neighbourFix(db: Db, officerId: string, duty: DutyWindow, at: number, side: 'before' | 'after'): Promise<CoverageFix | undefined> {
  const row = await db
    .selectFrom('native_positions')
    .select(['lat', 'lon', 'fix_at'])
    .where('officer_id', '=', officerId)
    .where('fix_at', side === 'before' ? '<' : '>', iso(at))
    .where('fix_at', '>=', iso(duty.from))
    .where('fix_at', '<=', iso(duty.to))
    .orderBy('fix_at', side === 'before' ? 'desc' : 'asc')
    .orderBy('tracker_id', side === 'before' ? 'desc' : 'asc')
    .limit(1)
    .executeTakeFirst();
  return row && toFix(row);
}

const toFix = (row: { lat: number; lon: number; fix_at: string }): CoverageFix => ({
  lat: Number(row.lat),
  lon: Number(row.lon),
  fixAt: Date.parse(row.fix_at),
});
