import { BACKDATING_FLAGS, type BackdatingFlag } from './backdating.js';
import type { PolygonGeometry } from './checkpoints.js';
import { haversineM, pointInPolygon } from './geo.js';
import { NO_FIX_MS } from './patrol-session.js';
import type { AuditTrackResponse, TrackingMark } from './protocol/track-audit.js';
import { auditVerdict, routeSegments, segmentsDistanceM, type AuditVerdict, type Segment } from './route-replay.js';
import { DEFAULT_FILTER_CONFIG, FOOT_PATROL } from './track-filter.js';

// What a supervisor reads from an audited shift beyond its chains: where the officer stopped,
// how the time split between moving and standing and inside or outside the squad's zones, and
// whether the route itself is plausible. Pure and deterministic, so the worker (the screen),
// the tests and any later report compute the same figures. Every figure is taken within the
// route's segments, never across a pause; no point is ever dropped: an implausible one is
// flagged with its evidence and left in the route.

/**
 * One stored fix as the analysis reads it. `speed`, `heading` and `altitude` are optional because
 * the audit endpoint may not carry them: undefined means unknown, null means the device had none.
 */
export interface AnalysedPoint {
  id: string;
  seq: number;
  /** Device time the record was made. */
  at: string;
  /** Time the receiver took the fix. */
  fixAt: string;
  /** When the server received the record. */
  receivedAt: string;
  lat: number;
  lon: number;
  accuracy: number;
  speed?: number | null;
  heading?: number | null;
  altitude?: number | null;
  /** Why the server does not trust the point's own time (backdating.ts); undefined or null when nothing contradicts it. */
  flag?: BackdatingFlag | null;
}

export interface RouteAnalysisInput {
  points: readonly AnalysedPoint[];
  tracking: ReadonlyArray<Pick<TrackingMark, 'at' | 'state'>>;
  /** The polygons of the zones the officer was assigned; null when not known (no time outside is counted). */
  zones: readonly PolygonGeometry[] | null;
  /** Whether the shift was on foot; null when not known (the vehicle limit then applies, the looser one). */
  onFoot: boolean | null;
  /** Fixes from the officer's native tracker apps in the same window: unsigned. */
  native: ReadonlyArray<{ fixAt: string }>;
}

/** A place the officer stayed at. */
export interface Stop {
  from: string;
  to: string;
  lat: number;
  lon: number;
  fixes: number;
}

type FlagKind = 'impossible-speed' | 'frozen' | 'no-sensors' | 'clock-drift' | 'after-revocation' | 'native';
/** Why one piece of evidence was raised: each has a plain-word sentence in the catalogs (`audit.why.*`). */
type EvidenceReason = 'speed' | 'position' | 'accuracy' | 'sensors' | 'fix-time' | 'received-before-made' | 'after-revocation' | 'native';

/** One finding behind a flag: the points (first and last of a run) and times it rests on. */
export interface FlagEvidence {
  reason: EvidenceReason;
  from: string;
  to: string;
  pointIds: string[];
  /** The figures the sentence quotes (km/h, minutes, seconds, fix counts). */
  params: Record<string, number>;
}

export interface PlausibilityFlag {
  kind: FlagKind;
  evidence: FlagEvidence[];
}

export interface RouteAnalysis {
  /** Metres along the segments. */
  distanceM: number;
  /** Time with tracking on: from the first to the last fix of each segment. */
  trackedMs: number;
  movingMs: number;
  standingMs: number;
  /** Tracked time outside every assigned zone; null when the zones are not known. */
  outsideZonesMs: number | null;
  stops: Stop[];
  flags: PlausibilityFlag[];
}

/** A stop: staying within this radius (plus the fix's accuracy) of where it began... */
const STOP_RADIUS_M = 25;
/** ...for at least this long. */
export const STOP_MIN_MS = 3 * 60_000;
/** Slower than this between two fixes is standing (the filter's own line between drift and walking). */
const MOVING_MIN_SPEED_MPS = DEFAULT_FILTER_CONFIG.minMovingSpeedMps;
/**
 * A receiver's coordinates jitter in their last digits even standing still. The same coordinates
 * this many fixes running over this long is a held or simulated position. (The filter keeps a
 * standing officer's fix once a minute, so ten minutes is some ten fixes.)
 */
