import { sql, type Kysely, type Transaction } from 'kysely';
import type { SignedRecord } from '../../domain/records.js';
import { isPostgres } from '../db/dialect.js';
import type { Tables } from '../db/schema.js';
import { writeCoverage } from './coverage.js';
import { writeEquipmentLosses } from './equipment-losses.js';
import { writeIncidents } from './incidents.js';
import { writeNativeShiftCoverage } from './native-coverage.js';
import { restoreNativeLive, writeOfficerLive, type LiveChanges } from './officer-live.js';
import { ensurePositionPartitions } from './position-partitions.js';
import { fixTimeOf, writePositions } from './positions.js';
import { ofKind, readRows, type UnreadableSink } from './reader.js';
import { writeShifts } from './shifts.js';
import { placeAllIncidents } from '../safety-index/areas.js';

// The derived tables (DESIGN.md "Derived tables"): positions, shifts, equipment losses, coverage cells and incidents. `records` is the
// evidence; these are what queries read, written in the transaction that stores the records,
// and rebuildable from records at any time by the same writers.

/** The record kinds any derived table is made from. */
const DERIVED_KINDS = ['position', 'shift.start', 'shift.end', 'tracking', 'sos', 'incident.report', 'incident.update'] as const;

/** Records read per rebuild batch. */
const REBUILD_BATCH = 2000;

/** What a batch of newly stored records adds to the derived tables; says what the live squad should hear. Call in the storing transaction. */
export async function writeDerived(trx: Transaction<Tables>, records: readonly SignedRecord[]): Promise<LiveChanges> {
  await writePositions(trx, ofKind(records, 'position'));
  await writeShifts(trx, records);
  await writeEquipmentLosses(trx, records);
  // After positions: a shift's coverage is derived from its stored fixes, these included.
  await writeCoverage(trx, records);
  // After shifts: a native tracker's fixes count while the shift they fall in is open.
  await writeNativeShiftCoverage(trx, records);
  await writeIncidents(trx, records);
  return writeOfficerLive(trx, records);
}

/** Makes the position partitions these records will need; call before the storing transaction. */
export function prepareDerived(db: Kysely<Tables>, records: readonly SignedRecord[], now: Date): Promise<void> {
  return ensurePositionPartitions(db, ofKind(records, 'position').map(fixTimeOf), now);
}

export interface RebuildReport {
  records: number;
  positions: number;
  shifts: number;
  unreadable: number;
}

/**
 * Empties every derived table and derives it again from `records`, in batches of records by id.
 * Safe beside a running server: a record stored meanwhile is derived by its own ingest or by a
 * later batch, and both writers ignore what is already there. Readers see partial tables until
 * it ends.
 */
export async function rebuildDerived(
  db: Kysely<Tables>,
  options: { now: Date; onUnreadable: UnreadableSink; onProgress?: (records: number) => void },
): Promise<RebuildReport> {
  // sos_alerts stays: its acknowledgements are not derived, and its raises and cancels merge idempotently.
  if (isPostgres(db))
    await sql`truncate positions, shifts, equipment_losses, coverage_cells, coverage_shift_cells, officer_live, incidents, incident_updates, incident_photos`.execute(
      db,
    );
  else
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('positions').execute();
      await trx.deleteFrom('shifts').execute();
      await trx.deleteFrom('equipment_losses').execute();
      await trx.deleteFrom('coverage_cells').execute();
      await trx.deleteFrom('coverage_shift_cells').execute();
      await trx.deleteFrom('officer_live').execute();
      await trx.deleteFrom('incidents').execute();
      await trx.deleteFrom('incident_updates').execute();
      await trx.deleteFrom('incident_photos').execute();
    });
  let after = '';
  let records = 0;
  let unreadable = 0;
  for (;;) {
    const rows = await db
      .selectFrom('records')
      .select(['id', 'record'])
      .where('id', '>', after)
      .where('kind', 'in', DERIVED_KINDS)
      .orderBy('id')
      .limit(REBUILD_BATCH)
      .execute();
    const last = rows.at(-1);
    if (!last) break;
    const batch = readRows(rows, (problem) => {
      unreadable++;
      options.onUnreadable(problem);
    });
    await prepareDerived(db, batch, options.now);
    await db.transaction().execute((trx) => writeDerived(trx, batch));
    records += rows.length;
    options.onProgress?.(records);
    after = last.id;
  }
  // Native tracker fixes are not records: their newest per officer comes back from their own table.
  await restoreNativeLive(db);
  const count = async (table: 'positions' | 'shifts') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { records, positions: await count('positions'), shifts: await count('shifts'), unreadable };
}

/** Runs the rebuild a migration asked for (schema.ts MaintenanceTable), then clears the request. */
export async function runRequestedRebuild(db: Kysely<Tables>, now: Date, onUnreadable: UnreadableSink): Promise<RebuildReport | null> {
  const pending = new Set((await db.selectFrom('maintenance').select('task').execute()).map((m) => m.task));
  // Cleared only once done: a crash part-way leaves it asked for, and the next start does it again.
  const report = pending.has('rebuild-derived') ? await rebuildDerived(db, { now, onUnreadable }) : null;
  // A rebuild places every incident as it stores it; without one, the places are worked out alone.
  if (pending.has('place-incidents') && !report) await placeAllIncidents(db);
  await db.deleteFrom('maintenance').where('task', 'in', ['rebuild-derived', 'place-incidents']).execute();
  return report;
}
