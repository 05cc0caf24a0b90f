import { sql, type Kysely, type Transaction } from 'kysely';
import { bucketOf, bucketSpans, COVERAGE_BUCKET_MS, DEFAULT_COVERAGE_RESOLUTION, routePasses, type CellPass, type CoverageFix } from '../../domain/coverage.js';
import type { SignedRecord } from '../../domain/records.js';
import type { CoverageCellTable, Tables } from '../db/schema.js';
import { fixTimeOf } from './positions.js';
import { ofKind, readRows } from './reader.js';
import { shiftKey } from './shifts.js';

// The coverage_cells table: where each shift's route passed, per H3 cell and ten-minute bucket,
// derived at ingest in the storing transaction and rebuilt from records like the others.
//
// Late records: a fix or a pause arriving between two stored fixes changes only the steps from
// the fix before it to the fix after it. Every bucket those steps touch is derived again, whole,
// from the stored fixes and pauses around it, so the table is always what the shift's records in
// fix-time order make, whatever order they came in.

let resolution = DEFAULT_COVERAGE_RESOLUTION;

/**
 * Sets the H3 resolution cells are derived and queried at (server config). WARNING: every server
 * process on one database must use the same; after a change, `npm run rebuild-derived`.
 */
export function configureCoverage(settings: { resolution: number }): void {
  resolution = settings.resolution;
}

/** The resolution cells are derived and queried at. */
export function coverageResolution(): number {
  return resolution;
}

/** What one shift's new records touch: fix times and pause times, epoch ms. */
interface Touched {
  officerId: string;
  shiftId: string;
  times: number[];
  /** The new pauses' and stops' times among them. */
  pauses: number[];
  /** The new fixes among them. */
  fixes: Array<CoverageFix & { id: string }>;
}

/** Rows per insert: six bound variables each, under SQLite's limit of 32,766. */
const INSERT_ROWS = 5000;

/** Derives the coverage of the shifts these newly stored records touch. Call after writePositions, in the storing transaction. */
export async function writeCoverage(trx: Transaction<Tables> | Kysely<Tables>, records: readonly SignedRecord[]): Promise<void> {
  const touched = new Map<string, Touched>();
  const touch = (officerId: string, shiftId: string, at: number) => {
    const key = shiftKey(officerId, shiftId);
    let t = touched.get(key);
    if (!t) touched.set(key, (t = { officerId, shiftId, times: [], pauses: [], fixes: [] }));
    t.times.push(at);
    return t;
  };
  for (const r of ofKind(records, 'position')) {
    const fixAt = Date.parse(fixTimeOf(r));
    touch(r.officerId, r.body.shiftId, fixAt).fixes.push({ id: r.id, lat: r.body.lat, lon: r.body.lon, fixAt });
  }
  for (const r of ofKind(records, 'tracking')) {
    if (r.body.state === 'on') continue;
    const at = Date.parse(r.at);
    touch(r.officerId, r.body.shiftId, at).pauses.push(at);
  }
  for (const shift of touched.values()) await deriveShift(trx, shift);
}