export const FROZEN_POSITION = { fixes: 6, ms: 10 * 60_000 } as const;
/** The same accuracy figure, to the last digit, this many fixes running over this long while moving. */
const FROZEN_ACCURACY = { fixes: 60, ms: 30 * 60_000 } as const;
/** Fewer fixes than this say nothing about the sensors. */
const SENSORS_MIN_FIXES = 20;
/**
 * The filter takes no fix older than 30 s or more than 10 s ahead of the device clock
 * (track-filter.ts), and a fix that sampling held back is recorded when tracking pauses, at most
 * NO_FIX_MS and a tick later (patrol-session.ts): a record's time stays within these of its fix's.
 */
const FIX_BEFORE_RECORD_MS = NO_FIX_MS + 2 * DEFAULT_FILTER_CONFIG.maxFixAgeMs;
const FIX_AFTER_RECORD_MS = 3 * DEFAULT_FILTER_CONFIG.maxFutureMs;
/** A record cannot reach the server before it was made: beyond this slack, the device clock ran ahead. */
const RECEIVED_BEFORE_MADE_MS = 2 * 60_000;

/** The fastest a patrol can go between fixes, once both accuracy radii are taken off the distance. */
function speedLimitMps(onFoot: boolean | null): number {
  return onFoot ? (FOOT_PATROL.maxSpeedMps ?? DEFAULT_FILTER_CONFIG.maxSpeedMps) : DEFAULT_FILTER_CONFIG.maxSpeedMps;
}

const ms = (iso: string) => Date.parse(iso);

/** Everything the audit screen's summary and flags show about a shift's route. */
export function analyseRoute(input: RouteAnalysisInput): RouteAnalysis {
  const segments = routeSegments(input.points, input.tracking);
  const stopsBySegment = segments.map(findStops);
  const { movingMs, standingMs } = movingAndStanding(segments, stopsBySegment);
  const flags = plausibilityFlags(segments, input);
  return {
    distanceM: segmentsDistanceM(segments),
    trackedMs: movingMs + standingMs,
    movingMs,
    standingMs,
    outsideZonesMs: input.zones ? outsideZonesMs(segments, input.zones) : null,
    stops: stopsBySegment.flat().map(({ stop }) => stop),
    flags,
  };
}

/** The route's plausibility flags, each with its evidence; none when nothing is implausible. */
function plausibilityFlags(segments: ReadonlyArray<Segment<AnalysedPoint>>, input: Pick<RouteAnalysisInput, 'onFoot' | 'native'>): PlausibilityFlag[] {
  const flags: PlausibilityFlag[] = [];
  const add = (kind: FlagKind, evidence: FlagEvidence[]) => evidence.length > 0 && flags.push({ kind, evidence });
  add('impossible-speed', impossibleSpeeds(segments, speedLimitMps(input.onFoot)));
  add('frozen', frozenRuns(segments));
  add('no-sensors', noSensors(segments.flat()));
  add('clock-drift', clockDrift(segments.flat()));
  add('after-revocation', afterRevocation(segments.flat()));
  add('native', nativeFixes(input.native));
  return flags;
}

/**
 * `suspicious` when the chains hold (intact, or gaps explained) but any flag other than `native`
 * was raised: the record is whole, the route in it is not believable. A native tracker's fixes
 * are unsigned, not a sign of cheating: shown apart, they do not change the verdict.
 */
export function shiftVerdict(chainVerdict: AuditVerdict, flags: readonly PlausibilityFlag[]): AuditVerdict {
  if (chainVerdict !== 'intact' && chainVerdict !== 'gaps-explained') return chainVerdict;
  return flags.some((f) => f.kind !== 'native') ? 'suspicious' : chainVerdict;
}

/**
 * Whether the audited window was patrolled on foot, by what its shift.start registered: for a
 * shift, its own start; for a time range, on foot only when every shift started in it was. Null
 * when no start is in the window: the vehicle limit, the looser one, then applies.
 */
export function onFootIn(shiftStarts: AuditTrackResponse['shiftStarts'], shiftId: string | null): boolean | null {
  const starts = shiftId === null ? shiftStarts : shiftStarts.filter((s) => s.shiftId === shiftId);
  return starts.length === 0 ? null : starts.every((s) => s.vehicle === null);
}

/**
 * The one verdict on an audited window (a shift, or a time range when `shiftId` is null): the
 * chains' (auditVerdict), made `suspicious` by any plausibility flag of the route (shiftVerdict),
 * fixes received after their device was reported lost among them. The server's shift list caches it and the screen shows it; both call this. The zones do not
 * enter it (time outside them is a figure, not a flag), nor do native fixes (never a verdict).
 */
