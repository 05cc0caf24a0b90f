import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Polygon } from 'geojson';
import type { Checkpoint } from '../src/domain/checkpoints.js';
import { circleRing, EARTH_RADIUS_M, type LatLon } from '../src/domain/geo.js';
import { GeofenceEngine } from '../src/domain/geofence/engine.js';
import type { GeofenceFix } from '../src/domain/geofence/visits.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../src/simulator/traces.js';
import { median, seededRandom } from './cpu.js';

// DESIGN.md target: one fix against 10,000 checkpoints in ≤ 50 µs, in the worker. 10,000
// checkpoints (circles and polygons of real checkpoint sizes) over a 20 × 20 km city around the
// demo area; the fixes are the Beijing long run (9,915 fixes at 1 Hz, 30 km) shifted into its
// middle. The engine (flatbush index, then precise tests of the few candidates, visits and
// dwell) runs beside the plain answer: turf's booleanPointInPolygon over every checkpoint for
// every fix, circles as 32-gons. A second, denser case (the same 10,000 in a 3 × 3 km core,
// where checkpoints overlap, walked by the Osaka walk) shows the cost when every fix has
// candidates.

const CHECKPOINTS = 10_000;
const CITY_KM = 20;
const CORE_KM = 3;
const CENTRE: LatLon = { lat: 23.11, lon: 114.41 };
const SAMPLES = 7;
/** The turf loop is ~10⁴ times slower per fix: it gets every this-many-th fix of the run. */
const BASELINE_STRIDE = 50;

const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;
const at = (east: number, north: number): LatLon => ({
  lat: CENTRE.lat + north / M_PER_DEG,
  lon: CENTRE.lon + east / (M_PER_DEG * Math.cos((CENTRE.lat * Math.PI) / 180)),
});

/** 60 % circles of 15–150 m radius (a shop front to a hospital campus), 40 % irregular 4–12-gons 30–240 m across, over a square of `km`. */
function city(km: number): Checkpoint[] {
  const rnd = seededRandom(20_261_129);
  const half = (km * 1000) / 2;
  return Array.from({ length: CHECKPOINTS }, (_, i): Checkpoint => {
    const east = (rnd() * 2 - 1) * half;
    const north = (rnd() * 2 - 1) * half;
    const size = 15 * 10 ** rnd(); // log-uniform: many small, a few large
    const base = { id: `cp-${i}`, zoneId: 'zone', name: { 'zh-CN': `检查点 ${i}`, en: `checkpoint ${i}` }, type: 'other' as const, minDwellS: 60 };
    const c = at(east, north);
    if (rnd() < 0.6) return { ...base, shape: { kind: 'circle', center: [c.lon, c.lat], radiusM: size } };
    const n = 4 + Math.floor(rnd() * 9);
    const ring: Array<[number, number]> = [];
    for (let k = 0; k < n; k++) {
      const a = (2 * Math.PI * k) / n + rnd() * 0.5;
      const r = size * (0.6 + 0.4 * rnd());
      const p = at(east + r * Math.cos(a), north + r * Math.sin(a));
      ring.push([p.lon, p.lat]);
    }
    const first = ring[0]!;
    ring.push([first[0], first[1]]);
    return { ...base, shape: { kind: 'polygon', polygon: { type: 'Polygon', coordinates: [ring] } } };
  });
}

/** A real track shifted to start at the centre; the files have no accuracy: 4–16 m, a phone in a street between buildings. */
function fixesOf(file: string): GeofenceFix[] {
  const rnd = seededRandom(7);
  return shiftTo(loadTrack(file), CENTRE).map((p, i) => ({
    recordId: `r-${i}`,
    lat: p.lat,
    lon: p.lon,
    accuracy: 4 + 12 * rnd(),
    fixAt: p.time ?? Number.NaN,
  }));
}

/** Median µs per fix of a fresh engine taking every fix, after a JIT warm-up; and the events of one pass. */
function measureEngine(
  checkpoints: readonly Checkpoint[],
  fixes: readonly GeofenceFix[],
): { us: number; enters: number; checkins: number; candidates: number } {
  let enters = 0;
  let checkins = 0;
  const pass = () => {
    const engine = new GeofenceEngine(checkpoints);
    enters = 0;
    checkins = 0;
    const start = performance.now();
    for (const fix of fixes) {
      for (const e of engine.offer(fix)) {
        if (e.type === 'enter') enters++;
        else if (e.type === 'checkin') checkins++;
      }
    }
    return ((performance.now() - start) * 1000) / fixes.length;
  };
  for (let w = 0; w < 3; w++) pass(); // let the JIT settle first
  const us = median(Array.from({ length: SAMPLES }, pass));
  // How many checkpoints the index hands to the precise test, on average (what the engine's cost scales with).
  const probe = new GeofenceEngine(checkpoints);
  const candidates = fixes.reduce((sum, f) => sum + probe.near(f.lat, f.lon, f.accuracy).length, 0) / fixes.length;
  return { us, enters, checkins, candidates };
}

