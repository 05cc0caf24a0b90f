import { computed, signal } from '@preact/signals';
import { trackDistanceM, type Fix } from '../../domain/track-filter.js';
import type { PatrolRecord, TrackingStatus } from '../../domain/patrol-session.js';
import type { Priority, TrackEntry } from '../../store/schema.js';
import { readTrack } from '../../store/sealed-reads.js';
import { deviceDb } from './db.js';
import { record } from './records.js';

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
  route.value = await readTrack(await deviceDb, shiftId);
}

/** Writes a `tracking` record of the patrol session; a pause also marks a gap in the route, in the same transaction. */
export async function writeTracking(officerId: string, rec: Extract<PatrolRecord, { kind: 'tracking' }>): Promise<void> {
  const paused = rec.body.state === 'paused';
  const gap: Omit<TrackEntry, 'seq'> = { shiftId: rec.body.shiftId, kind: 'gap', lat: 0, lon: 0, accuracy: 0, fixAt: new Date(rec.at).toISOString() };
  const written = await record(officerId, 'tracking', rec.body, { id: rec.id, now: new Date(rec.at), ...(paused ? { track: [gap] } : {}) });
  if (paused) route.value = [...route.value, { ...gap, seq: written.seq }];
}

/** Writes one kept fix as its `position` record plus the route point it adds, in the same transaction; an SOS's fixes go first (priority 0). */
export async function writePosition(officerId: string, rec: Extract<PatrolRecord, { kind: 'position' }>, priority?: Priority): Promise<void> {
  const b = rec.body;
  const point: Omit<TrackEntry, 'seq'> = {
    shiftId: b.shiftId,
    kind: 'fix',
    lat: b.lat,
    lon: b.lon,
    accuracy: b.accuracy,
    heading: b.heading ?? null,
    speed: b.speed ?? null,
    fixAt: b.fixAt,
  };
  const written = await record(officerId, 'position', b, {
    id: rec.id,
    now: new Date(rec.at),
    track: [point],
    ...(priority === undefined ? {} : { priority }),
  });
  route.value = [...route.value, { ...point, seq: written.seq, recordId: written.id }];
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
