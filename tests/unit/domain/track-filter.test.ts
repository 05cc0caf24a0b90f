import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haversineM, toLocalM } from '../../../src/domain/geo.js';
import {
  DEFAULT_FILTER_CONFIG,
  type FilterConfig,
  type Fix,
  FixFilter,
  simplifyTrack,
  trackDistanceM,
  type Verdict,
} from '../../../src/domain/track-filter.js';
import { loadTrack, loadTracks, shiftTo, TRACE_FILES, type TracePoint } from '../../../src/simulator/traces.js';

// The files carry no accuracy: every fix gets a phone's good-sky figure. Fixes arrive shortly
// after they were taken, as watchPosition delivers them.
const ACCURACY_M = 5;
const DELIVERY_MS = 200;
// The app pauses tracking after this long without a fix (DESIGN.md: "no fix for too long").
const APP_GAP_MS = 30_000;
// A foot patrol: a sprinting officer, not a car. The default (70 m/s) also covers vehicles.
const FOOT: Partial<FilterConfig> = { maxSpeedMps: 10 };

type Kept = TracePoint & { index: number };

interface Fed {
  verdicts: Verdict[];
  kept: Kept[];
  /** Kept fixes split where the app paused tracking. */
  segments: Kept[][];
}

/** Offers a real track to a fresh filter, fix by fix, as the worker would. */
function feed(points: readonly TracePoint[], options: { config?: Partial<FilterConfig>; gapMs?: number; accuracy?: number } = {}): Fed {
  const filter = new FixFilter(options.config);
  const verdicts: Verdict[] = [];
  const kept: Kept[] = [];
  const segments: Kept[][] = [[]];
  let clock = 0;
  points.forEach((p, index) => {
    const prev = points[index - 1];
    if (options.gapMs !== undefined && prev?.time != null && p.time != null && p.time - prev.time > options.gapMs) {
      filter.resetAfterGap();
      segments.push([]);
    }
    if (p.time !== null) clock = p.time + DELIVERY_MS;
    const verdict = filter.offer({ lat: p.lat, lon: p.lon, accuracy: options.accuracy ?? ACCURACY_M, fixAt: p.time ?? Number.NaN }, clock);
    verdicts.push(verdict);
    if (verdict.keep) {
      kept.push({ ...p, index });
      segments[segments.length - 1]!.push({ ...p, index });
    }
  });
  return { verdicts, kept, segments: segments.filter((s) => s.length > 0) };
}

const reasonOf = (v: Verdict | undefined): string => (v === undefined ? 'none' : v.keep ? 'keep' : v.reason);
const count = (fed: Fed, reason: string): number => fed.verdicts.filter((v) => reasonOf(v) === reason).length;
const timeOf = (p: TracePoint): number => p.time!;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Raw path length, optionally leaving out steps across gaps (which the app does not draw). */
function rawLengthM(points: readonly TracePoint[], gapMs = Number.POSITIVE_INFINITY): number {
  let d = 0;
  for (let i = 1; i < points.length; i++) if (timeOf(points[i]!) - timeOf(points[i - 1]!) <= gapMs) d += haversineM(points[i - 1]!, points[i]!);
  return d;
}

/** Stationary periods as SOURCES.md defines them: a maximal run within 10 m of its first point for ≥ 30 s. */
function stationaryPeriods(points: readonly TracePoint[]): Array<{ from: number; to: number; seconds: number }> {
  const periods = [];
  for (let i = 0; i < points.length;) {
    let j = i;
    while (j + 1 < points.length && haversineM(points[i]!, points[j + 1]!) <= 10) j++;
    const seconds = (timeOf(points[j]!) - timeOf(points[i]!)) / 1000;
    if (seconds >= 30) {
      periods.push({ from: i, to: j, seconds });
      i = j + 1;
    } else i++;
  }
  return periods;
}

/** The step with the highest implied speed: where SOURCES.md locates each file's worst outlier. */
function fastestStep(points: readonly TracePoint[]): { index: number; mps: number } {
  let best = { index: -1, mps: 0 };
  for (let i = 1; i < points.length; i++) {
    const mps = haversineM(points[i - 1]!, points[i]!) / ((timeOf(points[i]!) - timeOf(points[i - 1]!)) / 1000);
    if (mps > best.mps) best = { index: i, mps };
  }
  return best;
}

const at = (iso: string): number => Date.parse(iso);
const fix = (over: Partial<Fix> = {}): Fix => ({ lat: 23.11, lon: 114.41, accuracy: 5, fixAt: at('2026-11-29T08:00:00Z'), ...over });
/** A point `m` metres north of (23.11, 114.41). */
const north = (m: number): { lat: number; lon: number } => ({ lat: 23.11 + m / 111_195.08, lon: 114.41 });

