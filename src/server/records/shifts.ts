import type { Kysely, Selectable, Transaction } from 'kysely';
import type { RecordOf, SignedRecord } from '../../domain/records.js';
import type { ShiftTable, Tables } from '../db/schema.js';

// Shifts, assembled from shift.start and shift.end records by one rule, written to the shifts
// table at ingest and by rebuild-derived, and read back from it.
//
// The rule: a shift is the pair (officer, shift id). A shift id is the device's choice, so one
// officer's records never open or end another officer's shift: J002's shift.end naming J001's
// shift id ends only "J002's shift" of that id, which J001's never is. Should an officer's devices
// send two starts (or two ends) for one shift, the earliest by (at, id) counts, whatever the order
// they arrive in: ingest, batch by batch, and a rebuild then always agree.

/** How one shift of one officer stands; start or end is null until its record arrives. */
interface Shift {
  officerId: string;
  shiftId: string;
  start: { recordId: string; deviceId: string; at: string; plannedEndAt: string | null } | null;
  end: { recordId: string; at: string } | null;
}

/** A shift started and not ended. */
export type OpenShift = Shift & { start: NonNullable<Shift['start']>; end: null };
/** A shift whose start is known. */
export type StartedShift = Shift & { start: NonNullable<Shift['start']> };

/** The map key of an officer's shift. Shift ids are fixed-width UUIDs, so keys cannot collide. */
export function shiftKey(officerId: string, shiftId: string): string {
  return `${shiftId}${officerId}`;
}

/** Earlier by device time, then by record id: the one that counts when there are two. */
const earlier = (a: { at: string; recordId: string }, b: { at: string; recordId: string }) => a.at < b.at || (a.at === b.at && a.recordId < b.recordId);

/** The shifts these records make, by the rule above; records of other kinds are ignored. */
function assembleShifts(records: Iterable<SignedRecord>): Map<string, Shift> {
  const shifts = new Map<string, Shift>();
  const shiftOf = (r: RecordOf<'shift.start'> | RecordOf<'shift.end'>) => {
    const key = shiftKey(r.officerId, r.body.shiftId);
    let shift = shifts.get(key);
    if (!shift) shifts.set(key, (shift = { officerId: r.officerId, shiftId: r.body.shiftId, start: null, end: null }));
    return shift;
  };
  for (const r of records) {
    if (r.kind === 'shift.start') {
      const shift = shiftOf(r);
      const start = { recordId: r.id, deviceId: r.deviceId, at: r.at, plannedEndAt: r.body.plannedEndAt ?? null };
      if (!shift.start || earlier(start, shift.start)) shift.start = start;
    } else if (r.kind === 'shift.end') {
      const shift = shiftOf(r);
      const end = { recordId: r.id, at: r.at };
      if (!shift.end || earlier(end, shift.end)) shift.end = end;
    }
  }
  return shifts;
}

/**
 * Merges the shifts these records make into the shifts table, by the same rule: a start or end
 * replaces the stored one only when earlier. Call in the transaction that stores the records.
 */
export async function writeShifts(trx: Transaction<Tables> | Kysely<Tables>, records: Iterable<SignedRecord>): Promise<void> {
  const shifts = [...assembleShifts(records).values()];
  const none = { device_id: null, start_record_id: null, started_at: null, planned_end_at: null, end_record_id: null, ended_at: null };
  const starts = shifts.flatMap((s) =>
    s.start
      ? [
          {
            ...none,
            officer_id: s.officerId,
            shift_id: s.shiftId,
            device_id: s.start.deviceId,
            start_record_id: s.start.recordId,
            started_at: s.start.at,
            planned_end_at: s.start.plannedEndAt,
          },
        ]
      : [],
  );
  const ends = shifts.flatMap((s) =>
    s.end ? [{ ...none, officer_id: s.officerId, shift_id: s.shiftId, end_record_id: s.end.recordId, ended_at: s.end.at }] : [],
  );
  // One statement may not touch a row twice (PostgreSQL), hence starts and ends apart; at most
  // a few hundred shifts a batch, so no chunking for SQLite's bound-variable limit.
  if (starts.length)
    await trx
      .insertInto('shifts')
      .values(starts)
      .onConflict((oc) =>
        oc
          .columns(['officer_id', 'shift_id'])
          .doUpdateSet((eb) => ({
            device_id: eb.ref('excluded.device_id'),
            start_record_id: eb.ref('excluded.start_record_id'),
            started_at: eb.ref('excluded.started_at'),
            planned_end_at: eb.ref('excluded.planned_end_at'),
          }))
          .where((eb) =>
            eb.or([
              eb('shifts.start_record_id', 'is', null),
              eb('excluded.started_at', '<', eb.ref('shifts.started_at')),
              eb.and([eb('excluded.started_at', '=', eb.ref('shifts.started_at')), eb('excluded.start_record_id', '<', eb.ref('shifts.start_record_id'))]),
            ]),
          ),
      )
      .execute();
  if (ends.length)
    await trx
      .insertInto('shifts')
      .values(ends)
      .onConflict((oc) =>
        oc
          .columns(['officer_id', 'shift_id'])
          .doUpdateSet((eb) => ({ end_record_id: eb.ref('excluded.end_record_id'), ended_at: eb.ref('excluded.ended_at') }))
          .where((eb) =>
            eb.or([
              eb('shifts.end_record_id', 'is', null),
              eb('excluded.ended_at', '<', eb.ref('shifts.ended_at')),
              eb.and([eb('excluded.ended_at', '=', eb.ref('shifts.ended_at')), eb('excluded.end_record_id', '<', eb.ref('shifts.end_record_id'))]),
            ]),
          ),
      )
      .execute();
}

/** The open shifts of these officers, from the partial index of open shifts. */
export async function readOpenShifts(db: Kysely<Tables>, officerIds: readonly string[]): Promise<OpenShift[]> {
  if (officerIds.length === 0) return [];
  const rows = await db
    .selectFrom('shifts')
    .selectAll()
    .where('officer_id', 'in', officerIds)
    .where('end_record_id', 'is', null)
    .where('start_record_id', 'is not', null)
    .execute();
  return rows.flatMap((row) => {
    const shift = fromRow(row);
    return shift.start && !shift.end ? [{ ...shift, start: shift.start, end: null }] : [];
  });
}

/** The started shifts of these officers that began in [startedFrom, to] and had not ended before `from`. */
export async function readShiftsOverlapping(
  db: Kysely<Tables>,
  officerIds: readonly string[],
  window: { startedFrom: string; from: string; to: string },
): Promise<StartedShift[]> {
  if (officerIds.length === 0) return [];
  const rows = await db
    .selectFrom('shifts')
    .selectAll()
    .where('officer_id', 'in', officerIds)
    .where('started_at', '>=', window.startedFrom)
    .where('started_at', '<=', window.to)
    .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', window.from)]))
    .orderBy('started_at')
    .execute();
  return rows.flatMap((row) => {
    const shift = fromRow(row);
    return shift.start ? [{ ...shift, start: shift.start }] : [];
  });
}

function fromRow(row: Selectable<ShiftTable>): Shift {
  return {
    officerId: row.officer_id,
    shiftId: row.shift_id,
    start:
      row.start_record_id && row.device_id && row.started_at
        ? { recordId: row.start_record_id, deviceId: row.device_id, at: row.started_at, plannedEndAt: row.planned_end_at }
        : null,
    end: row.end_record_id && row.ended_at ? { recordId: row.end_record_id, at: row.ended_at } : null,
  };
}
