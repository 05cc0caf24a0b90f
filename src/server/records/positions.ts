import { sql, type Kysely, type Transaction } from 'kysely';
import type { RecordOf } from '../../domain/records.js';
import { insertNew, type BulkColumns } from '../db/bulk-insert.js';
import { isPostgres } from '../db/dialect.js';
import type { PositionTable, Tables } from '../db/schema.js';
import { shiftKey } from './shifts.js';

// The positions table: every position record's fix, written beside the record at ingest and
// rebuilt from records on demand. Queries that need fixes read this, never the records' JSON.

const POSITION_COLUMNS: BulkColumns<'positions'> = [
  ['record_id', 'text'],
  ['device_id', 'text'],
  ['officer_id', 'text'],
  ['shift_id', 'text'],
  ['seq', 'integer'],
  ['fix_at', 'text'],
  ['lat', 'double precision'],
  ['lon', 'double precision'],
  ['accuracy', 'double precision'],
  ['speed', 'double precision'],
  ['heading', 'double precision'],
];
/** Windows per track query: four bound variables each. */
const WINDOWS_PER_QUERY = 1000;

/** A stored fix, shaped as the geofence verifier takes it (fix time in epoch ms). */
export interface TrackFix {
  recordId: string;
  lat: number;
  lon: number;
  accuracy: number;
  fixAt: number;
}

/** The part of one officer's shift a caller needs: fix times in [from, to], epoch ms. */
export interface TrackWindow {
  officerId: string;
  shiftId: string;
  from: number;
  to: number;
}

/**
 * A position record's fix time as stored: normalized, so text order is time order. InstantSchema
 * admits only the text toISOString writes, so the record's own text is already that (no Date
 * per fix at ingest).
 */
export function fixTimeOf(record: RecordOf<'position'>): string {
  return record.body.fixAt;
}

/** The positions row of a position record. */
function positionRow(record: RecordOf<'position'>): PositionTable {
  const { body } = record;
  return {
    record_id: record.id,
    device_id: record.deviceId,
    officer_id: record.officerId,
    shift_id: body.shiftId,
    seq: record.seq,
    fix_at: fixTimeOf(record),
    lat: body.lat,
    lon: body.lon,
    accuracy: body.accuracy,
    speed: body.speed ?? null,
    heading: body.heading ?? null,
  };
}

/** Writes the rows of these position records; a row already there is left as it is. */
export async function writePositions(trx: Transaction<Tables>, records: ReadonlyArray<RecordOf<'position'>>): Promise<void> {
  await insertNew(trx, 'positions', POSITION_COLUMNS, 'record_id', records.map(positionRow));
}

/**
 * The stored fixes of each (officer, shift) within its windows, in fix-time order, keyed by
 * shiftKey. One query for up to a thousand merged windows, however many callers asked.
 */
export async function readTracks(db: Kysely<Tables>, windows: readonly TrackWindow[]): Promise<Map<string, TrackFix[]>> {
  const merged = mergeWindows(windows);
  const tracks = new Map<string, TrackFix[]>();
  for (let i = 0; i < merged.length; i += WINDOWS_PER_QUERY) {
    const values = merged
      .slice(i, i + WINDOWS_PER_QUERY)
      .map((w) => sql`(${w.officerId}, ${w.shiftId}, ${new Date(w.from).toISOString()}, ${new Date(w.to).toISOString()})`);
    // The windows as a table, each probing the (officer_id, fix_at) index for its own range. An
    // OR of windows in the WHERE clause would test every row found against every window, and so
    // would the hash join PostgreSQL picks for a plain join: there a LATERAL subquery behind
    // OFFSET 0 (which stops the planner flattening it) probes once per window. SQLite's planner
    // does that with a plain join.
    const columns = sql`p.record_id, p.officer_id, p.shift_id, p.fix_at, p.lat, p.lon, p.accuracy`;
    const matches = sql`p.officer_id = w.officer_id and p.shift_id = w.shift_id and p.fix_at >= w.from_at and p.fix_at <= w.to_at`;
    const select = isPostgres(db)
      ? sql`select t.* from w cross join lateral (select ${columns} from positions p where ${matches} offset 0) t`
      : sql`select ${columns} from w join positions p on ${matches}`;
    const { rows } = await sql<Pick<PositionTable, 'record_id' | 'officer_id' | 'shift_id' | 'fix_at' | 'lat' | 'lon' | 'accuracy'>>`
      with w (officer_id, shift_id, from_at, to_at) as (values ${sql.join(values)}) ${select}`.execute(db);
    for (const row of rows) {
      const key = shiftKey(row.officer_id, row.shift_id);
      let track = tracks.get(key);
      if (!track) tracks.set(key, (track = []));
      track.push({ recordId: row.record_id, lat: Number(row.lat), lon: Number(row.lon), accuracy: Number(row.accuracy), fixAt: Date.parse(row.fix_at) });
    }
  }
  for (const track of tracks.values()) track.sort((a, b) => a.fixAt - b.fixAt || a.recordId.localeCompare(b.recordId));
  return tracks;
}

/** Overlapping windows of the same shift joined, so check-ins close together read their fixes once. */
function mergeWindows(windows: readonly TrackWindow[]): TrackWindow[] {
  const sorted = windows
    .filter((w) => Number.isFinite(w.from) && Number.isFinite(w.to) && w.from <= w.to)
    .sort((a, b) => a.officerId.localeCompare(b.officerId) || a.shiftId.localeCompare(b.shiftId) || a.from - b.from);
  const merged: TrackWindow[] = [];
  for (const w of sorted) {
    const last = merged.at(-1);
    if (last && last.officerId === w.officerId && last.shiftId === w.shiftId && w.from <= last.to) last.to = Math.max(last.to, w.to);
    else merged.push({ ...w });
  }
  return merged;
}