export function windowVerdict(track: Pick<AuditTrackResponse, 'points' | 'tracking' | 'shiftStarts' | 'verification'>, shiftId: string | null): AuditVerdict {
  const chain = auditVerdict(track).verdict;
  if (chain === 'altered') return chain;
  // The flags alone, as analyseRoute raises them: stops and times are not needed for a verdict.
  const flags = plausibilityFlags(routeSegments(track.points, track.tracking), { onFoot: onFootIn(track.shiftStarts, shiftId), native: [] });
  return shiftVerdict(chain, flags);
}

interface FoundStop {
  stop: Stop;
  /** Indexes in the segment of its first and last fix. */
  first: number;
  last: number;
}

/**
 * Dwells within one segment: a maximal run of fixes each within STOP_RADIUS_M plus its accuracy of
 * the run's centre (the running mean), lasting STOP_MIN_MS or more.
 */
function findStops(segment: Segment<AnalysedPoint>): FoundStop[] {
  const found: FoundStop[] = [];
  for (let i = 0; i < segment.length;) {
    const start = segment[i]!;
    let lat = start.lat;
    let lon = start.lon;
    let j = i;
    while (j + 1 < segment.length) {
      const next = segment[j + 1]!;
      if (haversineM({ lat, lon }, next) > STOP_RADIUS_M + next.accuracy) break;
      j++;
      const n = j - i + 1;
      lat += (next.lat - lat) / n;
      lon += (next.lon - lon) / n;
    }
    const end = segment[j]!;
    if (ms(end.fixAt) - ms(start.fixAt) >= STOP_MIN_MS) {
      found.push({ stop: { from: start.fixAt, to: end.fixAt, lat, lon, fixes: j - i + 1 }, first: i, last: j });
      i = j + 1;
    } else i++;
  }
  return found;
}

/** Each step between fixes is standing inside a stop or when slower than walking drift; else moving. */
function movingAndStanding(segments: ReadonlyArray<Segment<AnalysedPoint>>, stops: readonly FoundStop[][]): { movingMs: number; standingMs: number } {
  let movingMs = 0;
  let standingMs = 0;
  segments.forEach((s, k) => {
    const inStop = new Uint8Array(s.length);
    for (const { first, last } of stops[k]!) inStop.fill(1, first, last + 1);
    for (let i = 1; i < s.length; i++) {
      const a = s[i - 1]!;
      const b = s[i]!;
      const dt = ms(b.fixAt) - ms(a.fixAt);
      if (dt <= 0) continue;
      const standing = (inStop[i - 1] && inStop[i]) || (haversineM(a, b) * 1000) / dt < MOVING_MIN_SPEED_MPS;
      if (standing) standingMs += dt;
      else movingMs += dt;
    }
  });
  return { movingMs, standingMs };
}

/** Time outside every zone: a step counts half for each end outside, so a crossing counts half. */
function outsideZonesMs(segments: ReadonlyArray<Segment<AnalysedPoint>>, zones: readonly PolygonGeometry[]): number {
  let total = 0;
  for (const s of segments) {
    const outside = s.map((p) => !zones.some((z) => pointInPolygon(p.lon, p.lat, z.coordinates)));
    for (let i = 1; i < s.length; i++) {
      const dt = ms(s[i]!.fixAt) - ms(s[i - 1]!.fixAt);
      if (dt > 0) total += (dt * (Number(outside[i - 1]) + Number(outside[i]))) / 2;
    }
  }
  return total;
}

/** Steps faster than the patrol can go even granting both fixes their full accuracy radius. */
function impossibleSpeeds(segments: ReadonlyArray<Segment<AnalysedPoint>>, limitMps: number): FlagEvidence[] {
  const evidence: FlagEvidence[] = [];
  for (const s of segments) {
    for (let i = 1; i < s.length; i++) {
      const a = s[i - 1]!;
      const b = s[i]!;
      const beyondM = haversineM(a, b) - a.accuracy - b.accuracy;
      if (beyondM <= 0) continue;
      const dtS = (ms(b.fixAt) - ms(a.fixAt)) / 1000;
      const speed = dtS > 0 ? beyondM / dtS : Number.POSITIVE_INFINITY;
      if (speed <= limitMps) continue;
      evidence.push({
        reason: 'speed',
        from: a.fixAt,
        to: b.fixAt,
        pointIds: [a.id, b.id],
        // A step at no time at all has no speed to quote: its metres say it.
        params: { kmh: Number.isFinite(speed) ? Math.round(speed * 3.6) : -1, limitKmh: Math.round(limitMps * 3.6), m: Math.round(beyondM), s: dtS },
      });
    }
  }
  return evidence;
}

