import { describe, expect, it } from 'vitest';
import type { PolygonGeometry } from '../../../src/domain/checkpoints.js';
import { haversineM } from '../../../src/domain/geo.js';
import { PatrolSession, type PatrolRecord } from '../../../src/domain/patrol-session.js';
import type { AuditTrackResponse, TrackingMark } from '../../../src/domain/protocol/track-audit.js';
import { auditVerdict } from '../../../src/domain/route-replay.js';
import {
  analyseRoute,
  FROZEN_POSITION,
  onFootIn,
  windowVerdict,
  packPoints,
  shiftVerdict,
  STOP_MIN_MS,
  type AnalysedPoint,
  type PlausibilityFlag,
  type RouteAnalysisInput,
  unpackPoints,
  withPointIds,
} from '../../../src/domain/route-analysis.js';
import { loadTracks, shiftTo, TRACE_FILES, type TracePoint } from '../../../src/simulator/traces.js';

// Real tracks shifted to Huizhou and recorded as the app records them: every point a fix given to
// a patrol session (delivered 200 ms after it was taken, the clock ticking every 5 s), its kept
// fixes the position records and its pauses the tracking marks, each received 1.5 s after it was
// made. The files carry no accuracy: each fix gets one a phone might report, varying fix to fix
// (a fixed figure would be a frozen accuracy, which is one of the flags). The files say nothing of
// speed or heading, so those stay unknown; the altitude is the file's elevation where it has one.
const DELIVERY_MS = 200;
const TICK_MS = 5_000;
const RECEIVED_MS = 1_500;
const SHIFT_ID = '0190a1f0-0000-7000-8000-00000000a001';

/** 3.00–11.99 m, the same sequence every run. */
function accuracies(): () => number {
  let state = 12345;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return 3 + (state % 900) / 100;
  };
}

interface Recorded {
  points: AnalysedPoint[];
  tracking: RouteAnalysisInput['tracking'];
}

function record(trace: readonly TracePoint[], onFoot: boolean): Recorded {
  const timed = trace.filter((p) => p.time !== null);
  let n = 0;
  const session = new PatrolSession(
    { shiftId: SHIFT_ID, startedAt: timed[0]!.time! - 1000, onFoot, checkpoints: [], checkins: [], tasks: [], last: 'nothing', visible: true },
    () => `r${++n}`,
  );
  const records: PatrolRecord[] = [...session.start(timed[0]!.time! - 1000).records];
  const accuracy = accuracies();
  let nextTick = timed[0]!.time! - 1000 + TICK_MS;
  for (const p of timed) {
    const now = p.time! + DELIVERY_MS;
    for (; nextTick <= now; nextTick += TICK_MS) records.push(...session.handle({ type: 'tick', now: nextTick }).records);
    records.push(...session.handle({ type: 'fix', fix: { lat: p.lat, lon: p.lon, accuracy: accuracy(), altitude: p.ele, fixAt: p.time! }, now }).records);
  }
  const iso = (t: number) => new Date(t).toISOString();
  const points: AnalysedPoint[] = [];
  const tracking: TrackingMark[] = [];
  records.forEach((r, seq) => {
    if (r.kind === 'position') {
      points.push({
        id: r.id,
        seq,
        at: iso(r.at),
        fixAt: r.body.fixAt,
        receivedAt: iso(r.at + RECEIVED_MS),
        lat: r.body.lat,
        lon: r.body.lon,
        accuracy: r.body.accuracy,
        // The record says null for what the fix did not carry; the file never said, so: unknown.
        ...(r.body.altitude !== null && { altitude: r.body.altitude }),
      });
    }
    if (r.kind === 'tracking') tracking.push({ id: r.id, deviceId: 'd', seq, at: iso(r.at), state: r.body.state, reason: r.body.reason });
  });
  return { points, tracking };
}

const input = (recorded: Recorded, over: Partial<RouteAnalysisInput> = {}): RouteAnalysisInput => ({
  points: recorded.points,
  tracking: recorded.tracking,
  zones: null,
  onFoot: true,
  native: [],
  ...over,
});
const kinds = (flags: readonly PlausibilityFlag[]) => flags.map((f) => f.kind);