describe('trace loaders', () => {
  it('read every point SOURCES.md counts, with times, elevations and the DC file as 3 tracks', () => {
    expect(loadTrack(TRACE_FILES.osakaWalk)).toHaveLength(2652);
    expect(loadTrack(TRACE_FILES.beijingLong)).toHaveLength(9915);
    expect(loadTrack(TRACE_FILES.munichDrive)).toHaveLength(1194);
    expect(loadTracks(TRACE_FILES.washingtonDc).map((t) => t.length)).toEqual([2280, 115, 2605]);
    const osaka = loadTrack(TRACE_FILES.osakaWalk)[0]!;
    expect(osaka).toEqual({ lat: 34.671928295865655, lon: 135.51124412566423, time: at('2024-10-01T09:57:10.000Z'), ele: 11.600000381469727 });
    // Barefoot: WKT is lon-lat, and "+0200" is two hours ahead of UTC.
    expect(loadTrack(TRACE_FILES.munichDrive)[0]).toEqual({ lat: 48.16350662940509, lon: 11.564388282625075, time: at('2014-09-10T04:54:07Z') });
    expect(loadTracks(TRACE_FILES.washingtonDc)[2]!.every((p) => p.time === null && p.ele === undefined)).toBe(true);
  });

  it('shift a track into the Huizhou demo area without changing its length', () => {
    const raw = loadTrack(TRACE_FILES.osakaWalk);
    const shifted = shiftTo(raw);
    expect(shifted[0]).toMatchObject({ lat: 23.11, lon: 114.41 });
    expect(rawLengthM(shifted) / rawLengthM(raw)).toBeCloseTo(1, 3);
    expect(raw[0]!.lat).toBeCloseTo(34.6719, 4); // the loaded track itself is untouched
  });
});

