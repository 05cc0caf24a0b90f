import type { Kysely, Transaction } from 'kysely';
import type { RecordOf } from '../../domain/records.js';
import type { PositionTable, Tables } from '../db/schema.js';

// The positions table: every position record's fix, written beside the record at ingest and
// rebuilt from records on demand. Queries that need fixes read this, never the records' JSON.

/** Rows per INSERT: 11 columns each stays well under SQLite's 32,766 bound variables. */
const INSERT_CHUNK = 1000;
/** A position record's fix time as stored: normalized, so text order is time order. */
export function fixTimeOf(record: RecordOf<'position'>): string {
  return new Date(record.body.fixAt).toISOString();
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
export async function writePositions(trx: Transaction<Tables> | Kysely<Tables>, records: ReadonlyArray<RecordOf<'position'>>): Promise<void> {
  for (let i = 0; i < records.length; i += INSERT_CHUNK) {
    await trx
      .insertInto('positions')
      .values(records.slice(i, i + INSERT_CHUNK).map(positionRow))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}