/** Derives again every bucket the steps around `shift.times` reach. */
async function deriveShift(db: Transaction<Tables> | Kysely<Tables>, shift: Touched): Promise<void> {
  const { officerId, shiftId } = shift;
  const earliest = Math.min(...shift.times);
  const latest = Math.max(...shift.times);
  const first = firstFix(shift.fixes);
  // Tracks are in (fix time, record id) order, so a new fix sharing its millisecond with the
  // stored end of the route (a device sends several fixes a second) still extends it when its
  // id comes after. Only with no new pause at or before that fix: a pause there could cut a
  // step already stored.
  if (first && shift.pauses.every((at) => at > first.fixAt)) {
    if (await onlyNewFromFix(db, shift, first)) return appendShift(db, shift, await neighbourFixBefore(db, officerId, shiftId, first), earliest, latest);
  } else if (await onlyNewFrom(db, shift, earliest)) {
    return appendShift(db, shift, await neighbourFix(db, officerId, shiftId, earliest, 'before'), earliest, latest);
  }
  const before = await neighbourFix(db, officerId, shiftId, earliest, 'before');
  const after = await neighbourFix(db, officerId, shiftId, latest, 'after');
  const firstBucket = bucketOf(before?.fixAt ?? earliest);
  const endBucket = bucketOf(after?.fixAt ?? latest) + COVERAGE_BUCKET_MS;
  // Every fix inside the buckets, and one on either side: the steps that reach into them.
  const inside = await readFixes(db, officerId, shiftId, firstBucket, endBucket);
  const outsideBefore = await neighbourFix(db, officerId, shiftId, firstBucket, 'before');
  const outsideAfter = await neighbourFix(db, officerId, shiftId, endBucket - 1, 'after');
  const fixes = [...(outsideBefore ? [outsideBefore] : []), ...inside, ...(outsideAfter ? [outsideAfter] : [])];
  const pauses = await readPauses(db, officerId, shiftId, fixes[0]?.fixAt ?? firstBucket, fixes.at(-1)?.fixAt ?? endBucket);

  await replaceBuckets(db, officerId, shiftId, firstBucket, endBucket, routePasses(fixes, pauses, resolution));
}

/**
 * Replaces a route's rows in buckets [fromBucket, toBucket) with what `passes` (those inside) make,
 * and sums the cells touched into coverage_shift_cells again. `routeKey` is the shift id, or a
 * native tracker's key for it (native-coverage.ts).
 */
export async function replaceBuckets(
  db: Transaction<Tables> | Kysely<Tables>,
  officerId: string,
  routeKey: string,
  fromBucket: number,
  toBucket: number,
  passes: readonly CellPass[],
): Promise<void> {
  const rows: CoverageCellTable[] = [];
  for (const [bucket, cells] of bucketSpans(passes.filter((p) => p.at >= fromBucket && p.at < toBucket)))
    for (const [cell, span] of cells)
      rows.push({ officer_id: officerId, shift_id: routeKey, bucket: iso(bucket), cell, first_at: iso(span.first), last_at: iso(span.last) });
  const replaced = await db
    .selectFrom('coverage_cells')
    .select('cell')
    .where('officer_id', '=', officerId)
    .where('shift_id', '=', routeKey)
    .where('bucket', '>=', iso(fromBucket))
    .where('bucket', '<', iso(toBucket))
    .execute();
  await db
    .deleteFrom('coverage_cells')
    .where('officer_id', '=', officerId)
    .where('shift_id', '=', routeKey)
    .where('bucket', '>=', iso(fromBucket))
    .where('bucket', '<', iso(toBucket))
    .execute();
  for (let i = 0; i < rows.length; i += INSERT_ROWS)
    await db
      .insertInto('coverage_cells')
      .values(rows.slice(i, i + INSERT_ROWS))
      .execute();
  await sumShiftCells(db, officerId, routeKey, [...new Set([...replaced.map((r) => r.cell), ...rows.map((r) => r.cell)])]);
}