describe('FixFilter on synthetic fixes', () => {
  it('keeps the first good fix of a shift', () => {
    expect(new FixFilter().offer(fix(), fix().fixAt + 100)).toEqual({ keep: true });
  });

  it('rejects NaN, infinite and out-of-range numbers as invalid', () => {
    const t = fix().fixAt;
    const bad: Fix[] = [
      fix({ lat: Number.NaN }),
      fix({ lon: Number.POSITIVE_INFINITY }),
      fix({ lat: 90.0001 }),
      fix({ lon: -180.5 }),
      fix({ accuracy: Number.NaN }),
      fix({ accuracy: -1 }),
      fix({ fixAt: Number.NaN }),
    ];
    for (const f of bad) expect(new FixFilter().offer(f, t + 100), JSON.stringify(f)).toEqual({ keep: false, reason: 'invalid' });
    expect(new FixFilter().offer(fix(), Number.NaN)).toEqual({ keep: false, reason: 'invalid' });
  });

  it('drops a fix older than maxFixAgeMs or dated beyond maxFutureMs as stale', () => {
    const now = fix().fixAt;
    expect(reasonOf(new FixFilter().offer(fix({ fixAt: now - 30_001 }), now))).toBe('stale');
    expect(reasonOf(new FixFilter().offer(fix({ fixAt: now - 29_000 }), now))).toBe('keep');
    expect(reasonOf(new FixFilter().offer(fix({ fixAt: now + 10_001 }), now))).toBe('stale');
  });

  it('drops a fix older than one already seen as out-of-order, and one with the same time as duplicate', () => {
    const filter = new FixFilter();
    const t = fix().fixAt;
    expect(reasonOf(filter.offer(fix({ fixAt: t }), t + 100))).toBe('keep');
    expect(reasonOf(filter.offer(fix({ ...north(30), fixAt: t + 10_000 }), t + 10_100))).toBe('keep');
    expect(reasonOf(filter.offer(fix({ ...north(60), fixAt: t + 5_000 }), t + 10_200))).toBe('out-of-order');
    expect(reasonOf(filter.offer(fix({ ...north(30), fixAt: t + 10_000 }), t + 10_300))).toBe('duplicate');
    // Same time, other place: the browser re-delivered a fix it had revised; the first one stands.
    expect(reasonOf(filter.offer(fix({ ...north(31), fixAt: t + 10_000 }), t + 10_300))).toBe('duplicate');
  });

  it('drops a fix whose accuracy is worse than maxAccuracyM as inaccurate', () => {
    const filter = new FixFilter();
    const t = fix().fixAt;
    expect(reasonOf(filter.offer(fix({ accuracy: 50.5 }), t + 100))).toBe('inaccurate');
    expect(reasonOf(filter.offer(fix({ accuracy: 50, fixAt: t + 1_000 }), t + 1_100))).toBe('keep');
  });

  it('samples a walk every 5 s, a car every 10 m, and a standing officer every 60 s', () => {
    const t = fix().fixAt;
    const walk = new FixFilter();
    const walked = Array.from({ length: 21 }, (_, s) => walk.offer(fix({ ...north(1.4 * s), fixAt: t + s * 1000 }), t + s * 1000 + 100));
    expect(walked.flatMap((v, s) => (v.keep ? [s] : []))).toEqual([0, 5, 10, 15, 20]);
    const car = new FixFilter();
    const drove = Array.from({ length: 6 }, (_, s) => car.offer(fix({ ...north(15 * s), fixAt: t + s * 1000 }), t + s * 1000 + 100));
    expect(drove.every((v) => v.keep)).toBe(true);
    const stand = new FixFilter();
    // Jitter of ±2 m around one spot for 3 minutes.
    const stood = Array.from({ length: 181 }, (_, s) => stand.offer(fix({ ...north(2 * Math.sin(s)), fixAt: t + s * 1000 }), t + s * 1000 + 100));
    expect(stood.flatMap((v, s) => (v.keep ? [s] : []))).toEqual([0, 60, 120, 180]);
  });

  it('drops a single implausible jump and keeps the next fix back on the route', () => {
    const filter = new FixFilter();
    const t = fix().fixAt;
    expect(reasonOf(filter.offer(fix({ fixAt: t }), t))).toBe('keep');
    expect(reasonOf(filter.offer(fix({ ...north(500), fixAt: t + 5_000 }), t + 5_000))).toBe('jump');
    expect(reasonOf(filter.offer(fix({ ...north(8), fixAt: t + 6_000 }), t + 6_000))).toBe('keep');
  });

  it('accepts a new place once consecutive fixes agree there for relocationMinMs', () => {
    const filter = new FixFilter();
    const t = fix().fixAt;
    filter.offer(fix({ fixAt: t }), t);
    // 3 km away 1 s later (a wrong first fix, say): walking fixes there, 1 s apart.
    const verdicts = Array.from({ length: 15 }, (_, s) => reasonOf(filter.offer(fix({ ...north(3000 + s), fixAt: t + (s + 1) * 1000 }), t + (s + 1) * 1000)));
    expect(verdicts.indexOf('keep')).toBe(10); // 11 agreeing fixes: the 1st and 11th are 10 s apart
    expect(verdicts.slice(0, 10).every((v) => v === 'jump')).toBe(true);
  });

  it('takes the newest fix after maxJumpRunMs of jumps that never agree, so a foot filter in a car is not stuck', () => {
    const filter = new FixFilter(FOOT);
    const t = fix().fixAt;
    filter.offer(fix({ fixAt: t }), t);
    // 30 m/s: every fix is a jump from the last kept one and from the one before.
    const verdicts = Array.from({ length: 40 }, (_, s) =>
      reasonOf(filter.offer(fix({ ...north(30 * (s + 1)), fixAt: t + (s + 1) * 1000 }), t + (s + 1) * 1000)),
    );
    expect(verdicts.indexOf('keep')).toBe(30);
  });

  it('keeps the next good fix after resetAfterGap even when it is near and soon', () => {
    const filter = new FixFilter();
    const t = fix().fixAt;
    filter.offer(fix({ fixAt: t }), t);
    expect(reasonOf(filter.offer(fix({ ...north(1), fixAt: t + 2_000 }), t + 2_000))).toBe('sampled-out');
    filter.resetAfterGap();
    expect(reasonOf(filter.offer(fix({ ...north(1), fixAt: t + 3_000 }), t + 3_000))).toBe('keep');
    // Time order survives the reset: a cached fix from before the pause is still out of order.
    expect(reasonOf(filter.offer(fix({ fixAt: t + 2_500 }), t + 3_100))).toBe('out-of-order');
  });

  it('recovers when the device clock is set back instead of marking every later fix out of order', () => {
    const filter = new FixFilter();
    const t = fix().fixAt;
    filter.offer(fix({ fixAt: t }), t);
    const back = t - 3_600_000;
    expect(reasonOf(filter.offer(fix({ ...north(20), fixAt: back }), back + 100))).toBe('keep');
  });

  it('takes its thresholds from the config it is given', () => {
    const t = fix().fixAt;
    const strict = new FixFilter({ maxAccuracyM: 20, maxFixAgeMs: 5_000 });
    expect(reasonOf(strict.offer(fix({ accuracy: 30 }), t))).toBe('inaccurate');
    expect(reasonOf(strict.offer(fix({ fixAt: t }), t + 6_000))).toBe('stale');
    expect(reasonOf(new FixFilter().offer(fix({ accuracy: 30, fixAt: t }), t + 6_000))).toBe('keep');
    expect(DEFAULT_FILTER_CONFIG).toMatchObject({
      maxAccuracyM: 50,
      maxFixAgeMs: 30_000,
      movingIntervalMs: 5_000,
      movingDistanceM: 10,
      stationaryIntervalMs: 60_000,
      maxSpeedMps: 70,
    });
  });

  it('whatever the stream, keeps fixes in strictly increasing time and never rejects fresh fixes as jumps for longer than maxJumpRunMs', () => {
    const step = fc.record({
      dtMs: fc.integer({ min: 0, max: 8_000 }),
      moveM: fc.double({ min: -3_000, max: 3_000, noNaN: true }),
      accuracy: fc.double({ min: 0, max: 80, noNaN: true }),
      lateMs: fc.integer({ min: -2_000, max: 40_000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 300 }), (steps) => {
        const filter = new FixFilter();
        let t = fix().fixAt;
        let y = 0;
        let lastKeptAt = Number.NEGATIVE_INFINITY;
        let jumpingSince = Number.NaN;
        for (const s of steps) {
          t += s.dtMs;
          y += s.moveM;
          const v = filter.offer(fix({ ...north(y), accuracy: s.accuracy, fixAt: t }), t + s.lateMs);
          if (v.keep) {
            expect(t).toBeGreaterThan(lastKeptAt);
            lastKeptAt = t;
          }
          if (reasonOf(v) === 'jump') {
            if (Number.isNaN(jumpingSince)) jumpingSince = t;
            expect(t - jumpingSince).toBeLessThan(DEFAULT_FILTER_CONFIG.maxJumpRunMs);
          } else if (v.keep || reasonOf(v) === 'sampled-out') jumpingSince = Number.NaN;
        }
      }),
    );
  });
});

