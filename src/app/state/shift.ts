import { signal } from '@preact/signals';
import * as v from 'valibot';
import { newId } from '../../domain/ids.js';
import type { SessionUser } from '../../domain/protocol.js';
import { LOCAL, META } from '../../store/schema.js';
import { deviceDb } from './db.js';
import { record } from './records.js';

const OpenShiftSchema = v.object({ shiftId: v.string(), startedAt: v.string() });
export type OpenShift = v.InferOutput<typeof OpenShiftSchema>;

/** The officer's open shift, or null; kept in META beside the record that opened it. */
export const openShift = signal<OpenShift | null>(null);

const shiftKey = (officerId: string) => `shift:${officerId}`;

/** Reads the open shift from IndexedDB (it survives reloads and offline restarts). */
export async function loadShift(officerId: string): Promise<void> {
  const entry = await (await deviceDb).get(META, shiftKey(officerId));
  const parsed = entry && entry.value ? v.safeParse(OpenShiftSchema, JSON.parse(entry.value)) : null;
  openShift.value = parsed?.success ? parsed.output : null;
}

/** Opens a shift: a signed `shift.start` record and the local state, in one transaction. */
export async function startShift(user: SessionUser): Promise<void> {
  if (!user.squadId) throw new Error('only squad members start patrol shifts');
  const db = await deviceDb;
  const zones = await db.getAll(LOCAL, IDBKeyRange.bound([user.id, 'zone', ''], [user.id, 'zone', '\uffff']));
  const shift: OpenShift = { shiftId: newId(), startedAt: new Date().toISOString() };
  await record(
    user.id,
    'shift.start',
    { shiftId: shift.shiftId, squadId: user.squadId, members: [user.id], equipment: [], zoneIds: zones.filter((z) => z.data.squadId === user.squadId).map((z) => z.id) },
    { meta: [{ key: shiftKey(user.id), value: JSON.stringify(shift) }] },
  );
  openShift.value = shift;
}

/** Closes the open shift with a signed `shift.end` record. */
export async function endShift(user: SessionUser): Promise<void> {
  const shift = openShift.value;
  if (!shift) return;
  await record(user.id, 'shift.end', { shiftId: shift.shiftId, equipmentReturned: [] }, { meta: [{ key: shiftKey(user.id), value: '' }] });
  openShift.value = null;
}

/** One position fix, now, as a `position` record of the open shift. */
export async function reportPosition(user: SessionUser): Promise<GeolocationPosition> {
  const shift = openShift.value;
  if (!shift) throw new Error('start a shift before reporting positions');
  const fix = await new Promise<GeolocationPosition>((resolve, reject) =>
    navigator.geolocation.getCurrentPosition(resolve, reject, { enableHighAccuracy: true, timeout: 20_000, maximumAge: 0 }),
  );
  const c = fix.coords;
  await record(user.id, 'position', {
    shiftId: shift.shiftId,
    lat: c.latitude,
    lon: c.longitude,
    accuracy: c.accuracy,
    altitude: c.altitude,
    speed: c.speed,
    heading: c.heading === null || Number.isNaN(c.heading) ? null : c.heading,
    fixAt: new Date(fix.timestamp).toISOString(),
  });
  return fix;
}