const FILES = [
  { name: TRACE_FILES.osakaWalk, onFoot: true },
  { name: TRACE_FILES.osakaPause, onFoot: true },
  { name: TRACE_FILES.beijingLong, onFoot: true },
  { name: TRACE_FILES.beijingMarathon, onFoot: true },
  { name: TRACE_FILES.munichDrive, onFoot: false },
  { name: TRACE_FILES.washingtonDc, onFoot: false },
];
const walk = record(shiftTo(loadTracks(TRACE_FILES.osakaWalk)[0]!), true);
const minutes = (ms: number) => ms / 60_000;

describe('route analysis of real tracks as the app records them', () => {
  for (const { name, onFoot } of FILES) {
    it(`raises no flag on ${name}`, () => {
      // Every track of the file that has times (the DC file's third has none: no phone gives a fix without one).
      const tracks = loadTracks(name).filter((t) => t.filter((p) => p.time !== null).length > 1);
      expect(tracks.length).toBeGreaterThan(0);
      for (const trace of tracks) {
        const recorded = record(shiftTo(trace), onFoot);
        expect(recorded.points.length).toBeGreaterThan(1);
        const analysis = analyseRoute(input(recorded, { onFoot }));
        expect(analysis.flags, JSON.stringify(analysis.flags.map((f) => [f.kind, f.evidence.slice(0, 3)]))).toEqual([]);
        expect(shiftVerdict('intact', analysis.flags)).toBe('intact');
        expect(analysis.movingMs + analysis.standingMs).toBe(analysis.trackedMs);
      }
    });
  }

  it('finds the Osaka walk’s long stand as a stop, and splits its time between moving and standing', () => {
    const analysis = analyseRoute(input(walk));
    // SOURCES.md: stationary periods of 213 s, 104 s and 84 s (within 10 m); only the first lasts 3 minutes.
    expect(analysis.stops).toHaveLength(1);
    const [stop] = analysis.stops;
    expect(Date.parse(stop!.to) - Date.parse(stop!.from)).toBeGreaterThanOrEqual(STOP_MIN_MS);
    expect(analysis.trackedMs).toBe(Date.parse(walk.points.at(-1)!.fixAt) - Date.parse(walk.points[0]!.fixAt));
    expect(minutes(analysis.standingMs)).toBeGreaterThan(3);
    expect(minutes(analysis.movingMs)).toBeGreaterThan(30);
    // SOURCES.md: 3,258 m of raw path; the recorded route is a little shorter (jitter standing still is not kept).
    expect(analysis.distanceM).toBeGreaterThan(3000);
    expect(analysis.distanceM).toBeLessThan(3258);
  });

  it('counts the time outside the assigned zones, never across a pause', () => {
    const pts = walk.points;
    const mid = pts[pts.length >> 1]!;
    // A zone around everything north of the walk's middle fix (the walk runs north–south).
    const north: PolygonGeometry = {
      type: 'Polygon',
      coordinates: [
        [
          [mid.lon - 0.05, mid.lat],
          [mid.lon + 0.05, mid.lat],
          [mid.lon + 0.05, mid.lat + 0.05],
          [mid.lon - 0.05, mid.lat + 0.05],
          [mid.lon - 0.05, mid.lat],
        ],
      ],
    };
    const everywhere: PolygonGeometry = { ...north, coordinates: [north.coordinates[0]!.map(([lon, lat]) => [lon!, lat! - 0.1 * Number(lat! === mid.lat)])] };
    const outside = analyseRoute(input(walk, { zones: [north] })).outsideZonesMs!;
    const total = analyseRoute(input(walk)).trackedMs;
    let expected = 0;
    for (let i = 1; i < pts.length; i++) {
      const dt = Date.parse(pts[i]!.fixAt) - Date.parse(pts[i - 1]!.fixAt);
      expected += (dt * (Number(pts[i - 1]!.lat < mid.lat) + Number(pts[i]!.lat < mid.lat))) / 2;
    }
    expect(outside).toBeCloseTo(expected, 6);
    expect(outside).toBeGreaterThan(0);
    expect(outside).toBeLessThan(total);
    expect(analyseRoute(input(walk, { zones: [everywhere] })).outsideZonesMs).toBe(0);
    expect(analyseRoute(input(walk, { zones: [] })).outsideZonesMs).toBe(total);
    expect(analyseRoute(input(walk)).outsideZonesMs).toBeNull();
    // A pause in the middle: the time across it is not tracked, so not outside either.
    const at = Date.parse(pts[10]!.fixAt) + 1;
    const paused = { ...walk, tracking: [{ at: new Date(at).toISOString(), state: 'paused' as const }] };
    const step = Date.parse(pts[11]!.fixAt) - Date.parse(pts[10]!.fixAt);
    expect(analyseRoute(input(paused, { zones: [] })).outsideZonesMs).toBe(total - step);
  });
});

