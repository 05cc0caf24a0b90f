import type { Kysely, Transaction } from 'kysely';
import { isControlledLoss } from '../../domain/equipment.js';
import type { EquipmentLoss } from '../../domain/protocol/shifts.js';
import type { SignedRecord } from '../../domain/records.js';
import type { ScopedOfficer } from '../auth/scope.js';
import type { EquipmentLossTable, Tables } from '../db/schema.js';

// Firearms and ammunition officers ended a shift without, derived from shift.end records into
// equipment_losses (at ingest and by rebuild-derived). Like shifts, when one shift has two ends
// the earliest by (at, id) counts, whatever order they arrive in.

/** Merges the controlled losses these records report into equipment_losses. Call in the storing transaction. */
export async function writeEquipmentLosses(trx: Transaction<Tables> | Kysely<Tables>, records: Iterable<SignedRecord>): Promise<void> {
  const rows = new Map<string, EquipmentLossTable>();
  for (const r of records) {
    if (r.kind !== 'shift.end') continue;
    for (const m of r.body.missing ?? []) {
      if (!isControlledLoss(m)) continue;
      const row = {
        officer_id: r.officerId,
        shift_id: r.body.shiftId,
        item: m.item,
        serial: m.serial ?? '',
        item_returned: r.body.equipmentReturned.some((b) => b.item === m.item && (b.serial ?? '') === (m.serial ?? '')) ? 1 : 0,
        rounds: m.rounds ?? null,
        reason: m.reason ?? '',
        end_record_id: r.id,
        ended_at: r.at,
      };
      // One statement may not touch a row twice (PostgreSQL): keep the earliest within the batch too.
      const key = JSON.stringify([row.officer_id, row.shift_id, row.item, row.serial]);
      const held = rows.get(key);
      if (!held || row.ended_at < held.ended_at || (row.ended_at === held.ended_at && row.end_record_id < held.end_record_id)) rows.set(key, row);
    }
  }
  if (rows.size === 0) return;
  await trx
    .insertInto('equipment_losses')
    .values([...rows.values()])
    .onConflict((oc) =>
      oc
        .columns(['officer_id', 'shift_id', 'item', 'serial'])
        .doUpdateSet((eb) => ({
          item_returned: eb.ref('excluded.item_returned'),
          rounds: eb.ref('excluded.rounds'),
          reason: eb.ref('excluded.reason'),
          end_record_id: eb.ref('excluded.end_record_id'),
          ended_at: eb.ref('excluded.ended_at'),
        }))
        .where((eb) =>
          eb.or([
            eb('excluded.ended_at', '<', eb.ref('equipment_losses.ended_at')),
            eb.and([
              eb('excluded.ended_at', '=', eb.ref('equipment_losses.ended_at')),
              eb('excluded.end_record_id', '<', eb.ref('equipment_losses.end_record_id')),
            ]),
          ]),
        ),
    )
    .execute();
}

/** The losses of these officers nobody has resolved yet, newest first. */
export async function readOpenLosses(db: Kysely<Tables>, officers: readonly ScopedOfficer[]): Promise<EquipmentLoss[]> {
  if (officers.length === 0) return [];
  const byId = new Map(officers.map((o) => [o.id, o]));
  const rows = await db
    .selectFrom('equipment_losses as l')
    .leftJoin('equipment_resolutions as r', (join) =>
      join.onRef('r.officer_id', '=', 'l.officer_id').onRef('r.shift_id', '=', 'l.shift_id').onRef('r.item', '=', 'l.item').onRef('r.serial', '=', 'l.serial'),
    )
    .selectAll('l')
    .where('l.officer_id', 'in', [...byId.keys()])
    .where('r.resolved_at', 'is', null)
    .orderBy('l.ended_at', 'desc')
    .execute();
  return rows.map((row) => ({
    officerId: row.officer_id,
    badge: byId.get(row.officer_id)?.badge ?? '',
    name: byId.get(row.officer_id)?.name ?? '',
    shiftId: row.shift_id,
    endedAt: row.ended_at,
    item: row.item,
    serial: row.serial || null,
    itemReturned: Number(row.item_returned) === 1,
    rounds: row.rounds === null ? null : Number(row.rounds),
    reason: row.reason,
  }));
}
