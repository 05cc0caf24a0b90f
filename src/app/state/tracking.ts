import { computed, signal } from '@preact/signals';
import { trackDistanceM, type Fix } from '../../domain/track-filter.js';
import type { TRACKING_REASONS } from '../../domain/records.js';
import { TRACK, type TrackEntry } from '../../store/schema.js';
import { deviceDb } from './db.js';
import { record } from './records.js';

export type TrackingReason = (typeof TRACKING_REASONS)[number];

export interface TrackingStatus {
  state: 'on' | 'paused' | 'off';
  reason: TrackingReason;
  since: string;
}

/** Whether the route is being recorded right now, and why not when it is not. */
export const tracking = signal<TrackingStatus | null>(null);
/** This shift's route: kept fixes and the gaps between them, in record order. */
export const route = signal<readonly TrackEntry[]>([]);

/** Splits the route at gaps: a pause is never drawn or measured as a straight line. */
export function segments(points: readonly TrackEntry[]): TrackEntry[][] {
  const out: TrackEntry[][] = [[]];
  for (const p of points) {
    if (p.kind === 'gap') out.push([]);
    else out.at(-1)?.push(p);
  }
  return out.filter((s) => s.length > 0);
}

/** Distance along kept fixes and time since the first, for the officer's screen. */
export const routeStats = computed(() => {
  const fixes = route.value.filter((p) => p.kind === 'fix');
  const first = fixes[0];
  const last = fixes.at(-1);
  return {
    fixes: fixes.length,
    distanceM: trackDistanceM(segments(route.value)),
    durationS: first && last ? (Date.parse(last.fixAt) - Date.parse(first.fixAt)) / 1000 : 0,
  };
});

/** Reads the route of a shift back from IndexedDB (after a reload or restart). */
export async function loadRoute(shiftId: string): Promise<void> {
  route.value = await (await deviceDb).getAll(TRACK, IDBKeyRange.bound([shiftId, 0], [shiftId, Infinity]));
}

/** Writes a `tracking` record; a pause also marks a gap in the route, in the same transaction. */
export async function recordTracking(officerId: string, shiftId: string, state: TrackingStatus['state'], reason: TrackingReason): Promise<void> {
  const at = new Date().toISOString();
  const gap: Omit<TrackEntry, 'seq'> = { shiftId, kind: 'gap', lat: 0, lon: 0, accuracy: 0, fixAt: at };
  const written = await record(officerId, 'tracking', { shiftId, state, reason }, state === 'paused' ? { track: [gap] } : {});
  if (state === 'paused') route.value = [...route.value, { ...gap, seq: written.seq }];
  tracking.value = { state, reason, since: at };
}

/** The filter's view of a browser fix (NaN heading, as browsers give when still, becomes null). */
export function toFix(position: GeolocationPosition): Fix {
  const c = position.coords;
  return {
    lat: c.latitude,
    lon: c.longitude,
    accuracy: c.accuracy,
    altitude: c.altitude,
    speed: c.speed,
    heading: c.heading === null || Number.isNaN(c.heading) ? null : c.heading,
    fixAt: position.timestamp,
  };
}

/** Writes one kept fix as a `position` record plus the route point it adds; returns the record's id. */
export async function recordFix(officerId: string, shiftId: string, c: Fix): Promise<string> {
  const fixAt = new Date(c.fixAt).toISOString();
  const point: Omit<TrackEntry, 'seq'> = {
    shiftId,
    kind: 'fix',
    lat: c.lat,
    lon: c.lon,
    accuracy: c.accuracy,
    heading: c.heading ?? null,
    speed: c.speed ?? null,
    fixAt,
  };
  const written = await record(
    officerId,
    'position',
    {
      shiftId,
      lat: c.lat,
      lon: c.lon,
      accuracy: c.accuracy,
      altitude: c.altitude ?? null,
      speed: c.speed ?? null,
      heading: c.heading ?? null,
      fixAt,
    },
    { track: [point] },
  );
  route.value = [...route.value, { ...point, seq: written.seq, recordId: written.id }];
  return written.id;
}
