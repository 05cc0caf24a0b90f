import { haversineM } from '../src/domain/geo.js';
import { type Fix, FixFilter, simplifyTrack } from '../src/domain/track-filter.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../src/simulator/traces.js';
import { median } from './cpu.js';

// The worker's per-fix cost: FixFilter over the longest real track (the Beijing long run, 9,915
// fixes at 1 Hz, more than an 8-hour shift at one fix per 5 s), and Douglas–Peucker over what
// it kept and over the raw run, beside the least any per-fix pass can do: one haversine between
// consecutive points. The filter does that haversine plus its checks, so the ratio shows what
// the checks cost on top.

const SAMPLES = 9;
/** Passes over the track per sample, so one sample lasts tens of milliseconds, not one. */
const PASSES = 20;
const DELIVERY_MS = 200;

/** Median throughput in items/s of `pass`, which handles `items` items and returns a value kept live. */
function throughput(items: number, pass: () => number): { perS: number; sink: number } {
  let sink = 0;
  for (let w = 0; w < 3; w++) sink += pass(); // let the JIT settle first
  const rates: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const start = performance.now();
    for (let p = 0; p < PASSES; p++) sink += pass();
    rates.push((items * PASSES) / ((performance.now() - start) / 1000));
  }
  return { perS: median(rates), sink };
}

export async function run(): Promise<void> {
  const track = shiftTo(loadTrack(TRACE_FILES.beijingLong));
  const fixes: Fix[] = track.map((p) => ({ lat: p.lat, lon: p.lon, accuracy: 5, fixAt: p.time! }));
  const n = fixes.length;

  const baseline = throughput(n, () => {
    let d = 0;
    for (let i = 1; i < n; i++) d += haversineM(fixes[i - 1]!, fixes[i]!);
    return d;
  });

  const kept: Fix[] = [];
  const filter = throughput(n, () => {
    const f = new FixFilter();
    let count = 0;
    kept.length = 0;
    for (const fix of fixes) {
      if (f.offer(fix, fix.fixAt + DELIVERY_MS).keep) {
        count++;
        kept.push(fix);
      }
    }
    return count;
  });

  const simplifyKept = throughput(kept.length, () => simplifyTrack(kept, 5).length);
  const simplifyRaw = throughput(n, () => simplifyTrack(fixes, 5).length);

  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`track: Beijing long run, ${fmt(n)} fixes; filter keeps ${fmt(kept.length)}; median of ${SAMPLES} samples × ${PASSES} passes`);
  console.log(`plain haversine pass:        ${fmt(baseline.perS)} points/s`);
  console.log(`FixFilter.offer:             ${fmt(filter.perS)} fixes/s (${((1e6 / filter.perS) * 1000).toFixed(0)} ns a fix)`);
  console.log(`simplifyTrack(kept, 5 m):    ${fmt(simplifyKept.perS)} points/s → ${simplifyTrack(kept, 5).length} points`);
  console.log(`simplifyTrack(raw, 5 m):     ${fmt(simplifyRaw.perS)} points/s → ${simplifyTrack(fixes, 5).length} points`);
  if (!Number.isFinite(baseline.sink + filter.sink + simplifyKept.sink + simplifyRaw.sink)) throw new Error('bench sink lost');
  console.log(`bench track-filter: ${fmt(filter.perS)} points/s, ${(filter.perS / baseline.perS).toFixed(2)}× vs plain haversine pass`);
}