describe('FixFilter on the real tracks (shifted to Huizhou)', () => {
  it('Osaka walk: keeps a fix every 5 s while walking, about one a minute in its 3 stops, and 92–100 % of the raw length', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.osakaWalk));
    const fed = feed(track);
    const stops = stationaryPeriods(track);
    expect(stops.map((s) => s.seconds)).toEqual([84, 213, 104]); // SOURCES.md: 213 s, 104 s and 84 s
    const inStop = (i: number) => stops.some((s) => i >= s.from && i <= s.to);
    for (const stop of stops) {
      const kept = fed.kept.filter((k) => k.index >= stop.from && k.index <= stop.to).length;
      // One a minute, plus walking into and out of the 10 m circle; 5 s sampling would be 17–43.
      expect(kept, `stop of ${stop.seconds} s`).toBeGreaterThanOrEqual(Math.floor(stop.seconds / 60));
      expect(kept, `stop of ${stop.seconds} s`).toBeLessThanOrEqual(Math.ceil(stop.seconds / 60) + 3);
    }
    const intervals: number[] = [];
    const spacings: number[] = [];
    for (let k = 1; k < fed.kept.length; k++) {
      const [a, b] = [fed.kept[k - 1]!, fed.kept[k]!];
      if (inStop(a.index) || inStop(b.index)) continue;
      intervals.push((timeOf(b) - timeOf(a)) / 1000);
      spacings.push(haversineM(a, b));
    }
    expect(median(intervals)).toBe(5);
    expect(intervals.filter((s) => s <= 6).length / intervals.length).toBeGreaterThan(0.9);
    expect(median(spacings)).toBeLessThan(10);
    // 2,652 fixes at 1 Hz; observed 442 kept, all others sampled out.
    expect(fed.kept.length).toBeGreaterThan(400);
    expect(fed.kept.length).toBeLessThan(2652 / 5);
    expect(count(fed, 'sampled-out')).toBe(2652 - fed.kept.length);
    // Observed 94.4 %: the 1 Hz wiggle and the jitter while standing are what is left out.
    const ratio = trackDistanceM([fed.kept]) / rawLengthM(track);
    expect(ratio).toBeGreaterThan(0.92);
    expect(ratio).toBeLessThan(1);
  });

  it('Osaka pause: after resetAfterGap at the 1,472 s gap the next fix is kept and the 378 m across it is not counted', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.osakaPause));
    const gap = track.findIndex((p, i) => i > 0 && timeOf(p) - timeOf(track[i - 1]!) === 1_472_000);
    expect(gap).toBe(2846);
    expect(haversineM(track[gap - 1]!, track[gap]!)).toBeCloseTo(378.5, 0);
    const fed = feed(track, { gapMs: APP_GAP_MS });
    expect(fed.verdicts[gap]).toEqual({ keep: true });
    // Gaps of 110 s, 1,472 s and 34 s: four segments, the distance of none bridged.
    expect(fed.segments.map((s) => s[0]!.index)).toEqual([0, 2270, 2846, 3062]);
    const walked = trackDistanceM(fed.segments);
    // Bridged, the kept fixes either side of the three gaps would add about 76 + 378 + 56 m.
    expect(trackDistanceM([fed.kept]) - walked).toBeGreaterThan(450);
    const rawWithoutGaps = rawLengthM(track, APP_GAP_MS);
    expect(walked / rawWithoutGaps).toBeGreaterThan(0.9);
    expect(walked / rawWithoutGaps).toBeLessThan(1);
  });

  it('Osaka pause: the 11.2 and 8.2 m/s re-acquisition steps after the 110 s gap do not leave the track stuck, even under a 2 m/s limit', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.osakaPause));
    const worst = fastestStep(track);
    expect(worst.index).toBe(2273);
    expect(worst.mps).toBeCloseTo(11.2, 1);
    const runs = [
      { config: {}, accuracy: ACCURACY_M },
      { config: FOOT, accuracy: ACCURACY_M },
      // A walking-pace limit with survey-grade accuracy, so the 11.2 m/s fix really is a jump.
      { config: { maxSpeedMps: 2 }, accuracy: 1 },
    ];
    for (const run of runs) {
      const label = JSON.stringify(run);
      const fed = feed(track, { ...run, gapMs: APP_GAP_MS });
      expect(fed.verdicts[2270], label).toEqual({ keep: true });
      // Every raw fix for the minute after the gap is within 12 m of the newest kept fix.
      let latest = fed.kept.find((k) => k.index === 2270)!;
      for (let i = 2270; i < 2330; i++) {
        latest = fed.kept.find((k) => k.index === i) ?? latest;
        expect(haversineM(latest, track[i]!), `fix ${i} with ${label}`).toBeLessThan(12);
      }
    }
    const strict = feed(track, { config: { maxSpeedMps: 2 }, accuracy: 1, gapMs: APP_GAP_MS });
    expect(
      strict.verdicts
        .slice(2270, 2290)
        .map(reasonOf)
        .filter((r) => r === 'jump'),
    ).toEqual(['jump']);
    expect(strict.verdicts[2273]).toEqual({ keep: false, reason: 'jump' });
  });

  it('Beijing marathon: the 129 m/s fix is dropped as a jump, and a foot limit drops the burst around it without a false jump elsewhere in 5.5 h', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.beijingMarathon));
    const worst = fastestStep(track);
    expect(worst.index).toBe(731);
    expect(worst.mps).toBeCloseTo(129.3, 0);
    const from = track.findIndex((p) => timeOf(p) >= at('2018-09-16T00:46:30Z'));
    const to = track.findIndex((p) => timeOf(p) > at('2018-09-16T00:47:20Z')) - 1;
    const inBurst = (i: number) => i >= from && i <= to;
    const burstLength = (points: readonly TracePoint[]) =>
      trackDistanceM([points.filter((p) => timeOf(p) >= timeOf(track[from]!) && timeOf(p) <= timeOf(track[to]!))]);

    // The default (vehicle) limit: 129 m/s is the one impossible step; 13–56 m/s zig-zags are not.
    const vehicle = feed(track);
    expect(vehicle.verdicts[731]).toEqual({ keep: false, reason: 'jump' });
    expect(count(vehicle, 'jump')).toBe(1);
    expect(trackDistanceM([vehicle.kept])).toBeLessThan(rawLengthM(track));

    const foot = feed(track, { config: FOOT });
    const jumps = foot.verdicts.flatMap((v, i) => (reasonOf(v) === 'jump' ? [i] : []));
    // Outside the burst, only fixes that end one of SOURCES.md's 28 steps above 8 m/s (observed:
    // one, index 822, 68 m sideways and back).
    const stepMps = (i: number) => haversineM(track[i - 1]!, track[i]!) / ((timeOf(track[i]!) - timeOf(track[i - 1]!)) / 1000);
    expect(
      jumps.filter((i) => !inBurst(i)).every((i) => stepMps(i) > 8),
      `jumps at ${jumps.join(',')}`,
    ).toBe(true);
    expect(jumps.filter((i) => !inBurst(i)).length).toBeLessThanOrEqual(2);
    expect(jumps.filter(inBurst).length).toBeGreaterThanOrEqual(10); // of the 23 fixes from 00:46:30 to 00:47:20; observed 14
    expect(jumps).toContain(731);
    // Over the 50 s burst the runner moved ~160 m; the raw path says 776 m, the kept fixes 371 m.
    expect(burstLength(foot.kept)).toBeLessThan(burstLength(track) / 2);
    // The race is 42,195 m; the raw path says 44,577 m. Observed: 43,929 m.
    const total = trackDistanceM([foot.kept]);
    expect(Math.abs(total - 42_195)).toBeLessThan(Math.abs(rawLengthM(track) - 42_195));
    expect(total / 42_195).toBeLessThan(1.05);
  });

  it('Beijing long run: the 15 s dropout re-acquisition costs a foot limit at most 7 s of jumps', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.beijingLong));
    const foot = feed(track, { config: FOOT });
    const jumps = foot.verdicts.flatMap((v, i) => (reasonOf(v) === 'jump' ? [i] : []));
    expect(jumps.length).toBeGreaterThan(0);
    expect(
      jumps.every((i) => i >= 3093 && i < 3100),
      `jumps at ${jumps.join(',')}`,
    ).toBe(true);
    expect(count(feed(track), 'jump')).toBe(0); // 44.7 m/s is plausible for the default (vehicle) limit
    expect(trackDistanceM([foot.kept]) / rawLengthM(track)).toBeGreaterThan(0.98);
  });

  it('Munich drive: the frozen fix yields no kept duplicates and the 470 m catch-up after the tunnel is kept as travel', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.munichDrive));
    const fed = feed(track);
    // SOURCES.md: the same coordinate from 07:03:53 to 07:04:26 +02:00, then 470 m in 1 s.
    const held = track.findIndex((p) => timeOf(p) === at('2014-09-10T05:03:53Z'));
    const jump = fastestStep(track);
    expect(jump.index).toBe(held + 34);
    expect(jump.mps).toBeCloseTo(470.4, 0);
    expect(track.slice(held, jump.index).every((p) => p.lat === track[held]!.lat && p.lon === track[held]!.lon)).toBe(true);
    expect(fed.kept.filter((k) => k.index > held && k.index < jump.index)).toEqual([]);
    // Measured from the last new fix before the outage, the catch-up is 470 m in 34 s (13.8 m/s),
    // the car's own speed either side: the route, not an outlier. Dropping it would lose 470 m.
    expect(fed.verdicts[jump.index]).toEqual({ keep: true });
    for (let k = 1; k < fed.kept.length; k++) {
      const [a, b] = [fed.kept[k - 1]!, fed.kept[k]!];
      if (a.lat === b.lat && a.lon === b.lon)
        expect(timeOf(b) - timeOf(a), `kept ${a.index} and ${b.index}`).toBeGreaterThanOrEqual(DEFAULT_FILTER_CONFIG.stationaryIntervalMs);
    }
    // Observed 13,629 m of 13,647 m raw; 720 of 1,194 fixes kept (a car moves ≥ 10 m a second).
    expect(trackDistanceM([fed.kept]) / rawLengthM(track)).toBeGreaterThan(0.99);
    expect(count(fed, 'jump')).toBe(0);
  });

  it('Washington DC: zero-interval repeats are dropped as duplicates, the 47 s gap is not bridged and untimed points are invalid', () => {
    const [dc, i95, untimed] = loadTracks(TRACE_FILES.washingtonDc).map((t) => shiftTo(t));
    const dcFed = feed(dc!);
    const sameTime = dc!.flatMap((p, i) => (i > 0 && p.time === dc![i - 1]!.time ? [i] : []));
    expect(sameTime).toHaveLength(2223);
    expect(sameTime.every((i) => reasonOf(dcFed.verdicts[i]) === 'duplicate')).toBe(true);
    expect(count(dcFed, 'duplicate')).toBe(2223);
    const keptTimes = dcFed.kept.map(timeOf);
    expect(new Set(keptTimes).size).toBe(keptTimes.length);
    expect(dcFed.kept.length).toBeLessThanOrEqual(27); // SOURCES.md: 27 distinct positions

    const i95Fed = feed(i95!, { gapMs: APP_GAP_MS });
    expect(i95Fed.segments).toHaveLength(2);
    const afterGap = i95Fed.segments[1]![0]!;
    expect(timeOf(afterGap) - timeOf(i95![afterGap.index - 1]!)).toBe(47_000);
    expect(trackDistanceM([i95Fed.kept]) - trackDistanceM(i95Fed.segments)).toBeGreaterThan(370);

    const untimedFed = feed(untimed!);
    expect(untimedFed.verdicts).toHaveLength(2605);
    expect(count(untimedFed, 'invalid')).toBe(2605);
  });

  it('drops fixes delivered late or out of order from a real walk, and poor-accuracy fixes', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.osakaWalk)).slice(0, 600);
    const filter = new FixFilter();
    const verdicts: string[] = [];
    track.forEach((p, i) => {
      const t = timeOf(p);
      const base = { lat: p.lat, lon: p.lon, accuracy: ACCURACY_M, fixAt: t };
      if (i % 100 === 50) {
        // A cached fix handed over 40 s late, then one that overtook its predecessor.
        verdicts.push(reasonOf(filter.offer(base, t + 40_000)));
      } else if (i % 100 === 70) {
        verdicts.push(reasonOf(filter.offer({ ...base, accuracy: 65 }, t + DELIVERY_MS)));
      } else {
        verdicts.push(reasonOf(filter.offer(base, t + DELIVERY_MS)));
        if (i % 100 === 90) verdicts.push(reasonOf(filter.offer({ ...base, fixAt: t - 1_000 }, t + DELIVERY_MS)));
      }
    });
    expect(verdicts.filter((r) => r === 'stale')).toHaveLength(6);
    expect(verdicts.filter((r) => r === 'inaccurate')).toHaveLength(6);
    expect(verdicts.filter((r) => r === 'out-of-order')).toHaveLength(6);
  });
});