describe('plausibility flags on tampered routes', () => {
  /** Fix `i` moved `metres` north. */
  const movedNorth = (points: readonly AnalysedPoint[], i: number, metres: number) =>
    points.map((p, k) => (k === i ? { ...p, lat: p.lat + metres / 111_195 } : p));

  it('a teleport raises exactly impossible-speed, with the steps into and out of it as evidence, and no point is dropped', () => {
    const i = 400;
    const points = movedNorth(walk.points, i, 2000);
    const analysis = analyseRoute(input({ ...walk, points }));
    expect(kinds(analysis.flags)).toEqual(['impossible-speed']);
    expect(analysis.flags[0]!.evidence.map((e) => e.pointIds)).toEqual([
      [points[i - 1]!.id, points[i]!.id],
      [points[i]!.id, points[i + 1]!.id],
    ]);
    expect(analysis.flags[0]!.evidence[0]).toMatchObject({ reason: 'speed', from: points[i - 1]!.fixAt, to: points[i]!.fixAt, params: { limitKmh: 36 } });
    expect(analysis.distanceM).toBeGreaterThan(analyseRoute(input(walk)).distanceM + 3900);
    expect(shiftVerdict('intact', analysis.flags)).toBe('suspicious');
    expect(shiftVerdict('gaps-explained', analysis.flags)).toBe('suspicious');
  });

  it('takes both accuracy radii off the distance before judging a speed', () => {
    const i = 400;
    const dtS = (Date.parse(walk.points[i]!.fixAt) - Date.parse(walk.points[i - 1]!.fixAt)) / 1000;
    // Far beyond a walker's pace by the coordinates, but inside what two 80 m fixes allow.
    const points = movedNorth(walk.points, i, 100).map((p, k) => (k >= i - 1 && k <= i + 1 ? { ...p, accuracy: 80 } : p));
    expect(haversineM(points[i - 1]!, points[i]!) / dtS).toBeGreaterThan(10);
    expect(analyseRoute(input({ ...walk, points })).flags).toEqual([]);
  });

  it('judges speed by the mode of travel: a car on a foot patrol is impossible, in a vehicle it is not, and unknown counts as a vehicle', () => {
    const drive = record(shiftTo(loadTracks(TRACE_FILES.munichDrive)[0]!), false);
    expect(kinds(analyseRoute(input(drive, { onFoot: true })).flags)).toEqual(['impossible-speed']);
    expect(analyseRoute(input(drive, { onFoot: false })).flags).toEqual([]);
    expect(analyseRoute(input(drive, { onFoot: null })).flags).toEqual([]);
  });

  it('never judges a step across a pause', () => {
    const i = 400;
    // Two kilometres further on after the pause, as if driven there while tracking was off.
    const points = walk.points.map((p, k) => (k >= i ? { ...p, lat: p.lat + 2000 / 111_195 } : p));
    expect(kinds(analyseRoute(input({ ...walk, points })).flags)).toEqual(['impossible-speed']);
    const pauseAt = new Date(Date.parse(points[i - 1]!.fixAt) + 1).toISOString();
    const paused = analyseRoute(input({ points, tracking: [{ at: pauseAt, state: 'paused' }] }));
    expect(paused.flags).toEqual([]);
    // (The moved part measures a hair differently at its new latitude: centimetres over 3 km.)
    expect(paused.distanceM).toBeCloseTo(analyseRoute(input(walk)).distanceM - haversineM(walk.points[i - 1]!, walk.points[i]!), 1);
  });

  it('a position held unchanged while time passes raises exactly frozen, from its first to its last fix', () => {
    const i = 300;
    const held = walk.points[i]!;
    const runMs = 15 * 60_000;
    // The same fix, to the last digit and accuracy, every 60 s for 15 minutes (as the filter keeps a standing fix); the walk resumes after.
    const frozen = Array.from({ length: 15 }, (_, k) => {
      const t = Date.parse(held.fixAt) + (k + 1) * 60_000;
      const iso = new Date(t).toISOString();
      return {
        ...held,
        id: `held${k}`,
        seq: held.seq + 0.5,
        fixAt: iso,
        at: new Date(t + DELIVERY_MS).toISOString(),
        receivedAt: new Date(t + 2000).toISOString(),
      };
    });
    const later = (iso: string) => new Date(Date.parse(iso) + runMs).toISOString();
    const points = [
      ...walk.points.slice(0, i + 1),
      ...frozen,
      ...walk.points.slice(i + 1).map((p) => ({ ...p, fixAt: later(p.fixAt), at: later(p.at), receivedAt: later(p.receivedAt) })),
    ];
    const analysis = analyseRoute(input({ ...walk, points }));
    expect(kinds(analysis.flags)).toEqual(['frozen']);
    expect(analysis.flags[0]!.evidence).toEqual([
      { reason: 'position', from: held.fixAt, to: frozen.at(-1)!.fixAt, pointIds: [held.id, 'held14'], params: { n: 16, minutes: 15 } },
    ]);
    // Standing there is also a stop, the frozen fixes are not dropped from it.
    expect(analysis.stops.some((s) => s.from <= held.fixAt && s.to >= frozen.at(-1)!.fixAt)).toBe(true);
    // Shorter than the rule, it is a real stand (Garmin repeats a standing fix too).
    const short = [...walk.points.slice(0, i + 1), ...frozen.slice(0, FROZEN_POSITION.fixes - 2)];
    expect(analyseRoute(input({ ...walk, points: short })).flags).toEqual([]);
  });

  it('an accuracy that never changes over a long moving stretch raises exactly frozen', () => {
    const run = record(shiftTo(loadTracks(TRACE_FILES.beijingLong)[0]!), true);
    // 12 m, at least what each fix had, so no step becomes faster once the radii are taken off.
    const points = run.points.map((p) => ({ ...p, accuracy: 12 }));
    const analysis = analyseRoute(input({ ...run, points }));
    expect(kinds(analysis.flags)).toEqual(['frozen']);
    expect(analysis.flags[0]!.evidence.map((e) => e.reason)).toEqual(['accuracy']);
    expect(analysis.flags[0]!.evidence[0]!.params).toMatchObject({ n: points.length, m: 12 });
  });

  it('speed, heading and altitude missing at every fix raise no-sensors; unknown fields raise nothing', () => {
    const none = walk.points.map((p) => ({ ...p, speed: null, heading: null, altitude: null }));
    const analysis = analyseRoute(input({ ...walk, points: none }));
    expect(kinds(analysis.flags)).toEqual(['no-sensors']);
    expect(analysis.flags[0]!.evidence[0]).toMatchObject({ reason: 'sensors', from: none[0]!.fixAt, to: none.at(-1)!.fixAt, params: { n: none.length } });
    const unknown = walk.points.map(({ altitude: _, ...p }) => p);
    expect(analyseRoute(input({ ...walk, points: unknown })).flags).toEqual([]);
    // One fix with a speed is enough: the phone has the sensor.
    expect(analyseRoute(input({ ...walk, points: none.map((p, k) => (k === 7 ? { ...p, speed: 1.2 } : p)) })).flags).toEqual([]);
  });

  it('device time drifting from the fix or ahead of the server raises clock-drift, one finding per run; a late upload does not', () => {
    const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
    // Fixes 100–109 recorded three minutes after they were taken.
    const late = walk.points.map((p, k) => (k >= 100 && k < 110 ? { ...p, at: shift(p.at, 180_000), receivedAt: shift(p.receivedAt, 180_000) } : p));
    const drift = analyseRoute(input({ ...walk, points: late }));
    expect(kinds(drift.flags)).toEqual(['clock-drift']);
    expect(drift.flags[0]!.evidence).toEqual([
      { reason: 'fix-time', from: late[100]!.fixAt, to: late[109]!.fixAt, pointIds: [late[100]!.id, late[109]!.id], params: { n: 10, s: 180 } },
    ]);
    // The device clock set ten minutes ahead: records arrive before they were made.
    const ahead = walk.points.map((p) => ({ ...p, at: shift(p.at, 600_000), fixAt: shift(p.fixAt, 600_000) }));
    const evidence = analyseRoute(input({ ...walk, points: ahead })).flags.flatMap((f) => f.evidence);
    // Received 1.5 s after it was really made: ten minutes less that, rounded.
    expect(evidence).toEqual([expect.objectContaining({ reason: 'received-before-made', params: { n: ahead.length, s: 599 } })]);
    // Offline for a day, pushed late: explained by the delay, no flag.
    const offline = walk.points.map((p) => ({ ...p, receivedAt: shift(p.receivedAt, 86_400_000) }));
    expect(analyseRoute(input({ ...walk, points: offline })).flags).toEqual([]);
  });

  it('fixes received after their device was reported lost raise after-revocation, one finding per run, and make the shift suspicious', () => {
    const flagged = (k: number) => (k >= 100 && k < 110) || k === 300;
    const points = walk.points.map((p, k) => (flagged(k) ? { ...p, flag: 'after-revocation' as const } : p));
    const analysis = analyseRoute(input({ ...walk, points }));
    expect(kinds(analysis.flags)).toEqual(['after-revocation']);
    expect(analysis.flags[0]!.evidence).toEqual([
      { reason: 'after-revocation', from: points[100]!.fixAt, to: points[109]!.fixAt, pointIds: [points[100]!.id, points[109]!.id], params: { n: 10 } },
      { reason: 'after-revocation', from: points[300]!.fixAt, to: points[300]!.fixAt, pointIds: [points[300]!.id, points[300]!.id], params: { n: 1 } },
    ]);
    expect(shiftVerdict('intact', analysis.flags)).toBe('suspicious');
    // The other flags of a record's time are shown on the map, and do not make a shift suspicious.
    const late = walk.points.map((p, k) => (flagged(k) ? { ...p, flag: 'received-late' as const } : p));
    expect(analyseRoute(input({ ...walk, points: late })).flags).toEqual([]);
  });

  it('a native tracker’s fixes are said as unsigned without making the shift suspicious', () => {
    const native = [{ fixAt: walk.points[5]!.fixAt }, { fixAt: walk.points[1]!.fixAt }];
    const analysis = analyseRoute(input(walk, { native }));
    expect(analysis.flags).toEqual([
      { kind: 'native', evidence: [{ reason: 'native', from: native[1]!.fixAt, to: native[0]!.fixAt, pointIds: [], params: { n: 2 } }] },
    ]);
    expect(shiftVerdict('intact', analysis.flags)).toBe('intact');
    expect(shiftVerdict('gaps-explained', analysis.flags)).toBe('gaps-explained');
  });

  it('an altered chain stays altered whatever the flags', () => {
    const flags: PlausibilityFlag[] = [{ kind: 'frozen', evidence: [] }];
    expect(shiftVerdict('altered', flags)).toBe('altered');
    expect(shiftVerdict('altered', [])).toBe('altered');
  });
});

