// Geofenced check-ins (DESIGN.md "checkpoints", the `checkin` record): which checkpoints an
// officer is at, fix by fix, in the worker; and the server's re-check of a claimed check-in
// against the stored track. Pure and deterministic: time comes in with each fix, so replaying a
// track gives the same events on the device and on the server.
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import Flatbush from 'flatbush';
import { type Checkpoint, DEFAULT_MIN_DWELL_S, type PolygonGeometry } from './checkpoints.js';
import { EARTH_RADIUS_M, haversineM, isValidLatLon, type LatLon, segmentDistance2 } from './geo.js';

/** One fix that became a position record: its id is what a check-in cites as evidence. */
export interface GeofenceFix {
  recordId: string;
  lat: number;
  lon: number;
  /** Metres, as the Geolocation API reports it. */
  accuracy: number;
  /** Epoch ms of the fix. */
  fixAt: number;
}

/** Every threshold of the engine; partial overrides go to the GeofenceEngine constructor. */
export interface GeofenceConfig {
  /** A fix less accurate than this cannot tell a doorway from the shop next door: it never counts, inside or out. */
  maxAccuracyM: number;
  /** How much of a fix's accuracy radius must lie inside for it to count as inside (0: the centre, 1: the whole circle). */
  accuracyFraction: number;
  /** Hysteresis: a fix is outside only when this far beyond the boundary (plus accuracyFraction × accuracy). */
  exitMarginM: number;
  /** Consecutive outside fixes that end a visit, so one or two outliers do not... */
  exitFixes: number;
  /** ...and the time they must span, so a burst of outliers at 1 Hz does not either. */
  exitMinMs: number;
  /** No inside fix for longer than this (tracking stalled, or the officer lingered at the edge) ends a visit. */
  maxGapMs: number;
  /** A visit starting within this of the end of a checked-in visit to the same checkpoint resumes it: no second check-in. */
  cooldownMs: number;
  /** Most record ids a check-in cites (CheckinBodySchema allows 500). */
  maxEvidence: number;
}

/** Defaults for a phone on foot patrol (FixFilter keeps a standing officer's fix once a minute, so gaps under 90 s are normal). */
export const DEFAULT_GEOFENCE_CONFIG: Readonly<GeofenceConfig> = Object.freeze({
  maxAccuracyM: 30,
  accuracyFraction: 0.5,
  exitMarginM: 10,
  exitFixes: 3,
  exitMinMs: 5_000,
  maxGapMs: 90_000,
  cooldownMs: 10 * 60_000,
  maxEvidence: 500,
});

/** What one fix (or a pause) changed; `checkin` is what becomes a `checkin` record. */
export type GeofenceEvent =
  | { type: 'enter'; checkpointId: string; at: number }
  | { type: 'checkin'; checkpointId: string; enteredAt: number; dwellS: number; evidence: string[] }
  /** `at` is the visit's last inside fix; `checkedIn` when a check-in covers the visit (its own, or one it resumed within the cool-down). */
  | { type: 'exit'; checkpointId: string; at: number; checkedIn: boolean };

/** An open visit as the UI shows it. */
export interface InsideVisit {
  checkpointId: string;
  enteredAt: number;
  dwellS: number;
}

const M_PER_DEG = (EARTH_RADIUS_M * Math.PI) / 180;
const RAD = Math.PI / 180;
/** Slack on every bounding box, so rounding between the sphere and the degree grid never drops a checkpoint at its edge. */
const BBOX_PAD_M = 1;

/** A checkpoint's shape made ready for per-fix tests: circle centre, or polygon edges in local metres. */
interface Shape {
  id: string;
  minDwellMs: number;
  circle: { lat: number; lon: number; radiusM: number } | null;
  polygon: PolygonGeometry | null;
  /** Local equirectangular frame of the polygon: origin and metres per degree. */
  ox: number;
  oy: number;
  kx: number;
  ky: number;
  /** Polygon vertices in that frame, all rings one after another; a ring ends at each ringEnds entry. */
  xs: Float64Array;
  ys: Float64Array;
  ringEnds: Uint32Array;
  minLon: number;
  minLat: number;
  maxLon: number;
  maxLat: number;
}