/** Runs of fixes whose coordinates, or whose accuracy, never change while time passes. */
function frozenRuns(segments: ReadonlyArray<Segment<AnalysedPoint>>): FlagEvidence[] {
  const evidence: FlagEvidence[] = [];
  const runs = (s: Segment<AnalysedPoint>, same: (a: AnalysedPoint, b: AnalysedPoint) => boolean, rule: { fixes: number; ms: number }) => {
    const out: Array<[number, number]> = [];
    for (let i = 0; i < s.length;) {
      let j = i;
      while (j + 1 < s.length && same(s[j]!, s[j + 1]!)) j++;
      if (j - i + 1 >= rule.fixes && ms(s[j]!.fixAt) - ms(s[i]!.fixAt) >= rule.ms) out.push([i, j]);
      i = j + 1;
    }
    return out;
  };
  const record = (s: Segment<AnalysedPoint>, reason: EvidenceReason, [i, j]: [number, number], extra: Record<string, number> = {}) =>
    evidence.push({
      reason,
      from: s[i]!.fixAt,
      to: s[j]!.fixAt,
      pointIds: [s[i]!.id, s[j]!.id],
      params: { n: j - i + 1, minutes: Math.round((ms(s[j]!.fixAt) - ms(s[i]!.fixAt)) / 60_000), ...extra },
    });
  for (const s of segments) {
    for (const run of runs(s, (a, b) => a.lat === b.lat && a.lon === b.lon, FROZEN_POSITION)) record(s, 'position', run);
    for (const run of runs(s, (a, b) => a.accuracy === b.accuracy, FROZEN_ACCURACY)) {
      // A run standing still is the position's finding already; this one is about a moving fix.
      if (s.slice(run[0], run[1] + 1).some((p) => p.lat !== s[run[0]]!.lat || p.lon !== s[run[0]]!.lon)) record(s, 'accuracy', run, { m: s[run[0]]!.accuracy });
    }
  }
  return evidence;
}

/** Speed, heading and altitude all missing at every fix: a phone's receiver gives some of them. Unknown (undefined) is not missing. */
function noSensors(points: readonly AnalysedPoint[]): FlagEvidence[] {
  if (points.length < SENSORS_MIN_FIXES) return [];
  if (!points.every((p) => p.speed === null && p.heading === null && p.altitude === null)) return [];
  const first = points[0]!;
  const last = points.at(-1)!;
  return [{ reason: 'sensors', from: first.fixAt, to: last.fixAt, pointIds: [first.id, last.id], params: { n: points.length } }];
}

/**
 * Device time that disagrees with the fix it records (beyond what the filter lets through), or a
 * record received before it was made (the device clock ahead): one finding per run of such fixes.
 */
function clockDrift(points: readonly AnalysedPoint[]): FlagEvidence[] {
  const why = (p: AnalysedPoint): { reason: EvidenceReason; driftMs: number } | null => {
    const made = ms(p.at);
    const fixToRecord = made - ms(p.fixAt);
    if (fixToRecord > FIX_BEFORE_RECORD_MS || fixToRecord < -FIX_AFTER_RECORD_MS) return { reason: 'fix-time', driftMs: fixToRecord };
    const ahead = made - ms(p.receivedAt);
    if (ahead > RECEIVED_BEFORE_MADE_MS) return { reason: 'received-before-made', driftMs: ahead };
    return null;
  };
  const evidence: FlagEvidence[] = [];
  let open: { evidence: FlagEvidence; worstMs: number } | null = null;
  for (const p of points) {
    const found = why(p);
    if (found && open?.evidence.reason === found.reason) {
      open.evidence.to = p.fixAt;
      open.evidence.pointIds[1] = p.id;
      open.evidence.params.n = (open.evidence.params.n ?? 0) + 1;
      open.worstMs = Math.max(open.worstMs, Math.abs(found.driftMs));
      open.evidence.params.s = Math.round(open.worstMs / 1000);
      continue;
    }
    open = null;
    if (!found) continue;
    const worstMs = Math.abs(found.driftMs);
    open = { evidence: { reason: found.reason, from: p.fixAt, to: p.fixAt, pointIds: [p.id, p.id], params: { n: 1, s: Math.round(worstMs / 1000) } }, worstMs };
    evidence.push(open.evidence);
  }
  return evidence;
}

/**
 * Runs of fixes the server received after their device was reported lost: signed and dated before
 * the revocation, but whoever held the phone may have made them (backdating.ts). The chain holds,
 * the route in them cannot be believed: a flag, so the verdict is `suspicious`, never `intact`.
 */