/** True when the only stored fixes of the shift from `earliest` on are the new ones: the records extend the route's end. */
async function onlyNewFrom(db: Transaction<Tables> | Kysely<Tables>, shift: Touched, earliest: number): Promise<boolean> {
  const row = await db
    .selectFrom('positions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('officer_id', '=', shift.officerId)
    .where('shift_id', '=', shift.shiftId)
    .where('fix_at', '>=', iso(earliest))
    .executeTakeFirstOrThrow();
  return Number(row.n) === shift.fixes.length;
}

/** The first of these fixes in track order: by fix time, then record id. */
function firstFix(fixes: ReadonlyArray<CoverageFix & { id: string }>): (CoverageFix & { id: string }) | undefined {
  let first = fixes[0];
  for (const fix of fixes) if (first && (fix.fixAt < first.fixAt || (fix.fixAt === first.fixAt && fix.id < first.id))) first = fix;
  return first;
}

/** True when the only stored fixes of the shift from `first` on, in track order, are the new ones. */
async function onlyNewFromFix(db: Transaction<Tables> | Kysely<Tables>, shift: Touched, first: { fixAt: number; id: string }): Promise<boolean> {
  const at = iso(first.fixAt);
  const row = await db
    .selectFrom('positions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('officer_id', '=', shift.officerId)
    .where('shift_id', '=', shift.shiftId)
    .where('fix_at', '>=', at)
    .where((eb) => eb.or([eb('fix_at', '>', at), eb('record_id', '>=', first.id)]))
    .executeTakeFirstOrThrow();
  return Number(row.n) === shift.fixes.length;
}

/** The shift's stored fix just before `first` in track order. */
async function neighbourFixBefore(
  db: Transaction<Tables> | Kysely<Tables>,
  officerId: string,
  shiftId: string,
  first: { fixAt: number; id: string },
): Promise<CoverageFix | undefined> {
  const at = iso(first.fixAt);
  const row = await db
    .selectFrom('positions')
    .select(['lat', 'lon', 'fix_at'])
    .where('officer_id', '=', officerId)
    .where('shift_id', '=', shiftId)
    .where('fix_at', '<=', at)
    .where((eb) => eb.or([eb('fix_at', '<', at), eb('record_id', '<', first.id)]))
    .orderBy('fix_at', 'desc')
    .orderBy('record_id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && { lat: Number(row.lat), lon: Number(row.lon), fixAt: Date.parse(row.fix_at) };
}

/**
 * The common case, a device sending its route in order: new fixes after every stored one only
 * add passes (from the stored fix before them on), so they are merged into the rows, first and
 * last kept, without reading the shift's other fixes back.
 */
async function appendShift(db: Transaction<Tables> | Kysely<Tables>, shift: Touched, before: CoverageFix | undefined, earliest: number, latest: number) {
  const { officerId, shiftId } = shift;
  const fixes = [...(before ? [before] : []), ...[...shift.fixes].sort((a, b) => a.fixAt - b.fixAt || a.id.localeCompare(b.id))];
  const pauses = await readPauses(db, officerId, shiftId, before?.fixAt ?? earliest, latest);
  const passes = routePasses(fixes, pauses, resolution);
  const rows: CoverageCellTable[] = [];
  for (const [bucket, cells] of bucketSpans(passes))
    for (const [cell, span] of cells)
      rows.push({ officer_id: officerId, shift_id: shiftId, bucket: iso(bucket), cell, first_at: iso(span.first), last_at: iso(span.last) });
  const whole = new Map<string, { first: string; last: string }>();
  for (const row of rows) {
    const held = whole.get(row.cell);
    if (!held) whole.set(row.cell, { first: row.first_at, last: row.last_at });
    else {
      if (row.first_at < held.first) held.first = row.first_at;
      if (row.last_at > held.last) held.last = row.last_at;
    }
  }
  const summed = [...whole].map(([cell, span]) => ({ officer_id: officerId, shift_id: shiftId, cell, first_at: span.first, last_at: span.last }));
  // Portable min and max of two texts (SQLite's min() and PostgreSQL's least() differ).
  const earlier = (table: string) =>
    sql<string>`case when excluded.first_at < ${sql.ref(`${table}.first_at`)} then excluded.first_at else ${sql.ref(`${table}.first_at`)} end`;
  const later = (table: string) =>
    sql<string>`case when excluded.last_at > ${sql.ref(`${table}.last_at`)} then excluded.last_at else ${sql.ref(`${table}.last_at`)} end`;
  for (let i = 0; i < rows.length; i += INSERT_ROWS)
    await db
      .insertInto('coverage_cells')
      .values(rows.slice(i, i + INSERT_ROWS))
      .onConflict((oc) =>
        oc.columns(['officer_id', 'shift_id', 'bucket', 'cell']).doUpdateSet({ first_at: earlier('coverage_cells'), last_at: later('coverage_cells') }),
      )
      .execute();
  for (let i = 0; i < summed.length; i += INSERT_ROWS)
    await db
      .insertInto('coverage_shift_cells')
      .values(summed.slice(i, i + INSERT_ROWS))
      .onConflict((oc) =>
        oc.columns(['officer_id', 'shift_id', 'cell']).doUpdateSet({ first_at: earlier('coverage_shift_cells'), last_at: later('coverage_shift_cells') }),
      )
      .execute();
}

/** Cells per statement when summing: bound variables stay far under SQLite's limit. */
const SUM_CELLS = 2000;

/** Sums these cells' buckets of one shift into coverage_shift_cells again (a cell with no bucket left has no row). */
async function sumShiftCells(db: Transaction<Tables> | Kysely<Tables>, officerId: string, shiftId: string, cells: readonly string[]): Promise<void> {
  for (let i = 0; i < cells.length; i += SUM_CELLS) {
    const chunk = cells.slice(i, i + SUM_CELLS);
    await db.deleteFrom('coverage_shift_cells').where('officer_id', '=', officerId).where('shift_id', '=', shiftId).where('cell', 'in', chunk).execute();
    await db
      .insertInto('coverage_shift_cells')
      .columns(['officer_id', 'shift_id', 'cell', 'first_at', 'last_at'])
      .expression(
        db
          .selectFrom('coverage_cells')
          .select(['officer_id', 'shift_id', 'cell', (eb) => eb.fn.min('first_at').as('first_at'), (eb) => eb.fn.max('last_at').as('last_at')])
          .where('officer_id', '=', officerId)
          .where('shift_id', '=', shiftId)
          .where('cell', 'in', chunk)
          .groupBy(['officer_id', 'shift_id', 'cell']),
      )
      .execute();
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The shift's stored fix nearest before `at` (or after it), by fix time. */
async function neighbourFix(
  db: Transaction<Tables> | Kysely<Tables>,
  officerId: string,
  shiftId: string,
  at: number,
  side: 'before' | 'after',
): Promise<CoverageFix | undefined> {
  const row = await db
    .selectFrom('positions')
    .select(['lat', 'lon', 'fix_at'])
    .where('officer_id', '=', officerId)
    .where('shift_id', '=', shiftId)
    .where('fix_at', side === 'before' ? '<' : '>', iso(at))
    .orderBy('fix_at', side === 'before' ? 'desc' : 'asc')
    .orderBy('record_id', side === 'before' ? 'desc' : 'asc')
    .limit(1)
    .executeTakeFirst();
  return row && { lat: Number(row.lat), lon: Number(row.lon), fixAt: Date.parse(row.fix_at) };
}

/** The shift's stored fixes in [from, to), in fix-time order (record id on a tie, as readTracks). */
async function readFixes(db: Transaction<Tables> | Kysely<Tables>, officerId: string, shiftId: string, from: number, to: number): Promise<CoverageFix[]> {
  const rows = await db
    .selectFrom('positions')
    .select(['lat', 'lon', 'fix_at'])
    .where('officer_id', '=', officerId)
    .where('shift_id', '=', shiftId)
    .where('fix_at', '>=', iso(from))
    .where('fix_at', '<', iso(to))
    .orderBy('fix_at')
    .orderBy('record_id')
    .execute();
  return rows.map((row) => ({ lat: Number(row.lat), lon: Number(row.lon), fixAt: Date.parse(row.fix_at) }));
}

/** Times of the shift's stored pauses and stops (tracking records not `on`) in [from, to]. */
async function readPauses(db: Transaction<Tables> | Kysely<Tables>, officerId: string, shiftId: string, from: number, to: number): Promise<number[]> {
  const rows = await db
    .selectFrom('records')
    .select(['id', 'record'])
    .where('officer_id', '=', officerId)
    .where('kind', '=', 'tracking')
    .where('at', '>=', iso(from))
    .where('at', '<=', iso(to))
    .execute();
  // An unreadable record derives nothing here, as in every derived table; rebuild-derived reports it.
  return ofKind(
    readRows(rows, () => {}),
    'tracking',
  )
    .filter((r) => r.body.shiftId === shiftId && r.body.state !== 'on')
    .map((r) => Date.parse(r.at));
}

/** Who passed a zone's cells in a window: cells per officer, and each cell's latest pass. */
export interface ZonePasses {
  cellsByOfficer: Map<string, number>;
  latest: Map<string, string>;
}

/**
 * Which of `zoneCells` each officer passed in [from, to) (bucket starts, as the table keeps
 * time), and each cell's latest pass: the incremental answer, from the covering indexes alone.
 * A shift whose last pass of a cell is inside the window is answered by its whole-shift row,
 * summed in the database; only a shift that passed a cell again after the window (an earlier
 * window) is read bucket by bucket.
 */
export async function readZonePasses(
  db: Kysely<Tables>,
  officerIds: readonly string[],
  zoneCells: readonly string[],
  from: number,
  to: number,
): Promise<ZonePasses> {
  const result: ZonePasses = { cellsByOfficer: new Map(), latest: new Map() };
  if (officerIds.length === 0 || zoneCells.length === 0) return result;
  const [fromAt, toAt] = [iso(from), iso(to)];
  const later = await db
    .selectFrom('coverage_shift_cells')
    .select(['officer_id', 'shift_id'])
    .distinct()
    .where('officer_id', 'in', officerIds)
    .where('last_at', '>=', toAt)
    .where('first_at', '<', toAt)
    .execute();
  const keep = (cell: string, lastAt: string) => {
    const held = result.latest.get(cell);
    if (!held || lastAt > held) result.latest.set(cell, lastAt);
  };
  const whole = db.selectFrom('coverage_shift_cells').where('last_at', '>=', fromAt).where('last_at', '<', toAt).where('cell', 'in', zoneCells);

  // Officers whose every shift stopped passing before the window's end: counted in the database.
  const simple = officerIds.filter((id) => !later.some((l) => l.officer_id === id));
  if (simple.length) {
    const inWindow = whole.where('officer_id', 'in', simple);
    for (const row of await inWindow
      .select(['officer_id', (eb) => eb.fn.count<number | string>('cell').distinct().as('n')])
      .groupBy('officer_id')
      .execute())
      result.cellsByOfficer.set(row.officer_id, Number(row.n));
    for (const row of await inWindow
      .select(['cell', (eb) => eb.fn.max('last_at').as('last_at')])
      .groupBy('cell')
      .execute())
      keep(row.cell, row.last_at);
  }

  // The others cell by cell: their whole-shift rows inside the window, then the buckets of the
  // shifts that passed again after it.
  const others = officerIds.filter((id) => !simple.includes(id));
  const cellsOf = new Map<string, Set<string>>(others.map((id) => [id, new Set()]));
  const pass = (officerId: string, cell: string, lastAt: string) => {
    cellsOf.get(officerId)?.add(cell);
    keep(cell, lastAt);
  };
  if (others.length)
    for (const row of await whole.where('officer_id', 'in', others).select(['officer_id', 'cell', 'last_at']).execute())
      pass(row.officer_id, row.cell, row.last_at);
  for (const { officer_id: officerId, shift_id: shiftId } of later) {
    const buckets = await db
      .selectFrom('coverage_cells')
      .select(['cell', (eb) => eb.fn.max('last_at').as('last_at')])
      .where('officer_id', '=', officerId)
      .where('shift_id', '=', shiftId)
      .where('bucket', '>=', fromAt)
      .where('bucket', '<', toAt)
      .where('cell', 'in', zoneCells)
      .groupBy('cell')
      .execute();
    for (const row of buckets) pass(officerId, row.cell, row.last_at);
  }
  for (const [officerId, cells] of cellsOf) if (cells.size) result.cellsByOfficer.set(officerId, cells.size);
  return result;
}