const degLon = (metres: number, lat: number): number => metres / (M_PER_DEG * Math.max(Math.cos(lat * RAD), 1e-9));

function prepare(cp: Checkpoint): Shape {
  // Pulled data is validated, but a checkpoint built in code may lack a dwell: use the documented default, not NaN.
  const minDwellS = Number.isFinite(cp.minDwellS) ? cp.minDwellS : DEFAULT_MIN_DWELL_S;
  const shape: Shape = {
    id: cp.id,
    minDwellMs: minDwellS * 1000,
    circle: null,
    polygon: null,
    ox: 0,
    oy: 0,
    kx: 0,
    ky: 0,
    xs: new Float64Array(0),
    ys: new Float64Array(0),
    ringEnds: new Uint32Array(0),
    minLon: 0,
    minLat: 0,
    maxLon: 0,
    maxLat: 0,
  };
  if (cp.shape.kind === 'circle') {
    const [lon, lat] = cp.shape.center;
    const r = cp.shape.radiusM + BBOX_PAD_M;
    shape.circle = { lat, lon, radiusM: cp.shape.radiusM };
    shape.minLat = lat - r / M_PER_DEG;
    shape.maxLat = lat + r / M_PER_DEG;
    shape.minLon = lon - degLon(r, lat);
    shape.maxLon = lon + degLon(r, lat);
    return shape;
  }
  const polygon = cp.shape.polygon;
  shape.polygon = polygon;
  let minLon = Infinity;
  let minLat = Infinity;
  let maxLon = -Infinity;
  let maxLat = -Infinity;
  let count = 0;
  for (const ring of polygon.coordinates) {
    count += ring.length;
    for (const [lon, lat] of ring) {
      if (lon < minLon) minLon = lon;
      if (lon > maxLon) maxLon = lon;
      if (lat < minLat) minLat = lat;
      if (lat > maxLat) maxLat = lat;
    }
  }
  // The frame is centred on the polygon, where an equirectangular projection is good to a few
  // centimetres at checkpoint sizes; a straight edge in degrees stays straight in it, so
  // turf's inside test (in degrees) and these distances agree on which side a fix is.
  shape.oy = (minLat + maxLat) / 2;
  shape.ox = (minLon + maxLon) / 2;
  shape.ky = M_PER_DEG;
  shape.kx = M_PER_DEG * Math.cos(shape.oy * RAD);
  shape.xs = new Float64Array(count);
  shape.ys = new Float64Array(count);
  shape.ringEnds = new Uint32Array(polygon.coordinates.length);
  let k = 0;
  polygon.coordinates.forEach((ring, r) => {
    for (const [lon, lat] of ring) {
      shape.xs[k] = (lon - shape.ox) * shape.kx;
      shape.ys[k] = (lat - shape.oy) * shape.ky;
      k++;
    }
    shape.ringEnds[r] = k;
  });
  const padLat = BBOX_PAD_M / M_PER_DEG;
  shape.minLat = minLat - padLat;
  shape.maxLat = maxLat + padLat;
  shape.minLon = minLon - degLon(BBOX_PAD_M, shape.oy);
  shape.maxLon = maxLon + degLon(BBOX_PAD_M, shape.oy);
  return shape;
}

/** Reused by every test: turf takes a [lon, lat] position, haversineM a point, and one object per fix and checkpoint would be garbage. */
const scratch: [number, number] = [0, 0];
const here: LatLon = { lat: 0, lon: 0 };

