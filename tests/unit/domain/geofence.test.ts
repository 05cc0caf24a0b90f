import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { type Checkpoint, CheckpointShapeSchema, DEFAULT_MIN_DWELL_S } from '../../../src/domain/checkpoints.js';
import { EARTH_RADIUS_M, haversineM, type LatLon } from '../../../src/domain/geo.js';
import {
  DEFAULT_GEOFENCE_CONFIG,
  type GeofenceConfig,
  GeofenceEngine,
  type GeofenceEvent,
  type GeofenceFix,
  VERIFY_MIN_FIXES,
  verifyCheckin,
} from '../../../src/domain/geofence.js';
import { FixFilter, simplifyTrack } from '../../../src/domain/track-filter.js';
import { loadTrack, shiftTo, TRACE_FILES, type TracePoint } from '../../support/traces.js';

// Every track is shifted to Huizhou and replayed fix by fix, as the worker would see it. The
// files carry no accuracy: each fix gets a phone's good-sky figure unless a test says otherwise.
const ACCURACY_M = 5;
const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;

type Indexed = GeofenceEvent & { index: number };

const timeOf = (p: TracePoint): number => p.time ?? Number.NaN;

/** A real track as engine fixes; record ids are `<tag>-<index>` so evidence can be traced back to a fix. */
function fixesOf(points: readonly TracePoint[], accuracy = ACCURACY_M, tag = 'r'): GeofenceFix[] {
  return points.map((p, i) => ({ recordId: `${tag}-${i}`, lat: p.lat, lon: p.lon, accuracy, fixAt: timeOf(p) }));
}

const indexOf = (recordId: string): number => Number(recordId.slice(recordId.lastIndexOf('-') + 1));

/** Offers every fix in order; `before(i)` runs ahead of fix i (a pause, say). */
function feed(engine: GeofenceEngine, fixes: readonly GeofenceFix[], before?: (i: number) => GeofenceEvent[] | void): Indexed[] {
  const out: Indexed[] = [];
  fixes.forEach((fix, index) => {
    for (const e of before?.(index) ?? []) out.push({ ...e, index });
    for (const e of engine.offer(fix)) out.push({ ...e, index });
  });
  return out;
}

const ofType = <T extends GeofenceEvent['type']>(events: readonly Indexed[], type: T) =>
  events.filter((e): e is Extract<Indexed, { type: T }> => e.type === type);
const checkins = (events: readonly Indexed[]) => ofType(events, 'checkin');
const enters = (events: readonly Indexed[]) => ofType(events, 'enter');

/** A point `east` and `north` metres from `origin`. */
function offset(origin: LatLon, east: number, north: number): LatLon {
  return { lat: origin.lat + north / M_PER_DEG, lon: origin.lon + east / (M_PER_DEG * Math.cos((origin.lat * Math.PI) / 180)) };
}

function checkpoint(id: string, shape: Checkpoint['shape'], minDwellS = DEFAULT_MIN_DWELL_S): Checkpoint {
  // The shapes a test builds must be ones pull could deliver.
  return { id, zoneId: 'zone', name: { 'zh-CN': id, en: id }, type: 'other', shape: v.parse(CheckpointShapeSchema, shape), minDwellS };
}

function circle(id: string, centre: LatLon, radiusM: number, minDwellS?: number): Checkpoint {
  return checkpoint(id, { kind: 'circle', center: [centre.lon, centre.lat], radiusM }, minDwellS);
}