describe('trackDistanceM', () => {
  it('sums haversine steps within segments and never bridges the gap between them', () => {
    // One degree of latitude on a 6,371,008.8 m sphere.
    expect(haversineM({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111_195.08, 1);
    const a = [north(0), north(100), north(250)];
    const b = [north(5_000), north(5_040)];
    expect(trackDistanceM([a, b])).toBeCloseTo(290, 3);
    expect(trackDistanceM([[...a, ...b]])).toBeCloseTo(5_040, 3);
    expect(trackDistanceM([[], [north(1)], a])).toBeCloseTo(250, 3);
  });
});

describe('simplifyTrack', () => {
  /** Largest distance from any original point to the simplified polyline, in local metres. */
  function worstDeviationM(points: readonly TracePoint[], simple: readonly TracePoint[]): number {
    const origin = points[0]!;
    const xy = (p: TracePoint) => toLocalM(origin, p);
    const segs = simple.slice(1).map((b, i) => [xy(simple[i]!), xy(b)] as const);
    let worst = 0;
    for (const p of points) {
      const q = xy(p);
      let best = Number.POSITIVE_INFINITY;
      for (const [a, b] of segs) {
        const dx = b.x - a.x;
        const dy = b.y - a.y;
        const len2 = dx * dx + dy * dy;
        const t = len2 ? Math.max(0, Math.min(1, ((q.x - a.x) * dx + (q.y - a.y) * dy) / len2)) : 0;
        best = Math.min(best, Math.hypot(q.x - a.x - t * dx, q.y - a.y - t * dy));
      }
      worst = Math.max(worst, best);
    }
    return worst;
  }

  it('reduces the 9,915-point Beijing run to under 5 % of its points within a 5 m tolerance, keeping both ends', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.beijingLong));
    const simple = simplifyTrack(track, 5);
    expect(simple.length).toBeLessThan(track.length * 0.05); // observed 236
    expect(simple[0]).toBe(track[0]);
    expect(simple.at(-1)).toBe(track.at(-1));
    expect(worstDeviationM(track, simple)).toBeLessThanOrEqual(5);
    // Points come back as the caller's objects, in order.
    const indexes = simple.map((p) => track.indexOf(p));
    expect(indexes).toEqual([...indexes].sort((x, y) => x - y));
  });

  it('keeps more points for a tighter tolerance and only the ends for a straight line', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.osakaWalk));
    const loose = simplifyTrack(track, 10);
    const tight = simplifyTrack(track, 2);
    expect(tight.length).toBeGreaterThan(loose.length);
    expect(worstDeviationM(track, tight)).toBeLessThanOrEqual(2);
    const line = Array.from({ length: 50 }, (_, i) => ({ ...north(i * 10), id: i }));
    expect(simplifyTrack(line, 1).map((p) => p.id)).toEqual([0, 49]);
  });

  it('does not collapse a round that returns to its start, and copes with tiny inputs', () => {
    const round = [north(0), { lat: 23.11, lon: 114.411 }, north(100), north(0)];
    expect(simplifyTrack(round, 5)).toHaveLength(4);
    expect(simplifyTrack([], 5)).toEqual([]);
    expect(simplifyTrack([north(0)], 5)).toEqual([north(0)]);
    expect(simplifyTrack([north(0), north(1)], 5)).toHaveLength(2);
  });
});