/** Metres from the point to the shape's boundary: positive inside, negative outside. */
function signedDistanceM(shape: Shape, lat: number, lon: number): number {
  const circle = shape.circle;
  if (circle) {
    here.lat = lat;
    here.lon = lon;
    return circle.radiusM - haversineM(circle, here);
  }
  if (!shape.polygon) return Number.NEGATIVE_INFINITY;
  scratch[0] = lon;
  scratch[1] = lat;
  const inside = booleanPointInPolygon(scratch, shape.polygon);
  const px = (lon - shape.ox) * shape.kx;
  const py = (lat - shape.oy) * shape.ky;
  const { xs, ys, ringEnds } = shape;
  let best = Infinity;
  let start = 0;
  for (let r = 0; r < ringEnds.length; r++) {
    const end = ringEnds[r] ?? 0;
    // Rings are closed (last = first), so edges run i → i+1 up to the ring's last vertex.
    for (let i = start; i + 1 < end; i++) {
      const d2 = segmentDistance2(px, py, xs[i] ?? 0, ys[i] ?? 0, xs[i + 1] ?? 0, ys[i + 1] ?? 0);
      if (d2 < best) best = d2;
    }
    start = end;
  }
  const d = Math.sqrt(best);
  return inside ? d : -d;
}

/** The accuracy-aware reading of one fix against one shape; 'none' is the hysteresis band, or a fix too poor to say. */
type Side = 'in' | 'out' | 'none';

function sideOf(shape: Shape, fix: GeofenceFix, c: GeofenceConfig): Side {
  if (!(fix.accuracy <= c.maxAccuracyM)) return 'none';
  const sep = signedDistanceM(shape, fix.lat, fix.lon);
  const spread = c.accuracyFraction * fix.accuracy;
  if (sep >= spread) return 'in';
  if (-sep >= c.exitMarginM + spread) return 'out';
  return 'none';
}

function isValidFix(fix: GeofenceFix): boolean {
  return isValidLatLon(fix) && Number.isFinite(fix.accuracy) && fix.accuracy >= 0 && Number.isFinite(fix.fixAt);
}

interface Visit {
  shape: Shape;
  enteredAt: number;
  lastInsideAt: number;
  /** Record ids of the inside fixes until the check-in, every `stride`-th of them; emptied once it is made. */
  evidence: string[];
  /** Inside fixes so far, and the decimation that keeps evidence within maxEvidence. */
  insideFixes: number;
  stride: number;
  checkedIn: boolean;
  /** The current run of outside fixes: how many, and the time of its first. */
  outCount: number;
  outSince: number;
}

/** A static R-tree (flatbush) over the checkpoints' bounding boxes, in degrees. */
class ShapeIndex {
  readonly shapes: Shape[];
  private readonly tree: Flatbush | null;

  constructor(checkpoints: readonly Checkpoint[]) {
    this.shapes = checkpoints.map(prepare);
    // Flatbush refuses an empty index; a squad with no checkpoints simply has nothing to find.
    this.tree = this.shapes.length ? new Flatbush(this.shapes.length) : null;
    if (!this.tree) return;
    for (const s of this.shapes) this.tree.add(s.minLon, s.minLat, s.maxLon, s.maxLat);
    this.tree.finish();
  }

  /** Indexes of the checkpoints whose box comes within `metres` of the point. */
  around(lat: number, lon: number, metres: number): number[] {
    if (!this.tree) return [];
    const dLat = metres / M_PER_DEG;
    const dLon = degLon(metres, lat);
    return this.tree.search(lon - dLon, lat - dLat, lon + dLon, lat + dLat);
  }
}

/**
 * Stateful geofencing over one officer's fix stream: offer each fix that became a position
 * record, in time order; call gap() when tracking pauses. Emits enter, one checkin per visit
 * once the officer has been inside for the checkpoint's minDwellS, and exit.
 */
export class GeofenceEngine {
  private readonly config: GeofenceConfig;
  private index: ShapeIndex;
  /** Open visits by checkpoint index; a handful at most, so iterating them per fix is cheap. */
  private visits = new Map<number, Visit>();
  /** Per checkpoint id: until when a new visit resumes a checked-in one (cool-down). */
  private coveredUntil = new Map<string, number>();
  private lastFixAt = Number.NEGATIVE_INFINITY;

  constructor(checkpoints: readonly Checkpoint[], config?: Partial<GeofenceConfig>) {
    this.config = { ...DEFAULT_GEOFENCE_CONFIG, ...config };
    this.index = new ShapeIndex(unique(checkpoints));
  }