/** A polygon from rings of local [east, north] metres around `origin`. */
function polygon(id: string, origin: LatLon, rings: ReadonlyArray<ReadonlyArray<readonly [number, number]>>, minDwellS?: number): Checkpoint {
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
function square(id: string, centre: LatLon, half: number, minDwellS?: number, turnDeg = 20): Checkpoint {
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
function longestStayS(points: readonly TracePoint[], centre: LatLon, metres: number): number {
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

const osaka = () => shiftTo(loadTrack(TRACE_FILES.osakaWalk));

/** The Osaka walk's three stops (SOURCES.md: 213 s, 104 s and 84 s), in walking order. */
function osakaStops() {
  const found = stops(osaka());
  expect(found.map((s) => s.seconds)).toEqual([84, 213, 104]);
  const [first, long, last] = found;
  if (!first || !long || !last) throw new Error('the Osaka walk has three stops');
  return { first, long, last };
}

describe('GeofenceEngine on the Osaka walk (shifted to Huizhou)', () => {
  it('checks in exactly once at each spot where the walker stood a minute or more, and never where the walk only passes or does not go', () => {
    const track = osaka();
    const { first, long } = osakaStops();
    // The walk goes south down one street and comes back up it: index 300 and index 700 are
    // each passed twice, at walking pace.
    const passA = track[300]!;
    const passB = track[700]!;
    const cps = [
      square('first-stop', first.centre, 10),
      circle('long-stop', long.centre, 25),
      circle('passed', passA, 20),
      square('passed-square', passB, 15),
      circle('east-of-route', offset(first.centre, 300, 0), 50),
      square('west-of-route', offset(long.centre, -400, 200), 60),
    ];
    // The data's premise: nobody lingers a minute at the passed checkpoints.
    expect(longestStayS(track, passA, 20)).toBeLessThan(40);
    expect(longestStayS(track, passB, 15)).toBeLessThan(40);

    const events = feed(new GeofenceEngine(cps), fixesOf(track));
    expect(checkins(events).map((e) => e.checkpointId)).toEqual(['first-stop', 'long-stop']);
    // Both passed checkpoints were entered on the way out and on the way back, without a check-in.
    expect(enters(events).filter((e) => e.checkpointId === 'passed')).toHaveLength(2);
    expect(enters(events).filter((e) => e.checkpointId === 'passed-square')).toHaveLength(2);
    expect(events.some((e) => e.checkpointId === 'east-of-route' || e.checkpointId === 'west-of-route')).toBe(false);

    for (const c of checkins(events)) {
      const stop = c.checkpointId === 'first-stop' ? first : long;
      expect(c.dwellS).toBeGreaterThanOrEqual(60);
      expect(c.dwellS).toBeLessThan(62); // checked in on the first fix past the minute
      // The evidence is this visit's fixes, in order, from entering to the check-in, all near the stop.
      const idx = c.evidence.map(indexOf);
      expect(idx).toEqual([...idx].sort((a, b) => a - b));
      expect(timeOf(track[idx[0]!]!)).toBe(c.enteredAt);
      expect(idx.every((i) => haversineM(track[i]!, stop.centre) < 25)).toBe(true);
      expect(idx.at(-1)! - idx[0]!).toBeGreaterThanOrEqual(60);
      expect(c.enteredAt).toBeGreaterThanOrEqual(timeOf(track[stop.from - 30]!));
      expect(c.enteredAt).toBeLessThanOrEqual(timeOf(track[stop.from]!) + 10_000);
    }
    // Every visit ends: each enter has its exit, and the checked-in ones say so. The walk back
    // brushes the first stop's square 8 minutes later: a visit inside the cool-down, covered by
    // the first check-in rather than making a second.
    const exits = ofType(events, 'exit');
    expect(exits).toHaveLength(enters(events).length);
    expect(exits.filter((e) => e.checkedIn).map((e) => e.checkpointId)).toEqual(['first-stop', 'long-stop', 'first-stop']);
  });

  it('checks in with a minute of dwell even when only the FixFilter’s kept fixes (the position records) are offered', () => {
    const track = osaka();
    const { first, long, last } = osakaStops();
    const filter = new FixFilter();
    const kept = fixesOf(track).filter((f) => filter.offer(f, f.fixAt + 200).keep);
    expect(kept.length).toBeLessThan(track.length / 4);
    const cps = [circle('first', first.centre, 12), circle('long', long.centre, 20), circle('last', last.centre, 12)];
    const events = feed(new GeofenceEngine(cps), kept);
    expect(checkins(events).map((e) => e.checkpointId)).toEqual(['first', 'long', 'last']);
    // A standing officer is recorded once a minute, so the check-in comes on a later fix, with fewer ids.
    for (const c of checkins(events)) expect(c.evidence.length).toBeGreaterThanOrEqual(2);
  });

  it('checks in once at a checkpoint holding two stops six minutes apart, and twice only when the cool-down is shorter than the time away', () => {
    const track = osaka();
    const { first, last } = osakaStops();
    // Stops 1 and 3 are 16 m apart; between them the walker went 100 m south and stood 3.5 min.
    expect(haversineM(first.centre, last.centre)).toBeCloseTo(15.8, 0);
    const both = circle('corner', { lat: (first.centre.lat + last.centre.lat) / 2, lon: (first.centre.lon + last.centre.lon) / 2 }, 25);
    const fixes = fixesOf(track);

    const events = feed(new GeofenceEngine([both]), fixes);
    expect(enters(events)).toHaveLength(2);
    expect(checkins(events)).toHaveLength(1);
    const [away, back] = ofType(events, 'exit');
    expect(away?.checkedIn).toBe(true);
    expect(back?.checkedIn).toBe(true); // the second visit resumed the first one's check-in
    const awayS = (enters(events)[1]!.at - away!.at) / 1000;
    expect(awayS).toBeGreaterThan(5 * 60);
    expect(awayS).toBeLessThan(DEFAULT_GEOFENCE_CONFIG.cooldownMs / 1000);

    const short = feed(new GeofenceEngine([both], { cooldownMs: 60_000 }), fixes);
    expect(checkins(short)).toHaveLength(2);
  });

  it('lets a standing walker’s GPS jitter across a circle’s or a polygon’s edge check in at most once, where a fence without hysteresis checks in again and again', () => {
    const track = osaka();
    const { long } = osakaStops();
    const fixes = fixesOf(track);
    const naive: Partial<GeofenceConfig> = { accuracyFraction: 0, exitMarginM: 0, exitFixes: 1, exitMinMs: 0, cooldownMs: 0 };
    let naiveMax = 0;
    let flips = 0;
    let checkedIn = 0;
    // The edge passes `edge` metres east of the stop's centre: through the jitter cloud of 3.5 minutes.
    for (const edge of [-3, -2, -1, 0, 1, 2, 3]) {
      for (const radius of [20, 30]) {
        const centre = offset(long.centre, radius + edge, 0);
        const cps = [circle('edge-circle', centre, radius, 20), square('edge-square', offset(long.centre, 40 + edge, 0), 40, 20, 0)];
        let inside = false;
        for (const p of track.slice(long.from, long.to + 1)) {
          const now = haversineM(p, centre) <= radius;
          if (now !== inside) flips++;
          inside = now;
        }
        const events = feed(new GeofenceEngine(cps), fixes);
        for (const id of ['edge-circle', 'edge-square']) {
          const n = checkins(events).filter((e) => e.checkpointId === id).length;
          expect(n, `${id} r=${radius} edge=${edge}`).toBeLessThanOrEqual(1);
          checkedIn += n;
          naiveMax = Math.max(naiveMax, checkins(feed(new GeofenceEngine(cps, naive), fixes)).filter((e) => e.checkpointId === id).length);
        }
        // Round the circle the exit hysteresis alone, without the cool-down behind it, keeps it to one.
        const noCooldown = feed(new GeofenceEngine(cps, { cooldownMs: 0 }), fixes);
        expect(checkins(noCooldown).filter((e) => e.checkpointId === 'edge-circle').length, `r=${radius} edge=${edge}, no cool-down`).toBeLessThanOrEqual(1);
      }
    }
    expect(flips).toBeGreaterThan(60); // the real fixes really do cross those edges (observed 128 crossings)
    expect(naiveMax).toBeGreaterThanOrEqual(3); // observed up to 4 check-ins from the one 213 s stop
    expect(checkedIn).toBeGreaterThan(15); // most placements do check in once (observed 22 of 28)
  });

  it('checks in at most once while the walk runs along a polygon’s edge for 40 minutes', () => {
    const track = osaka();
    const { long } = osakaStops();
    // The west edge of this strip is the outbound route itself, simplified to 3 m; the strip runs
    // 40 m east of it. Out and back, the walker is never more than a few metres from that edge.
    const origin = track[0]!;
    const route = simplifyTrack(track.slice(0, long.from), 3).map((p) => {
      const east = (p.lon - origin.lon) * M_PER_DEG * Math.cos((origin.lat * Math.PI) / 180);
      const north = (p.lat - origin.lat) * M_PER_DEG;
      return [east, north] as const;
    });
    const ring = [...route, ...[...route].reverse().map(([e, n]) => [e + 40, n] as const)];
    const strip = polygon('strip', origin, [ring], 60);
    const events = feed(new GeofenceEngine([strip]), fixesOf(track));
    expect(checkins(events).length).toBeLessThanOrEqual(1);
    const naive = feed(new GeofenceEngine([strip], { accuracyFraction: 0, exitMarginM: 0, exitFixes: 1, exitMinMs: 0 }), fixesOf(track));
    expect(enters(naive).length).toBeGreaterThan(40); // the premise: the route crosses the edge all the time (observed 85)
    expect(enters(events).length).toBeLessThan(enters(naive).length / 4); // observed 9
  });

  it('does not end a dwell for a single outlier fix, nor for two, but does when told one outside fix is enough', () => {
    const track = osaka();
    const { long } = osakaStops();
    const cp = circle('long-stop', long.centre, 25, 180);
    const fixes = fixesOf(track);
    const clean = checkins(feed(new GeofenceEngine([cp]), fixes));
    expect(clean).toHaveLength(1);

    // 60 s into the stop the fix jumps 500 m away for one or two fixes, as the marathon's burst does.
    const withOutliers = (n: number) => fixes.map((f, i) => (i >= long.from + 60 && i < long.from + 60 + n ? { ...f, ...offset(f, 0, 500) } : f));
    for (const n of [1, 2]) {
      const events = feed(new GeofenceEngine([cp]), withOutliers(n));
      const [c] = checkins(events);
      expect(c, `${n} outliers`).toMatchObject({ enteredAt: clean[0]!.enteredAt, dwellS: clean[0]!.dwellS });
      // The outliers are no evidence; every other fix of the stay still is.
      const outliers = fixes.slice(long.from + 60, long.from + 60 + n).map((f) => f.recordId);
      expect(c?.evidence).toEqual(clean[0]!.evidence.filter((id) => !outliers.includes(id)));
      expect(c?.evidence.length).toBe(clean[0]!.evidence.length - n);
      expect(enters(events).filter((e) => e.checkpointId === 'long-stop')).toHaveLength(1);
    }
    const brittle = feed(new GeofenceEngine([cp], { exitFixes: 1, exitMinMs: 0 }), withOutliers(1));
    expect(checkins(brittle)).toEqual([]); // 213 s stop, broken 60 s in: 153 s left < 180 s
  });

  it('breaks a dwell at gap(): the time before the pause does not count and the visit ends unchecked', () => {
    const track = osaka();
    const { long } = osakaStops();
    const cp = circle('long-stop', long.centre, 25, 180);
    const fixes = fixesOf(track);
    expect(checkins(feed(new GeofenceEngine([cp]), fixes))).toHaveLength(1);

    const engine = new GeofenceEngine([cp]);
    const pauseAt = long.from + 60;
    const events = feed(engine, fixes, (i) => (i === pauseAt ? engine.gap() : undefined));
    expect(checkins(events)).toEqual([]);
    const paused = ofType(events, 'exit').find((e) => e.index === pauseAt);
    expect(paused).toMatchObject({ checkpointId: 'long-stop', checkedIn: false });
    // Tracking resumes where the officer stands: a new visit starts from scratch.
    expect(enters(events).map((e) => e.index)).toContain(pauseAt);

    // With a shorter dwell the new visit does check in, timed from the resume, not from the first arrival.
    const short = circle('long-stop', long.centre, 25, 120);
    const engine2 = new GeofenceEngine([short]);
    const resumed = checkins(feed(engine2, fixes, (i) => (i === pauseAt ? engine2.gap() : undefined)));
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.enteredAt).toBe(fixes[pauseAt]!.fixAt);
  });

  it('breaks a dwell when fixes stop for longer than maxGapMs, and not for a shorter silence', () => {
    const track = osaka();
    const { long } = osakaStops();
    const cp = circle('long-stop', long.centre, 25, 150);
    const fixes = fixesOf(track);
    const silent = (from: number, seconds: number) => fixes.filter((_, i) => i < from || i >= from + seconds);
    // 80 s without fixes: the dwell carries across (the FixFilter records a standing officer only once a minute).
    expect(checkins(feed(new GeofenceEngine([cp]), silent(long.from + 40, 80)))).toHaveLength(1);
    // 100 s without fixes: the 150 s dwell cannot be earned on either side.
    expect(checkins(feed(new GeofenceEngine([cp]), silent(long.from + 40, 100)))).toEqual([]);
  });

  it('never counts a fix less accurate than maxAccuracyM, and counts a fix only when most of its accuracy circle is inside', () => {
    const track = osaka();
    const { long } = osakaStops();
    const cp = circle('long-stop', long.centre, 25);
    expect(feed(new GeofenceEngine([cp]), fixesOf(track, DEFAULT_GEOFENCE_CONFIG.maxAccuracyM + 1))).toEqual([]);
    expect(checkins(feed(new GeofenceEngine([cp]), fixesOf(track, DEFAULT_GEOFENCE_CONFIG.maxAccuracyM)))).toHaveLength(1);

    // One fix 14.5 m from the centre of a 20 m circle: inside with ±10 m (14.5 + 5 ≤ 20), not with ±12 m (14.5 + 6 > 20).
    const at = long.centre;
    const ring = circle('ring', offset(at, 0, -14.5), 20, 0);
    const one = (accuracy: number) => new GeofenceEngine([ring]).offer({ recordId: 'x', ...at, accuracy, fixAt: 1 }).map((e) => e.type);
    expect(one(10)).toEqual(['enter', 'checkin']);
    expect(one(12)).toEqual([]);
    // A polygon: the fix must be inside and as far from every edge as half its accuracy (4.5 m here).
    const box = polygon(
      'box',
      at,
      [
        [
          [-30, -4.5],
          [30, -4.5],
          [30, 30],
          [-30, 30],
        ],
      ],
      0,
    );
    const inBox = (accuracy: number) => new GeofenceEngine([box]).offer({ recordId: 'x', ...at, accuracy, fixAt: 1 }).map((e) => e.type);
    expect(inBox(8)).toEqual(['enter', 'checkin']);
    expect(inBox(10)).toEqual([]);
  });

  it('treats a polygon’s hole as outside: standing in it earns nothing, though the ring around it is crossed', () => {
    const track = osaka();
    const { long } = osakaStops();
    // 140 m square with an 80 m hole round the 213 s stop; the other stops are 100 m north, outside both.
    const outer: Array<[number, number]> = [
      [-70, -70],
      [70, -70],
      [70, 70],
      [-70, 70],
    ];
    const hole: Array<[number, number]> = [
      [-40, -40],
      [-40, 40],
      [40, 40],
      [40, -40],
    ];
    const donut = polygon('donut', long.centre, [outer, hole], 150);
    const solid = polygon('solid', long.centre, [outer], 150);
    const events = feed(new GeofenceEngine([donut, solid]), fixesOf(track));
    expect(checkins(events).map((e) => e.checkpointId)).toEqual(['solid']);
    expect(enters(events).filter((e) => e.checkpointId === 'donut').length).toBeGreaterThanOrEqual(1);
  });
});

describe('GeofenceEngine on drives, runs and gaps', () => {
  it('never checks in at checkpoints a car drives past on the Munich route, though it enters them', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.munichDrive));
    const speedAround = (i: number) => {
      const a = track[Math.max(0, i - 5)]!;
      const b = track[Math.min(track.length - 1, i + 5)]!;
      return haversineM(a, b) / ((timeOf(b) - timeOf(a)) / 1000);
    };
    const cps: Checkpoint[] = [];
    for (let i = 10; i < track.length - 10; i += 25) {
      // Where the car waited at a light within 50 m it really did dwell; this test is about driving past.
      if (speedAround(i) <= 8 || longestStayS(track, track[i]!, 50) >= 40) continue;
      cps.push(cps.length % 2 ? circle(`c${i}`, track[i]!, 30) : square(`s${i}`, track[i]!, 25));
    }
    expect(cps.length).toBeGreaterThan(20);
    const fixes = fixesOf(track);
    const events = feed(new GeofenceEngine(cps), fixes);
    expect(checkins(events)).toEqual([]);
    expect(new Set(enters(events).map((e) => e.checkpointId)).size).toBe(cps.length);
    // With no dwell required the same checkpoints all check in: the engine did see the car in each.
    expect(checkins(feed(new GeofenceEngine(cps.map((c) => ({ ...c, minDwellS: 0 }))), fixes))).toHaveLength(cps.length);
  });

  it('checks in nowhere along the Beijing marathon’s 42 km with checkpoints every 500 m of the course', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.beijingMarathon));
    const cps: Checkpoint[] = [];
    let run = 0;
    for (let i = 1; i < track.length; i++) {
      run += haversineM(track[i - 1]!, track[i]!);
      if (run < 500) continue;
      run = 0;
      if (longestStayS(track, track[i]!, 20 + 12.5) >= 55) continue; // a water station: the runner did stop
      cps.push(circle(`km${cps.length}`, track[i]!, 20));
    }
    expect(cps.length).toBeGreaterThan(70);
    const events = feed(new GeofenceEngine(cps), fixesOf(track));
    expect(checkins(events)).toEqual([]);
    expect(new Set(enters(events).map((e) => e.checkpointId)).size).toBeGreaterThan(cps.length * 0.9);
  });

  it('does not let the 110 s gap in the Osaka pause walk join the stays either side of it into one dwell', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.osakaPause));
    const gap = track.findIndex((p, i) => i > 0 && timeOf(p) - timeOf(track[i - 1]!) === 110_000);
    expect(gap).toBe(2270);
    // A circle holding the two minutes before the gap and the half minute after it (76 m apart).
    const centre = { lat: (track[gap - 1]!.lat + track[gap]!.lat) / 2, lon: (track[gap - 1]!.lon + track[gap]!.lon) / 2 };
    const cp = circle('home', centre, 60, 150);
    const fixes = fixesOf(track);
    const events = feed(new GeofenceEngine([cp]), fixes);
    // (The walk comes back here after its 24-minute gap and stays: that later visit does check in.)
    const beforeLongGap = (e: Indexed) => e.index < 2846;
    expect(checkins(events).filter(beforeLongGap)).toEqual([]);
    const stays = ofType(events, 'exit')
      .filter(beforeLongGap)
      .map((e, k) => (e.at - enters(events)[k]!.at) / 1000);
    expect(stays.every((s) => s < 0.8 * 150)).toBe(true); // observed 117 s and 29 s
    expect(ofType(events, 'exit').find((e) => e.index === gap)).toMatchObject({ checkedIn: false, at: fixes[gap - 1]!.fixAt });
    expect(enters(events).map((e) => e.index)).toContain(gap);
    // Allowing a longer silence, the same fixes make one dwell across the gap.
    const bridged = checkins(feed(new GeofenceEngine([cp], { maxGapMs: 200_000 }), fixes)).filter(beforeLongGap);
    expect(bridged).toHaveLength(1);
    expect(bridged[0]!.enteredAt).toBeLessThan(fixes[gap]!.fixAt);
    // The server reads the stored track by the same rule: that bridged claim is not a 150 s stay.
    const claim = { method: 'geofence' as const, enteredAt: bridged[0]!.enteredAt, dwellS: bridged[0]!.dwellS, evidence: bridged[0]!.evidence };
    expect(verifyCheckin(cp, claim, fixes)).toMatchObject({ verdict: 'weak', reason: 'short-dwell' });
  });
});