function afterRevocation(points: readonly AnalysedPoint[]): FlagEvidence[] {
  const evidence: FlagEvidence[] = [];
  let open: FlagEvidence | null = null;
  for (const p of points) {
    if (p.flag !== 'after-revocation') {
      open = null;
      continue;
    }
    if (open) {
      open.to = p.fixAt;
      open.pointIds[1] = p.id;
      open.params.n = (open.params.n ?? 0) + 1;
      continue;
    }
    open = { reason: 'after-revocation', from: p.fixAt, to: p.fixAt, pointIds: [p.id, p.id], params: { n: 1 } };
    evidence.push(open);
  }
  return evidence;
}

/** A native tracker's fixes in the window: not cheating, but unsigned, so said as such. */
function nativeFixes(native: RouteAnalysisInput['native']): FlagEvidence[] {
  if (native.length === 0) return [];
  const times = native.map((f) => f.fixAt).sort();
  return [{ reason: 'native', from: times[0]!, to: times.at(-1)!, pointIds: [], params: { n: native.length } }];
}

/**
 * The points as columns, for the trip to the worker: a structured clone of thousands of point
 * objects (ids and ISO times as strings) costs the main thread tens of milliseconds on a phone;
 * typed arrays are transferred at no cost. Times in epoch ms; a sensor null is NaN, and `unknown`
 * says per point which of speed (1), heading (2) and altitude (4) it did not carry at all; `flag`
 * is 0 for none, else the flag's place in BACKDATING_FLAGS plus one.
 */
export interface PackedPoints {
  seq: Float64Array;
  at: Float64Array;
  fixAt: Float64Array;
  receivedAt: Float64Array;
  lat: Float64Array;
  lon: Float64Array;
  accuracy: Float64Array;
  speed: Float64Array;
  heading: Float64Array;
  altitude: Float64Array;
  unknown: Uint8Array;
  flag: Uint8Array;
}

const SENSORS = ['speed', 'heading', 'altitude'] as const;

export function packPoints(points: readonly AnalysedPoint[]): PackedPoints {
  const n = points.length;
  const column = () => new Float64Array(n);
  const packed: PackedPoints = {
    seq: column(),
    at: column(),
    fixAt: column(),
    receivedAt: column(),
    lat: column(),
    lon: column(),
    accuracy: column(),
    speed: column(),
    heading: column(),
    altitude: column(),
    unknown: new Uint8Array(n),
    flag: new Uint8Array(n),
  };
  points.forEach((p, i) => {
    packed.seq[i] = p.seq;
    packed.at[i] = ms(p.at);
    packed.fixAt[i] = ms(p.fixAt);
    packed.receivedAt[i] = ms(p.receivedAt);
    packed.lat[i] = p.lat;
    packed.lon[i] = p.lon;
    packed.accuracy[i] = p.accuracy;
    packed.flag[i] = p.flag ? BACKDATING_FLAGS.indexOf(p.flag) + 1 : 0;
    SENSORS.forEach((field, bit) => {
      const value = p[field];
      packed[field][i] = value ?? Number.NaN;
      if (value === undefined) packed.unknown[i]! |= 1 << bit;
    });
  });
  return packed;
}

/** The packed points back as points; each point's id is its index in the packed list (see `withPointIds`). */
export function unpackPoints(packed: PackedPoints): AnalysedPoint[] {
  const iso = (t: number) => new Date(t).toISOString();
  return Array.from(packed.seq, (seq, i) => {
    const p: AnalysedPoint = {
      id: String(i),
      seq,
      at: iso(packed.at[i]!),
      fixAt: iso(packed.fixAt[i]!),
      receivedAt: iso(packed.receivedAt[i]!),
      lat: packed.lat[i]!,
      lon: packed.lon[i]!,
      accuracy: packed.accuracy[i]!,
    };
    const flag = BACKDATING_FLAGS[packed.flag[i]! - 1];
    if (flag) p.flag = flag;
    SENSORS.forEach((field, bit) => {
      if (!(packed.unknown[i]! & (1 << bit))) p[field] = Number.isNaN(packed[field][i]!) ? null : packed[field][i]!;
    });
    return p;
  });
}

/** An analysis of unpacked points, its evidence naming the original points' ids again. */
export function withPointIds(analysis: RouteAnalysis, points: ReadonlyArray<{ id: string }>): RouteAnalysis {
  return {
    ...analysis,
    flags: analysis.flags.map((f) => ({ ...f, evidence: f.evidence.map((e) => ({ ...e, pointIds: e.pointIds.map((i) => points[Number(i)]?.id ?? i) })) })),
  };
}

/** Every typed array of the packed points, for comlink's `transfer`. */
export function packedBuffers(packed: PackedPoints): ArrayBuffer[] {
  return Object.values(packed).map((column: Float64Array | Uint8Array) => column.buffer as ArrayBuffer);
}