  /**
   * Swaps in a new checkpoint list (a pull changed it) and keeps the open visits and cool-downs
   * of checkpoints that remain, so a reload mid-visit cannot check in twice; visits to removed
   * checkpoints end.
   */
  reload(checkpoints: readonly Checkpoint[]): GeofenceEvent[] {
    const next = new ShapeIndex(unique(checkpoints));
    const byId = new Map(next.shapes.map((s, i) => [s.id, i]));
    const events: GeofenceEvent[] = [];
    const visits = new Map<number, Visit>();
    for (const visit of this.visits.values()) {
      const i = byId.get(visit.shape.id);
      const shape = i === undefined ? undefined : next.shapes[i];
      if (i === undefined || !shape) events.push(this.close(visit));
      else visits.set(i, { ...visit, shape });
    }
    this.index = next;
    this.visits = visits;
    return events;
  }

  /** Takes one fix; fixes not newer than the last one, or not a real position, change nothing. */
  offer(fix: GeofenceFix): GeofenceEvent[] {
    const events: GeofenceEvent[] = [];
    if (!isValidFix(fix) || fix.fixAt <= this.lastFixAt) return events;
    this.lastFixAt = fix.fixAt;
    const c = this.config;
    for (const [i, visit] of this.visits) {
      // Checked before this fix is read: a dwell must not bridge time nobody saw.
      if (fix.fixAt - visit.lastInsideAt > c.maxGapMs) {
        this.visits.delete(i);
        events.push(this.close(visit));
      }
    }
    // A poor fix says nothing either way; it neither extends a visit nor ends one.
    if (!(fix.accuracy <= c.maxAccuracyM)) return events;

    for (const [i, visit] of this.visits) {
      const side = sideOf(visit.shape, fix, c);
      if (side === 'in') {
        visit.outCount = 0;
        this.stay(visit, fix, events);
      } else if (side === 'out') {
        if (visit.outCount === 0) visit.outSince = fix.fixAt;
        visit.outCount++;
        if (visit.outCount >= c.exitFixes && fix.fixAt - visit.outSince >= c.exitMinMs) {
          this.visits.delete(i);
          events.push(this.close(visit));
        }
      }
    }

    const shapes = this.index.shapes;
    for (const i of this.index.around(fix.lat, fix.lon, fix.accuracy)) {
      const shape = shapes[i];
      if (!shape || this.visits.has(i)) continue;
      // An entering fix has its centre inside, hence inside the box: skip the precise test otherwise.
      if (fix.lat < shape.minLat || fix.lat > shape.maxLat || fix.lon < shape.minLon || fix.lon > shape.maxLon) continue;
      if (sideOf(shape, fix, c) !== 'in') continue;
      const visit: Visit = {
        shape,
        enteredAt: fix.fixAt,
        lastInsideAt: fix.fixAt,
        evidence: [],
        insideFixes: 0,
        stride: 1,
        checkedIn: fix.fixAt < (this.coveredUntil.get(shape.id) ?? Number.NEGATIVE_INFINITY),
        outCount: 0,
        outSince: fix.fixAt,
      };
      this.visits.set(i, visit);
      events.push({ type: 'enter', checkpointId: shape.id, at: fix.fixAt });
      this.stay(visit, fix, events);
    }
    return events;
  }

  /** Tracking paused or stopped: every open visit ends, and a dwell not yet complete is lost. */
  gap(): GeofenceEvent[] {
    const events = [...this.visits.values()].map((v) => this.close(v));
    this.visits.clear();
    return events;
  }

  /** The open visits, for the UI. */
  inside(): InsideVisit[] {
    return [...this.visits.values()].map((v) => ({ checkpointId: v.shape.id, enteredAt: v.enteredAt, dwellS: (v.lastInsideAt - v.enteredAt) / 1000 }));
  }

