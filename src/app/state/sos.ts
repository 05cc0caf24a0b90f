import { signal } from '@preact/signals';
import * as v from 'valibot';
import { newId } from '../../domain/ids.js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { BodyOf } from '../../domain/records.js';
import { readMeta } from '../../store/sealed-reads.js';
import { deviceDb } from './db.js';
import { record } from './records.js';
import { openShift } from './shift.js';
import { route } from './tracking.js';

// The officer's SOS (issue 13): a signed `sos` record at priority 0, so the outbox sends it before
// anything else and alone (outbox-store.ts takeBatch), with the best fix there is now. The alert
// in progress is kept in META beside the record that raised it, so a reload keeps it going.

const ActiveSchema = v.object({ alertId: v.string(), shiftId: v.nullable(v.string()), raisedAt: v.string() });
/** The SOS this device raised and has not cancelled. */
export type ActiveSos = v.InferOutput<typeof ActiveSchema>;

/** The officer's SOS in progress, or null. */
export const activeSos = signal<ActiveSos | null>(null);

const key = (officerId: string) => `sos:${officerId}`;
/** A route fix this recent is "now" for an SOS; an older one is still better than none. */
const FRESH_MS = 15_000;
/** How long an SOS waits for a new fix before it goes with what it has: help is never held back for GPS. */
const FIX_WAIT_MS = 1_500;

/** Reads the SOS in progress back (after a reload). */
export async function loadSos(officerId: string): Promise<void> {
  const value = await readMeta(await deviceDb, key(officerId));
  const parsed = value ? v.safeParse(ActiveSchema, JSON.parse(value)) : null;
  activeSos.value = parsed?.success ? parsed.output : null;
}

/** A fix from the browser within `ms` (at most `maximumAge` old), or null. */
function currentFix(ms: number, maximumAge = 5_000): Promise<GeolocationPosition | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ms);
    navigator.geolocation.getCurrentPosition(
      (position) => (clearTimeout(timer), resolve(position)),
      () => (clearTimeout(timer), resolve(null)),
      { enableHighAccuracy: true, timeout: ms, maximumAge },
    );
  });
}

/** The best fix for an SOS: the route's last if fresh, else a new one if it comes quickly, else the route's last anyway. */
async function bestFix(): Promise<BodyOf<'sos'>['fix']> {
  const last = [...route.peek()].reverse().find((p) => p.kind === 'fix');
  if (last && Date.now() - Date.parse(last.fixAt) < FRESH_MS) return { lat: last.lat, lon: last.lon, accuracy: last.accuracy, fixAt: last.fixAt };
  const fresh = await currentFix(FIX_WAIT_MS);
  if (fresh)
    return { lat: fresh.coords.latitude, lon: fresh.coords.longitude, accuracy: fresh.coords.accuracy, fixAt: new Date(fresh.timestamp).toISOString() };
  return last ? { lat: last.lat, lon: last.lon, accuracy: last.accuracy, fixAt: last.fixAt } : null;
}

/** Raises an SOS: its record first in the outbox, with the current fix. */
export async function raiseSos(user: SessionUser): Promise<void> {
  if (activeSos.peek()) return;
  const active: ActiveSos = { alertId: newId(), shiftId: openShift.peek()?.shiftId ?? null, raisedAt: new Date().toISOString() };
  const fix = await bestFix();
  await record(
    user.id,
    'sos',
    { alertId: active.alertId, shiftId: active.shiftId, state: 'raised', fix },
    { priority: 0, now: new Date(active.raisedAt), meta: [{ key: key(user.id), value: JSON.stringify(active) }] },
  );
  activeSos.value = active;
}

/** Cancels the SOS in progress, also first in the outbox. */
export async function cancelSos(user: SessionUser): Promise<void> {
  const active = activeSos.peek();
  if (!active) return;
  await record(
    user.id,
    'sos',
    { alertId: active.alertId, shiftId: active.shiftId, state: 'cancelled', fix: null },
    { priority: 0, meta: [{ key: key(user.id), value: '' }] },
  );
  activeSos.value = null;
}