describe('GeofenceEngine API', () => {
  it('lists the open visits with their dwell for the UI, and nothing after gap()', () => {
    const track = osaka();
    const { long } = osakaStops();
    const engine = new GeofenceEngine([circle('long-stop', long.centre, 25, 300)]);
    feed(engine, fixesOf(track).slice(0, long.from + 100));
    const [open] = engine.inside();
    expect(open?.checkpointId).toBe('long-stop');
    expect(open?.dwellS).toBeGreaterThan(100);
    expect(open?.dwellS).toBeLessThan(140);
    expect(engine.gap()).toEqual([{ type: 'exit', checkpointId: 'long-stop', at: open!.enteredAt + open!.dwellS * 1000, checkedIn: false }]);
    expect(engine.inside()).toEqual([]);
    expect(engine.gap()).toEqual([]);
  });

  it('finds checkpoints near a point nearest first, counting the one it is inside as 0 m away', () => {
    const { long } = osakaStops();
    const engine = new GeofenceEngine([
      circle('far', offset(long.centre, 0, 400), 20),
      square('around', long.centre, 30),
      circle('east-80', offset(long.centre, 100, 0), 20),
      square('west-50', offset(long.centre, -70, 0), 20, 60, 0),
    ]);
    expect(engine.near(long.centre.lat, long.centre.lon, 100)).toEqual(['around', 'west-50', 'east-80']);
    expect(engine.near(long.centre.lat, long.centre.lon, 60)).toEqual(['around', 'west-50']);
    expect(engine.near(long.centre.lat, long.centre.lon, 0)).toEqual(['around']);
    expect(engine.near(Number.NaN, long.centre.lon, 100)).toEqual([]);
    expect(new GeofenceEngine([]).near(long.centre.lat, long.centre.lon, 1000)).toEqual([]);
  });

  it('keeps an open visit across reload(), so a pull mid-stay does not check in twice, and ends visits to removed checkpoints', () => {
    const track = osaka();
    const { long } = osakaStops();
    const stay = circle('long-stop', long.centre, 25);
    const other = circle('other', long.centre, 40);
    const fixes = fixesOf(track);
    const engine = new GeofenceEngine([stay, other]);
    const events = feed(engine, fixes, (i) => (i === long.from + 100 ? engine.reload([{ ...stay, name: { 'zh-CN': '新名', en: 'renamed' } }]) : undefined));
    expect(checkins(events).map((e) => e.checkpointId)).toEqual(['other', 'long-stop']);
    expect(ofType(events, 'exit').find((e) => e.index === long.from + 100)).toMatchObject({ checkpointId: 'other', checkedIn: true });
    expect(enters(events).filter((e) => e.checkpointId === 'long-stop')).toHaveLength(1);
  });

  it('ignores fixes that are not newer than the last one or not a real position, and refuses two checkpoints with one id', () => {
    const { long } = osakaStops();
    const engine = new GeofenceEngine([circle('c', long.centre, 25, 0)]);
    const fix = { recordId: 'a', ...long.centre, accuracy: 5, fixAt: 10_000 };
    expect(engine.offer({ ...fix, lat: Number.NaN })).toEqual([]);
    expect(engine.offer({ ...fix, accuracy: -1 })).toEqual([]);
    expect(engine.offer(fix).map((e) => e.type)).toEqual(['enter', 'checkin']);
    engine.gap();
    expect(engine.offer({ ...fix, recordId: 'b' })).toEqual([]);
    expect(engine.offer({ ...fix, recordId: 'c', fixAt: 9_000 })).toEqual([]);
    expect(() => new GeofenceEngine([circle('c', long.centre, 25), circle('c', long.centre, 30)])).toThrow(/listed twice/);
  });

  it('caps a check-in’s evidence at maxEvidence while keeping the first fix and the spread of the stay', () => {
    const track = osaka();
    const { long } = osakaStops();
    const [c] = checkins(feed(new GeofenceEngine([circle('long-stop', long.centre, 25, 200)], { maxEvidence: 50 }), fixesOf(track)));
    expect(c?.evidence.length).toBeLessThanOrEqual(50);
    expect(c?.evidence.length).toBeGreaterThan(25);
    const idx = c!.evidence.map(indexOf);
    expect(timeOf(track[idx[0]!]!)).toBe(c!.enteredAt);
    expect(timeOf(track[idx.at(-1)!]!)).toBe(c!.enteredAt + c!.dwellS * 1000);
    // No stretch of the 200 s stay is left without evidence for more than a quarter of it.
    const gaps = idx.slice(1).map((v, k) => v - idx[k]!);
    expect(Math.max(...gaps)).toBeLessThan(50);
  });
});