  /** An inside fix of an open visit: extends the dwell, and checks in once it is long enough. */
  private stay(visit: Visit, fix: GeofenceFix, events: GeofenceEvent[]): void {
    visit.lastInsideAt = fix.fixAt;
    if (visit.checkedIn) return;
    const n = visit.insideFixes++;
    const due = fix.fixAt - visit.enteredAt >= visit.shape.minDwellMs;
    const max = this.config.maxEvidence;
    // Full: keep every other id and take every other fix from now on, so the ids stay evenly
    // spread over the whole dwell (a long minDwellS at 1 Hz is thousands of fixes).
    if (n % visit.stride === 0 && visit.evidence.length >= max) {
      visit.evidence = visit.evidence.filter((_, k) => k % 2 === 0);
      visit.stride *= 2;
    }
    // The fix that completes the dwell is always cited, so the evidence spans all of it.
    if (n % visit.stride === 0 || due) {
      if (visit.evidence.length >= max) visit.evidence.pop();
      visit.evidence.push(fix.recordId);
    }
    if (!due) return;
    visit.checkedIn = true;
    events.push({
      type: 'checkin',
      checkpointId: visit.shape.id,
      enteredAt: visit.enteredAt,
      dwellS: (fix.fixAt - visit.enteredAt) / 1000,
      evidence: visit.evidence,
    });
    visit.evidence = [];
  }

  /** Ids of the checkpoints within `radiusM` of a point (0 when inside), nearest first: candidates for a manual check-in. */
  near(lat: number, lon: number, radiusM: number): string[] {
    if (!isValidLatLon({ lat, lon }) || !(radiusM >= 0)) return [];
    const found: Array<{ id: string; d: number }> = [];
    for (const i of this.index.around(lat, lon, radiusM)) {
      const shape = this.index.shapes[i];
      if (!shape) continue;
      const d = Math.max(0, -signedDistanceM(shape, lat, lon));
      if (d <= radiusM) found.push({ id: shape.id, d });
    }
    return found.sort((a, b) => a.d - b.d).map((f) => f.id);
  }

  private close(visit: Visit): GeofenceEvent {
    if (visit.checkedIn) this.coveredUntil.set(visit.shape.id, visit.lastInsideAt + this.config.cooldownMs);
    return { type: 'exit', checkpointId: visit.shape.id, at: visit.lastInsideAt, checkedIn: visit.checkedIn };
  }
}

function unique(checkpoints: readonly Checkpoint[]): readonly Checkpoint[] {
  const seen = new Set<string>();
  for (const cp of checkpoints) {
    // Two shapes under one id would share a cool-down and check in under each other's name.
    if (seen.has(cp.id)) throw new Error(`checkpoint ${cp.id} is listed twice`);
    seen.add(cp.id);
  }
  return checkpoints;
}

/** How well the stored track backs a check-in: the supervisor's view shows all three. */
export type CheckinVerdict = 'verified' | 'weak' | 'unsupported';

/** Why verifyCheckin decided as it did; stable strings for storage and filtering. */
export type CheckinReason =
  'ok' | 'few-fixes' | 'short-dwell' | 'poor-fixes' | 'outside' | 'no-fixes' | 'evidence-missing' | 'evidence-outside' | 'evidence-time' | 'bad-claim';

/** Inside fixes of one continuous presence that make a check-in `verified`; fewer is `weak`. */
export const VERIFY_MIN_FIXES = 3;
/** Share of the checkpoint's minDwellS those fixes must span: FixFilter keeps a standing officer's fix only once a minute. */
const VERIFY_DWELL_FRACTION = 0.8;
/** How far either side of the claimed stay the track is read: the device's sampling and a late first fix. */
const VERIFY_SLACK_MS = 120_000;

/** A check-in as the device claims it, times in epoch ms. */
export interface CheckinClaim {
  method: 'geofence' | 'manual';
  enteredAt: number;
  dwellS: number;
  evidence: readonly string[];
}

/** The span of fix times [from, to] (epoch ms) that `verifyCheckin` reads for a claim: what a caller must load. */
export function verificationWindow(checkpoint: Checkpoint, claim: Pick<CheckinClaim, 'enteredAt' | 'dwellS'>): { from: number; to: number } {
  const minDwellMs = (Number.isFinite(checkpoint.minDwellS) ? checkpoint.minDwellS : DEFAULT_MIN_DWELL_S) * 1000;
  return { from: claim.enteredAt - VERIFY_SLACK_MS, to: claim.enteredAt + Math.max(claim.dwellS * 1000, minDwellMs) + VERIFY_SLACK_MS };
}

