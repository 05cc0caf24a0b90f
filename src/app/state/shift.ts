import { signal } from '@preact/signals';
import * as v from 'valibot';
import type { EquipmentItem, MissingItem } from '../../domain/equipment.js';
import { newId } from '../../domain/ids.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import { readMeta as readMetaValue, writeSealedMeta } from '../../store/sealed-reads.js';
import { requirementsOf } from './checkins.js';
import { deviceDb } from './db.js';
import { reportFix, sendPatrol } from './patrol.js';
import { record } from './records.js';
import { loadRoute, route, routeStats, toFix, tracking } from './tracking.js';

const Item = v.object({ item: v.string(), serial: v.optional(v.string()), rounds: v.optional(v.number()) });
const OpenShiftSchema = v.object({
  shiftId: v.string(),
  startedAt: v.string(),
  plannedEndAt: v.optional(v.string()),
  vehicle: v.optional(v.nullable(v.string()), null),
  equipment: v.optional(v.array(Item), []),
});
export type OpenShift = v.InferOutput<typeof OpenShiftSchema>;

/** The officer's open shift, or null; kept in META beside the record that opened it. */
export const openShift = signal<OpenShift | null>(null);

const SummarySchema = v.object({
  shiftId: v.string(),
  startedAt: v.string(),
  endedAt: v.string(),
  distanceM: v.number(),
  checkpointsDone: v.number(),
  checkpointsMissed: v.number(),
});
/** How the last shift went, as the device saw it when it ended; kept until the officer dismisses it. */
export type ShiftSummary = v.InferOutput<typeof SummarySchema>;

/** The summary of the shift just ended, or null once dismissed. */
export const shiftSummary = signal<ShiftSummary | null>(null);

const shiftKey = (officerId: string) => `shift:${officerId}`;
const summaryKey = (officerId: string) => `shift-summary:${officerId}`;

/** A META entry's JSON through its schema; null when absent, cleared or unreadable. */
async function readMeta<S extends v.GenericSchema>(key: string, schema: S): Promise<v.InferOutput<S> | null> {
  const value = await readMetaValue(await deviceDb, key);
  const parsed = value ? v.safeParse(schema, JSON.parse(value)) : null;
  return parsed?.success ? parsed.output : null;
}

/** Reads the open shift, and the last shift's summary, from IndexedDB (they survive reloads and offline restarts). */
export async function loadShift(officerId: string): Promise<void> {
  shiftSummary.value = await readMeta(summaryKey(officerId), SummarySchema);
  const shift = await readMeta(shiftKey(officerId), OpenShiftSchema);
  // The route first, so the screen that the open shift brings up has it; a shift already open keeps
  // the route its patrol is appending to (a read racing a write could drop the point being written).
  if (shift && shift.shiftId !== openShift.peek()?.shiftId) await loadRoute(shift.shiftId);
  openShift.value = shift;
}

export interface ShiftPlan {
  members: string[];
  vehicle: string | null;
  equipment: EquipmentItem[];
  zoneIds: string[];
  plannedEndAt: string;
}

/** Opens a shift (巡防报备): a signed `shift.start` record and the local state, in one transaction. Only one at a time. */
export async function startShift(user: SessionUser, plan: ShiftPlan): Promise<void> {
  if (!user.squadId) throw new Error('only squad members start patrol shifts');
  await loadShift(user.id); // another tab may have opened one
  if (openShift.value) throw new Error('a shift is already open; end it first');
  const shift: OpenShift = {
    shiftId: newId(),
    startedAt: new Date().toISOString(),
    plannedEndAt: plan.plannedEndAt,
    vehicle: plan.vehicle,
    equipment: plan.equipment,
  };
  await record(
    user.id,
    'shift.start',
    {
      shiftId: shift.shiftId,
      squadId: user.squadId,
      members: [...new Set([user.id, ...plan.members])],
      vehicle: plan.vehicle,
      equipment: plan.equipment,
      zoneIds: plan.zoneIds,
      plannedEndAt: plan.plannedEndAt,
    },
    { meta: [{ key: shiftKey(user.id), value: JSON.stringify(shift) }] },
  );
  route.value = [];
  openShift.value = shift;
}

/**
 * Closes the open shift: the patrol ends the way it pauses (its held-back last fix, then tracking
 * `off`, through the patrol's one write path), then a signed `shift.end` record stating what was
 * returned and what was not, written with the shift's summary in one transaction.
 */
export async function endShift(user: SessionUser, equipment: { returned: EquipmentItem[]; missing: MissingItem[] }): Promise<void> {
  const shift = openShift.value;
  if (!shift) return;
  await sendPatrol(user.id, shift.shiftId, { type: 'end', now: Date.now() });
  const endedAt = Date.now();
  const reqs = requirementsOf(shift, user.squadId, endedAt);
  const summary: ShiftSummary = {
    shiftId: shift.shiftId,
    startedAt: shift.startedAt,
    endedAt: new Date(endedAt).toISOString(),
    distanceM: routeStats.value.distanceM,
    checkpointsDone: reqs.filter((r) => r.status === 'done').length,
    checkpointsMissed: reqs.filter((r) => r.status === 'missed').length,
  };
  await record(
    user.id,
    'shift.end',
    { shiftId: shift.shiftId, equipmentReturned: equipment.returned, ...(equipment.missing.length ? { missing: equipment.missing } : {}) },
    {
      meta: [
        { key: shiftKey(user.id), value: '' },
        { key: summaryKey(user.id), value: JSON.stringify(summary) },
      ],
    },
  );
  openShift.value = null;
  tracking.value = null;
  shiftSummary.value = summary;
}

/** The officer has read the summary: it goes, on every tab's next load too. */
export async function dismissSummary(officerId: string): Promise<void> {
  await writeSealedMeta(await deviceDb, summaryKey(officerId), '');
  shiftSummary.value = null;
}

/** One position fix, now, as a `position` record of the open shift (the manual report). */
export async function reportPosition(user: SessionUser): Promise<GeolocationPosition> {
  const shift = openShift.value;
  if (!shift) throw new Error('start a shift before reporting positions');
  const fix = await new Promise<GeolocationPosition>((resolve, reject) =>
    // A fix up to 10 s old is "now" for a report, and is what the running watch just delivered.
    navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 20_000, maximumAge: 10_000 }),
  );
  await reportFix(user.id, shift.shiftId, toFix(fix));
  return fix;
}