describe('the trip to the worker', () => {
  it('packs the points into columns and back without losing a figure, or the difference between a missing and an unknown sensor', () => {
    const points: AnalysedPoint[] = walk.points.slice(0, 50).map((p, k) => ({
      ...p,
      ...(k % 3 === 0 && { speed: null, heading: 90.5 }),
      ...(k % 3 === 1 && { speed: 1.25, heading: null, altitude: null }),
      ...(k % 5 === 0 && { flag: 'after-revocation' as const }),
      ...(k % 5 === 1 && { flag: 'before-registration' as const }),
    }));
    expect(unpackPoints(packPoints(points))).toEqual(points.map((p, k) => ({ ...p, id: String(k) })));
  });

  it('gives the same analysis through the columns, its evidence naming the original points', () => {
    const points = walk.points.map((p, k) => (k === 400 ? { ...p, lat: p.lat + 0.02 } : { ...p, speed: null, heading: null, altitude: null }));
    const direct = analyseRoute(input({ ...walk, points }));
    expect(kinds(direct.flags)).toEqual(['impossible-speed']);
    expect(withPointIds(analyseRoute(input({ ...walk, points: unpackPoints(packPoints(points)) })), points)).toEqual(direct);
  });
});

describe('the one verdict on a window, as the server caches it and the screen shows it', () => {
  const CLEAN = { ok: true, devices: [] };
  const start = (shiftId: string, vehicle: string | null) => ({ shiftId, at: walk.points[0]!.at, vehicle, zoneIds: [], equipment: [] });
  /** A recorded route as the audit track carries it. */
  const asTrack = (recorded: Recorded, shiftStarts: AuditTrackResponse['shiftStarts']) => ({
    // A phone's fix carries a speed; the traces' files say nothing of heading or altitude.
    points: recorded.points.map((p) => ({ deviceId: 'd', speed: 1, heading: null, altitude: null, flag: null, ...p })),
    tracking: recorded.tracking.map((m, i) => ({ id: String(i), deviceId: 'd', seq: i, reason: 'page-hidden', ...m })),
    shiftStarts,
    verification: CLEAN,
  });
  /** What the screen computes: the chains' verdict, then the worker's analysis' flags. */
  const onScreen = (track: ReturnType<typeof asTrack>, shiftId: string | null) =>
    shiftVerdict(auditVerdict(track).verdict, analyseRoute({ ...track, zones: null, onFoot: onFootIn(track.shiftStarts, shiftId), native: [] }).flags);

  it('agrees with the screen’s verdict on an untouched walk, a teleport, and a drive judged by the mode registered', () => {
    const teleported = { ...walk, points: walk.points.map((p, k) => (k === 400 ? { ...p, lat: p.lat + 2000 / 111_195 } : p)) };
    const drive = record(shiftTo(loadTracks(TRACE_FILES.munichDrive)[0]!), false);
    const cases: Array<[Recorded, AuditTrackResponse['shiftStarts'], string | null, string]> = [
      [walk, [start('a', null)], 'a', 'intact'],
      [teleported, [start('a', null)], 'a', 'suspicious'],
      [drive, [start('a', null)], 'a', 'suspicious'],
      [drive, [start('a', '粤L·12345')], 'a', 'intact'],
      [drive, [], null, 'intact'],
      [{ ...walk, points: walk.points.map((p, k) => (k === 400 ? { ...p, flag: 'after-revocation' as const } : p)) }, [start('a', null)], 'a', 'suspicious'],
    ];
    for (const [recorded, starts, shiftId, expected] of cases) {
      const track = asTrack(recorded, starts);
      expect(windowVerdict(track, shiftId), `${recorded === drive ? 'drive' : 'walk'}, ${starts.length} starts`).toBe(expected);
      expect(windowVerdict(track, shiftId)).toBe(onScreen(track, shiftId));
    }
    const altered = { ...asTrack(walk, []), verification: { ok: false, devices: [] } };
    expect(windowVerdict(altered, null)).toBe('altered');
  });

  it('judges a shift by its own start, and a range on foot only when every shift started in it was', () => {
    const starts = [start('a', null), start('b', '粤L·12345')];
    expect(onFootIn(starts, 'a')).toBe(true);
    expect(onFootIn(starts, 'b')).toBe(false);
    expect(onFootIn(starts, 'c')).toBe(null);
    expect(onFootIn(starts, null)).toBe(false);
    expect(onFootIn([start('a', null), start('b', null)], null)).toBe(true);
    expect(onFootIn([], null)).toBe(null);
  });
});