/** Server-side re-verification of a check-in claim against the stored track of that officer and shift. */
export function verifyCheckin(
  checkpoint: Checkpoint,
  claim: CheckinClaim,
  track: ReadonlyArray<GeofenceFix>,
): { verdict: CheckinVerdict; insideFixes: number; reason: CheckinReason } {
  const c = DEFAULT_GEOFENCE_CONFIG;
  const shape = prepare(checkpoint);
  if (!Number.isFinite(claim.enteredAt) || !(claim.dwellS >= 0)) return { verdict: 'unsupported', insideFixes: 0, reason: 'bad-claim' };
  const { from, to } = verificationWindow(checkpoint, claim);
  const window = track.filter((f) => isValidFix(f) && f.fixAt >= from && f.fixAt <= to).sort((a, b) => a.fixAt - b.fixAt);
  const best = longestPresence(shape, window, c);
  const insideFixes = best?.fixes ?? 0;
  const result = (verdict: CheckinVerdict, reason: CheckinReason) => ({ verdict, insideFixes, reason });

  // The device's own evidence first: a geofence check-in always cites its inside fixes, and
  // each must be a stored fix of this stay that could have been inside.
  if (claim.method === 'geofence' && claim.evidence.length === 0) return result('unsupported', 'evidence-missing');
  if (claim.evidence.length) {
    const byId = new Map(track.map((f) => [f.recordId, f]));
    for (const id of claim.evidence) {
      const fix = byId.get(id);
      if (!fix || !isValidFix(fix)) return result('unsupported', 'evidence-missing');
      if (fix.fixAt < from || fix.fixAt > to) return result('unsupported', 'evidence-time');
      if (signedDistanceM(shape, fix.lat, fix.lon) < -fix.accuracy) return result('unsupported', 'evidence-outside');
    }
  }

  if (!window.length) return result('unsupported', 'no-fixes');
  if (!best) {
    // Nothing inside by the engine's rule, but fixes whose accuracy circles reach the checkpoint:
    // the officer may well have been there (indoors, poor sky), which is what a manual check-in says.
    const reaches = window.some((f) => signedDistanceM(shape, f.lat, f.lon) >= -f.accuracy);
    return reaches ? result('weak', 'poor-fixes') : result('unsupported', 'outside');
  }
  if (best.fixes < VERIFY_MIN_FIXES) return result('weak', 'few-fixes');
  if (best.lastAt - best.firstAt < VERIFY_DWELL_FRACTION * shape.minDwellMs) return result('weak', 'short-dwell');
  return result('verified', 'ok');
}

/**
 * The longest continuous presence in time-ordered fixes, by the engine's rules (accuracy-aware
 * inside, exitFixes outside fixes or a maxGapMs silence end it), so a stay cannot be assembled
 * from two passes by the checkpoint.
 */
function longestPresence(shape: Shape, fixes: readonly GeofenceFix[], c: GeofenceConfig): { fixes: number; firstAt: number; lastAt: number } | null {
  let best: { fixes: number; firstAt: number; lastAt: number } | null = null;
  let run: { fixes: number; firstAt: number; lastAt: number } | null = null;
  let outs = 0;
  const end = () => {
    if (
      run &&
      (!best || run.lastAt - run.firstAt > best.lastAt - best.firstAt || (run.lastAt - run.firstAt === best.lastAt - best.firstAt && run.fixes > best.fixes))
    )
      best = run;
    run = null;
  };
  for (const fix of fixes) {
    if (run && fix.fixAt - run.lastAt > c.maxGapMs) end();
    const side = sideOf(shape, fix, c);
    if (side === 'in') {
      outs = 0;
      if (run) {
        run.fixes++;
        run.lastAt = fix.fixAt;
      } else run = { fixes: 1, firstAt: fix.fixAt, lastAt: fix.fixAt };
    } else if (side === 'out' && run && ++outs >= c.exitFixes) end();
  }
  end();
  return best;
}
