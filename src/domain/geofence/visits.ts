// The visit rule, once: how a fix reads against a checkpoint, when a visit starts, what keeps it
// open, what ends it, and when it has earned a check-in. The device's GeofenceEngine runs it on
// each fix as it comes; the server's verifyCheckin replays the stored track through it; so every
// check-in the device makes verifies on the fixes it kept. Pure and deterministic: time comes in
// with each fix.
import { isValidLatLon } from '../geo.js';
import { type Shape, signedDistanceM } from './shapes.js';

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

/** Every threshold of the rule; partial overrides go to the GeofenceEngine constructor. */
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
  /** Inside fixes a visit needs, besides minDwellS, to earn a check-in: two fixes can both be outliers. */
  minInsideFixes: number;
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
  minInsideFixes: 3,
  cooldownMs: 10 * 60_000,
  maxEvidence: 500,
});

/** True for a fix that is a real position with a usable accuracy and time. */
export function isValidFix(fix: GeofenceFix): boolean {
  return isValidLatLon(fix) && Number.isFinite(fix.accuracy) && fix.accuracy >= 0 && Number.isFinite(fix.fixAt);
}

/** The accuracy-aware reading of one fix against one shape; 'none' is the hysteresis band, or a fix too poor to say. */
type Side = 'in' | 'out' | 'none';

/** Reads one fix against one shape. */
function sideOf(shape: Shape, fix: GeofenceFix, c: GeofenceConfig): Side {
  if (!(fix.accuracy <= c.maxAccuracyM)) return 'none';
  const sep = signedDistanceM(shape, fix.lat, fix.lon);
  const spread = c.accuracyFraction * fix.accuracy;
  if (sep >= spread) return 'in';
  if (-sep >= c.exitMarginM + spread) return 'out';
  return 'none';
}

/** True when the rule reads this fix after the last one it read (`lastFixAt`): a real position, and newer. */
export function isNextFix(fix: GeofenceFix, lastFixAt: number): boolean {
  return isValidFix(fix) && fix.fixAt > lastFixAt;
}

/** One checkpoint's open visit: everything the rule needs to read the next fix. */
export interface Visit {
  /** The fix time of the first inside fix. */
  readonly enteredAt: number;
  lastInsideAt: number;
  /** Inside fixes so far, the first one included. */
  insideFixes: number;
  /** The current run of outside fixes: how many, and the time of its first. */
  outCount: number;
  outSince: number;
}

/** What one fix did at one checkpoint. A fix after a long silence may end one visit and open the next. */
export interface VisitStep {
  /** The visit this fix ended (a silence longer than maxGapMs, or enough outside fixes over exitMinMs). */
  ended: Visit | null;
  /** The visit open after this fix; a new one when `entered`. */
  open: Visit | null;
  entered: boolean;
  /** The fix was inside: it extended (or opened) `open`. */
  inside: boolean;
}

/**
 * Reads one fix at one checkpoint, given its open visit (or null); updates that visit in place.
 * Feed it only fixes for which isNextFix holds, every one of them, while a visit is open.
 */
export function stepVisit(open: Visit | null, shape: Shape, fix: GeofenceFix, c: GeofenceConfig): VisitStep {
  let ended: Visit | null = null;
  // Checked before the fix is read (even a poor one): a dwell must not bridge time nobody saw.
  if (open && fix.fixAt - open.lastInsideAt > c.maxGapMs) {
    ended = open;
    open = null;
  }
  const side = sideOf(shape, fix, c);
  if (side === 'in') {
    if (!open)
      return { ended, open: { enteredAt: fix.fixAt, lastInsideAt: fix.fixAt, insideFixes: 1, outCount: 0, outSince: fix.fixAt }, entered: true, inside: true };
    open.lastInsideAt = fix.fixAt;
    open.insideFixes++;
    open.outCount = 0;
    return { ended, open, entered: false, inside: true };
  }
  if (side === 'out' && open) {
    if (open.outCount === 0) open.outSince = fix.fixAt;
    open.outCount++;
    if (open.outCount >= c.exitFixes && fix.fixAt - open.outSince >= c.exitMinMs) return { ended: open, open: null, entered: false, inside: false };
  }
  // 'none' (the hysteresis band, or a fix too poor to say) neither extends a visit nor ends one.
  return { ended, open, entered: false, inside: false };
}

/** True once the visit has earned a check-in: inside for the checkpoint's minDwellS, on at least minInsideFixes fixes. */
export function dwellDone(visit: Visit, shape: Shape, c: GeofenceConfig): boolean {
  return visit.insideFixes >= c.minInsideFixes && visit.lastInsideAt - visit.enteredAt >= shape.minDwellMs;
}

/** Every visit to one checkpoint in a track, by the rule, as a device offered those fixes in time order would have seen them. */
export function replayVisits(shape: Shape, track: readonly GeofenceFix[], c: GeofenceConfig): Visit[] {
  // Of two fixes with one time the rule reads the first, as the engine does.
  const fixes = track.filter(isValidFix).sort((a, b) => a.fixAt - b.fixAt);
  const visits: Visit[] = [];
  let open: Visit | null = null;
  let lastFixAt = Number.NEGATIVE_INFINITY;
  for (const fix of fixes) {
    if (!isNextFix(fix, lastFixAt)) continue;
    lastFixAt = fix.fixAt;
    const step = stepVisit(open, shape, fix, c);
    if (step.ended) visits.push(step.ended);
    open = step.open;
  }
  if (open) visits.push(open);
  return visits;
}