describe('verifyCheckin against the stored track', () => {
  /** The Osaka walk, the engine's real check-in at the long stop, and the track the server would hold. */
  function realCheckin() {
    const track = osaka();
    const { long } = osakaStops();
    const cp = circle('long-stop', long.centre, 25);
    const fixes = fixesOf(track);
    const [c] = checkins(feed(new GeofenceEngine([cp]), fixes));
    if (!c) throw new Error('the long stop checks in');
    return { track, fixes, cp, long, claim: { method: 'geofence' as const, enteredAt: c.enteredAt, dwellS: c.dwellS, evidence: c.evidence } };
  }

  it('verifies the engine’s own check-in against the full track and against the FixFilter’s kept fixes', () => {
    const { fixes, cp, claim } = realCheckin();
    expect(verifyCheckin(cp, claim, fixes)).toMatchObject({ verdict: 'verified', reason: 'ok' });
    expect(verifyCheckin(cp, claim, fixes).insideFixes).toBeGreaterThan(100); // the whole 3.5 min stay at 1 Hz

    const filter = new FixFilter();
    const kept = fixes.filter((f) => filter.offer(f, f.fixAt + 200).keep);
    const [onKept] = checkins(feed(new GeofenceEngine([cp]), kept));
    const verdict = verifyCheckin(cp, { method: 'geofence', enteredAt: onKept!.enteredAt, dwellS: onKept!.dwellS, evidence: onKept!.evidence }, kept);
    expect(verdict).toMatchObject({ verdict: 'verified', reason: 'ok' });
    expect(verdict.insideFixes).toBeGreaterThanOrEqual(VERIFY_MIN_FIXES);
  });

  it('calls a check-in weak when the server holds too few fixes of the stay, or fixes too poor to place it', () => {
    const { fixes, cp, long, claim } = realCheckin();
    const ids = [claim.evidence[0] ?? '', claim.evidence.at(-1) ?? ''];
    // Only two fixes of the stay reached the server (the rest, say, rejected); the walk around it is intact.
    const thin = fixes.filter((f) => ids.includes(f.recordId) || haversineM(f, long.centre) > 40);
    expect(verifyCheckin(cp, { ...claim, evidence: ids }, thin)).toEqual({ verdict: 'weak', insideFixes: 2, reason: 'few-fixes' });
    // A manual check-in ("indoors, poor GPS") where every fix was ±45 m: consistent, not proof.
    const poor = fixes.map((f) => ({ ...f, accuracy: 45 }));
    expect(verifyCheckin(cp, { method: 'manual', enteredAt: claim.enteredAt, dwellS: 0, evidence: [] }, poor)).toEqual({
      verdict: 'weak',
      insideFixes: 0,
      reason: 'poor-fixes',
    });
  });

  it('calls a manual check-in at a checkpoint the walker only walked through weak, even when it claims the two passes as one stay', () => {
    const { track, fixes } = realCheckin();
    const pass = circle('passed', track[300]!, 20);
    const events = feed(new GeofenceEngine([pass]), fixes);
    const [out, back] = enters(events);
    expect(back!.at - out!.at).toBeGreaterThan(20 * 60_000);
    const inPass = fixes.filter((f) => haversineM(f, track[300]!) < 10).map((f) => f.recordId);
    const claim = { method: 'manual' as const, enteredAt: out!.at, dwellS: 0, evidence: [] };
    expect(verifyCheckin(pass, claim, fixes)).toMatchObject({ verdict: 'weak', reason: 'short-dwell' });
    // Stretching the claim over both passes, with fixes from each, does not make a stay of them.
    const stretched = { method: 'geofence' as const, enteredAt: out!.at, dwellS: (back!.at - out!.at) / 1000 + 20, evidence: inPass };
    const verdict = verifyCheckin(pass, stretched, fixes);
    expect(verdict).toMatchObject({ verdict: 'weak', reason: 'short-dwell' });
    expect(verdict.insideFixes).toBeLessThan(40);
  });

  it('finds no support for a claim at a checkpoint the track never reaches, with its own or borrowed evidence', () => {
    const { fixes, cp, long, claim } = realCheckin();
    const elsewhere = circle('elsewhere', offset(long.centre, 300, 0), 30);
    expect(verifyCheckin(elsewhere, { ...claim, method: 'manual', evidence: [] }, fixes)).toEqual({
      verdict: 'unsupported',
      insideFixes: 0,
      reason: 'outside',
    });
    // The real stop's record ids cited for another checkpoint.
    expect(verifyCheckin(elsewhere, claim, fixes)).toMatchObject({ verdict: 'unsupported', reason: 'evidence-outside' });
    // Ids the server never received, or none at all for a geofence check-in.
    expect(verifyCheckin(cp, { ...claim, evidence: [...claim.evidence, 'r-999999'] }, fixes)).toMatchObject({
      verdict: 'unsupported',
      reason: 'evidence-missing',
    });
    expect(verifyCheckin(cp, { ...claim, evidence: [] }, fixes)).toMatchObject({ verdict: 'unsupported', reason: 'evidence-missing' });
    // The real evidence replayed for a claimed second visit 20 minutes later.
    expect(verifyCheckin(cp, { ...claim, enteredAt: claim.enteredAt + 20 * 60_000 }, fixes)).toMatchObject({ verdict: 'unsupported', reason: 'evidence-time' });
  });

  it('finds no support for a claim during the Osaka pause walk’s 24-minute gap, when the server has no fix at all', () => {
    const track = shiftTo(loadTrack(TRACE_FILES.osakaPause));
    const gap = track.findIndex((p, i) => i > 0 && timeOf(p) - timeOf(track[i - 1]!) === 1_472_000);
    const before = track[gap - 1]!;
    const cp = circle('last-seen', before, 30);
    const claim = { method: 'manual' as const, enteredAt: timeOf(before) + 10 * 60_000, dwellS: 60, evidence: [] };
    expect(verifyCheckin(cp, claim, fixesOf(track))).toEqual({ verdict: 'unsupported', insideFixes: 0, reason: 'no-fixes' });
    expect(verifyCheckin(cp, { ...claim, enteredAt: Number.NaN }, fixesOf(track))).toMatchObject({ verdict: 'unsupported', reason: 'bad-claim' });
  });
});