export async function run(): Promise<void> {
  const checkpoints = city(CITY_KM);
  const fixes = fixesOf(TRACE_FILES.beijingLong);
  const n = fixes.length;

  // Index build: once per checkpoint pull, not per fix.
  const builds: number[] = [];
  for (let s = 0; s < 5; s++) {
    const start = performance.now();
    new GeofenceEngine(checkpoints);
    builds.push(performance.now() - start);
  }

  let sink = 0;
  const engine = measureEngine(checkpoints, fixes);
  const engineUs = engine.us;
  const core = measureEngine(city(CORE_KM), fixesOf(TRACE_FILES.osakaWalk));

  // The baseline: every checkpoint as a GeoJSON polygon, every one tested for each fix.
  const polygons: Polygon[] = checkpoints.map((cp) =>
    cp.shape.kind === 'polygon'
      ? cp.shape.polygon
      : { type: 'Polygon', coordinates: [circleRing({ lat: cp.shape.center[1], lon: cp.shape.center[0] }, cp.shape.radiusM, 32)] },
  );
  const sample = fixes.filter((_, i) => i % BASELINE_STRIDE === 0);
  const loop = (withBbox: boolean) => {
    // turf skips the ring test when the point is outside a polygon's `bbox`: the fairest plain loop.
    const shapes = withBbox
      ? polygons.map((p) => {
          const ring = p.coordinates[0] ?? [];
          const lons = ring.map((q) => q[0] ?? 0);
          const lats = ring.map((q) => q[1] ?? 0);
          return { ...p, bbox: [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)] as [number, number, number, number] };
        })
      : polygons;
    return () => {
      const start = performance.now();
      let inside = 0;
      for (const fix of sample) {
        const pt = [fix.lon, fix.lat];
        for (const shape of shapes) if (booleanPointInPolygon(pt, shape)) inside++;
      }
      sink += inside;
      return ((performance.now() - start) * 1000) / sample.length;
    };
  };
  const plain = loop(false);
  const boxed = loop(true);
  plain();
  boxed();
  const plainUs = median(Array.from({ length: SAMPLES }, plain));
  const boxedUs = median(Array.from({ length: SAMPLES }, boxed));
  if (!Number.isFinite(sink)) throw new Error('bench sink lost');

  const circles = checkpoints.filter((c) => c.shape.kind === 'circle').length;
  console.log(`city: ${CITY_KM} × ${CITY_KM} km, ${CHECKPOINTS.toLocaleString('en-US')} checkpoints (${circles} circles, ${CHECKPOINTS - circles} polygons)`);
  console.log(
    `fixes: Beijing long run, ${n.toLocaleString('en-US')} at 1 Hz, shifted into the city; ${engine.enters} enters, ${engine.checkins} check-ins per pass`,
  );
  console.log(`index build (10,000 checkpoints):      ${median(builds).toFixed(1)} ms`);
  console.log(
    `GeofenceEngine.offer:                  ${engineUs.toFixed(2)} µs/fix (median of ${SAMPLES} passes over ${n} fixes; ${engine.candidates.toFixed(2)} checkpoints within accuracy of a fix)`,
  );
  console.log(
    `  dense ${CORE_KM} × ${CORE_KM} km core, Osaka walk:    ${core.us.toFixed(2)} µs/fix (${core.candidates.toFixed(1)} checkpoints within accuracy of a fix; ${core.enters} enters, ${core.checkins} check-ins)`,
  );
  console.log(`turf booleanPointInPolygon loop:       ${plainUs.toFixed(0)} µs/fix (median of ${SAMPLES} passes over ${sample.length} fixes)`);
  console.log(`  same loop with a bbox on each:       ${boxedUs.toFixed(0)} µs/fix (${(boxedUs / engineUs).toFixed(0)}× the engine)`);
  console.log(`target ≤ 50 µs/fix: ${engineUs <= 50 ? 'met' : 'MISSED'}`);
  console.log(`bench geofence: ${engineUs.toFixed(2)} µs/fix, ${(plainUs / engineUs).toFixed(0)}× vs turf loop`);
}
