import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../../src/domain/checkpoints.js';
import { haversineM } from '../../../../src/domain/geo.js';
import { GeofenceEngine } from '../../../../src/domain/geofence/engine.js';
import { verifyCheckin } from '../../../../src/domain/geofence/verify.js';
import { DEFAULT_GEOFENCE_CONFIG, type GeofenceConfig } from '../../../../src/domain/geofence/visits.js';
import { FixFilter, simplifyTrack } from '../../../../src/domain/track-filter.js';
import {
  checkins,
  circle,
  enters,
  feed,
  fixesOf,
  type Indexed,
  indexOf,
  longestStayS,
  M_PER_DEG,
  offset,
  ofType,
  osaka,
  osakaStops,
  polygon,
  square,
  timeOf,
} from '../../../support/geofence.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../../../src/simulator/traces.js';

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

  it('checks in on the FixFilter’s kept fixes alone (one a minute standing) only where three of them span the dwell', () => {
    const track = osaka();
    const { first, long, last } = osakaStops();
    const filter = new FixFilter();
    const kept = fixesOf(track).filter((f) => filter.offer(f, f.fixAt + 200).keep);
    expect(kept.length).toBeLessThan(track.length / 4);
    const cps = [circle('first', first.centre, 12), circle('long', long.centre, 20), circle('last', last.centre, 12)];
    const events = feed(new GeofenceEngine(cps), kept);
    // A standing officer is recorded once a minute, so the check-in comes on a later fix, with fewer ids.
    expect(checkins(events).map((e) => e.checkpointId)).toEqual(['first', 'long']);
    for (const c of checkins(events)) expect(c.evidence.length).toBeGreaterThanOrEqual(DEFAULT_GEOFENCE_CONFIG.minInsideFixes);
    // The 84 s stop left two kept fixes a minute apart: a dwell on two fixes that may both be
    // outliers, which the server would call weak. (The worker keeps more fixes inside a checkpoint.)
    expect(enters(events).map((e) => e.checkpointId)).toContain('last');
    const onTwo = checkins(feed(new GeofenceEngine(cps, { minInsideFixes: 2 }), kept)).find((c) => c.checkpointId === 'last');
    expect(onTwo?.evidence).toHaveLength(2);
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
    // One fix decides here (minInsideFixes 1): this is about how a fix is read.
    const one = (accuracy: number) => new GeofenceEngine([ring], { minInsideFixes: 1 }).offer({ recordId: 'x', ...at, accuracy, fixAt: 1 }).map((e) => e.type);
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
    const inBox = (accuracy: number) => new GeofenceEngine([box], { minInsideFixes: 1 }).offer({ recordId: 'x', ...at, accuracy, fixAt: 1 }).map((e) => e.type);
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
    // With no dwell required and one inside fix enough, the same checkpoints all check in: the engine did see the car in each.
    const noDwell = cps.map((c) => ({ ...c, minDwellS: 0 }));
    expect(checkins(feed(new GeofenceEngine(noDwell, { minInsideFixes: 1 }), fixes))).toHaveLength(cps.length);
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
    const engine = new GeofenceEngine([circle('c', long.centre, 25, 0)], { minInsideFixes: 1 });
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