describe('closing a segment', () => {
  it('hands back the last fix that sampling held back, once, so the route reaches where the officer stopped', () => {
    const filter = new FixFilter();
    const t0 = Date.UTC(2026, 10, 29, 8);
    const at = (i: number, metres: number) => ({ lat: 23.11 + metres / 111_195, lon: 114.41, accuracy: 5, fixAt: t0 + i * 1000 });
    expect(filter.offer(at(0, 0), t0)).toEqual({ keep: true });
    expect(filter.offer(at(1, 4), t0 + 1000)).toEqual({ keep: false, reason: 'sampled-out' });
    expect(filter.offer(at(2, 8), t0 + 2000)).toEqual({ keep: false, reason: 'sampled-out' });
    expect(filter.closeSegment()).toEqual(at(2, 8));
    expect(filter.closeSegment()).toBeNull();
    // After the gap the next good fix starts a new segment and is kept.
    expect(filter.offer(at(100, 500), t0 + 100_000)).toEqual({ keep: true });
  });

  it('has nothing to hand back when the last fix was kept', () => {
    const filter = new FixFilter();
    const t0 = Date.UTC(2026, 10, 29, 8);
    filter.offer({ lat: 23.11, lon: 114.41, accuracy: 5, fixAt: t0 }, t0);
    expect(filter.closeSegment()).toBeNull();
  });
});

