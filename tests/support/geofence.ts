// Shared by the geofence tests: real tracks as engine fixes, checkpoints built in local metres,
// and the stops of the Osaka walk. Every track is shifted to Huizhou and replayed fix by fix, as
// the worker would see it.
import * as v from 'valibot';
import { expect } from 'vitest';
import { type Checkpoint, CheckpointShapeSchema, DEFAULT_MIN_DWELL_S } from '../../src/domain/checkpoints.js';
import { EARTH_RADIUS_M, haversineM, type LatLon } from '../../src/domain/geo.js';
import type { GeofenceEngine, GeofenceEvent } from '../../src/domain/geofence/engine.js';
import type { GeofenceFix } from '../../src/domain/geofence/visits.js';
import { loadTrack, shiftTo, TRACE_FILES, type TracePoint } from '../../src/simulator/traces.js';

// The files carry no accuracy: each fix gets a phone's good-sky figure unless a test says otherwise.
const ACCURACY_M = 5;
export const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;

export type Indexed = GeofenceEvent & { index: number };

export const timeOf = (p: TracePoint): number => p.time ?? Number.NaN;

/** A real track as engine fixes; record ids are `<tag>-<index>` so evidence can be traced back to a fix. */
export function fixesOf(points: readonly TracePoint[], accuracy = ACCURACY_M, tag = 'r'): GeofenceFix[] {
  return points.map((p, i) => ({ recordId: `${tag}-${i}`, lat: p.lat, lon: p.lon, accuracy, fixAt: timeOf(p) }));
}

export const indexOf = (recordId: string): number => Number(recordId.slice(recordId.lastIndexOf('-') + 1));

/** Offers every fix in order; `before(i)` runs ahead of fix i (a pause, say). */
export function feed(engine: GeofenceEngine, fixes: readonly GeofenceFix[], before?: (i: number) => GeofenceEvent[] | void): Indexed[] {
  const out: Indexed[] = [];
  fixes.forEach((fix, index) => {
    for (const e of before?.(index) ?? []) out.push({ ...e, index });
    for (const e of engine.offer(fix)) out.push({ ...e, index });
  });
  return out;
}

export const ofType = <T extends GeofenceEvent['type']>(events: readonly Indexed[], type: T) =>
  events.filter((e): e is Extract<Indexed, { type: T }> => e.type === type);
export const checkins = (events: readonly Indexed[]) => ofType(events, 'checkin');
export const enters = (events: readonly Indexed[]) => ofType(events, 'enter');

/** A point `east` and `north` metres from `origin`. */
export function offset(origin: LatLon, east: number, north: number): LatLon {
  return { lat: origin.lat + north / M_PER_DEG, lon: origin.lon + east / (M_PER_DEG * Math.cos((origin.lat * Math.PI) / 180)) };
}

export function checkpoint(id: string, shape: Checkpoint['shape'], minDwellS = DEFAULT_MIN_DWELL_S): Checkpoint {
  // The shapes a test builds must be ones pull could deliver.
  return { id, zoneId: 'zone', name: { 'zh-CN': id, en: id }, type: 'other', shape: v.parse(CheckpointShapeSchema, shape), minDwellS };
}

export function circle(id: string, centre: LatLon, radiusM: number, minDwellS?: number): Checkpoint {
  return checkpoint(id, { kind: 'circle', center: [centre.lon, centre.lat], radiusM }, minDwellS);
}

/** A polygon from rings of local [east, north] metres around `origin`. */
export function polygon(id: string, origin: LatLon, rings: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, minDwellS?: number): Checkpoint {
  const coordinates = rings.map((ring) => {
    const out = ring.map(([e, n]): [number, number] => {
      const p = offset(origin, e, n);
      return [p.lon, p.lat];
    });
    const first = out[0];
    if (first) out.push([first[0], first[1]]);
    return out;
  });
  return checkpoint(id, { kind: 'polygon', polygon: { type: 'Polygon', coordinates } }, minDwellS);
}

/** A square of side 2 × `half` metres centred on `centre`, turned by `turnDeg` so its edges are not on the grid. */
export function square(id: string, centre: LatLon, half: number, minDwellS?: number, turnDeg = 20): Checkpoint {
  const a = (turnDeg * Math.PI) / 180;
  const corners = [
    [-half, -half],
    [half, -half],
    [half, half],
    [-half, half],
  ].map(([x = 0, y = 0]): [number, number] => [x * Math.cos(a) - y * Math.sin(a), x * Math.sin(a) + y * Math.cos(a)]);
  return polygon(id, centre, [corners], minDwellS);
}

/** Stationary periods as SOURCES.md defines them: a maximal run within 10 m of its first point for ≥ 30 s. */
function stops(points: readonly TracePoint[]): Array<{ from: number; to: number; seconds: number; centre: LatLon }> {
  const found = [];
  for (let i = 0; i < points.length;) {
    let j = i;
    while (j + 1 < points.length && haversineM(points[i]!, points[j + 1]!) <= 10) j++;
    const seconds = (timeOf(points[j]!) - timeOf(points[i]!)) / 1000;
    if (seconds >= 30) {
      const run = points.slice(i, j + 1);
      const centre = { lat: run.reduce((s, p) => s + p.lat, 0) / run.length, lon: run.reduce((s, p) => s + p.lon, 0) / run.length };
      found.push({ from: i, to: j, seconds, centre });
      i = j + 1;
    } else i++;
  }
  return found;
}

/** The longest unbroken time the raw track spends within `metres` of `centre`: the data's own answer to "did anyone linger here". */
export function longestStayS(points: readonly TracePoint[], centre: LatLon, metres: number): number {
  let best = 0;
  let since: number | null = null;
  for (const p of points) {
    if (haversineM(p, centre) <= metres) {
      since ??= timeOf(p);
      best = Math.max(best, timeOf(p) - since);
    } else since = null;
  }
  return best / 1000;
}

export const osaka = () => shiftTo(loadTrack(TRACE_FILES.osakaWalk));

/** The Osaka walk's three stops (SOURCES.md: 213 s, 104 s and 84 s), in walking order. */
export function osakaStops() {
  const found = stops(osaka());
  expect(found.map((s) => s.seconds)).toEqual([84, 213, 104]);
  const [first, long, last] = found;
  if (!first || !long || !last) throw new Error('the Osaka walk has three stops');
  return { first, long, last };
}