describe('keeping a sampled-out fix as evidence', () => {
  const at = (s: number, lat: number, accuracy = 5): Fix => ({
    lat,
    lon: 114.41,
    accuracy,
    altitude: null,
    speed: null,
    heading: null,
    fixAt: 1_800_000_000_000 + s * 1000,
  });
  const now = (fix: Fix) => fix.fixAt + 100;

  it('keeps a fix that only sampling held back, and never one dropped for its accuracy', () => {
    const filter = new FixFilter();
    const first = at(0, 23.11);
    expect(filter.offer(first, now(first)).keep).toBe(true);
    const standing = at(3, 23.11000001);
    const sampled = filter.offer(standing, now(standing));
    expect(sampled).toEqual({ keep: false, reason: 'sampled-out' });
    expect(filter.keepSampled(standing, sampled)).toEqual({ keep: true });
    // Kept means the next fix is judged against it: 2 s later is again too soon.
    const next = at(5, 23.11000002);
    expect(filter.offer(next, now(next))).toEqual({ keep: false, reason: 'sampled-out' });

    const blurred = at(8, 23.11, 500);
    const inaccurate = filter.offer(blurred, now(blurred));
    expect(filter.keepSampled(blurred, inaccurate)).toEqual({ keep: false, reason: 'inaccurate' });
  });
});

describe('distance while standing still', () => {
  it('adds nothing for 140 s standing at a checkpoint with under 1 m of jitter, fixes kept every 3 s, and still counts the Osaka walk around it', () => {
    const walk = shiftTo(loadTrack(TRACE_FILES.osakaWalk)).slice(0, 600);
    const fed = feed(walk, {});
    const stand = fed.kept[Math.floor(fed.kept.length / 2)]!;
    // A phone lying still: each fix within 0.7 m of where it lies, 47 of them over 140 s.
    const mPerDegLat = 111_320;
    const mPerDegLon = mPerDegLat * Math.cos((stand.lat * Math.PI) / 180);
    const jitter = Array.from({ length: 47 }, (_, i) => {
      const e = i % 4 < 2 ? 0.45 : -0.45;
      const n = i % 2 === 0 ? 0.45 : -0.45;
      return { lat: stand.lat + n / mPerDegLat, lon: stand.lon + e / mPerDegLon };
    });
    const at = fed.kept.indexOf(stand);
    const withStand = [...fed.kept.slice(0, at + 1), ...jitter, stand, ...fed.kept.slice(at + 1)];
    const walked = trackDistanceM([fed.kept]);
    expect(trackDistanceM([withStand]) - walked).toBeLessThan(1);
    expect(walked / rawLengthM(walk)).toBeGreaterThan(0.9);
  });
});
