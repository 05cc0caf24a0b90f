// The visit rule: how one fix reads against one checkpoint, given the thresholds below. Pure and
// deterministic: time comes in with each fix, so replaying a track gives the same answer on the
// device and on the server.
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

/** True for a fix that is a real position with a usable accuracy and time. */
export function isValidFix(fix: GeofenceFix): boolean {
  return isValidLatLon(fix) && Number.isFinite(fix.accuracy) && fix.accuracy >= 0 && Number.isFinite(fix.fixAt);
}

/** The accuracy-aware reading of one fix against one shape; 'none' is the hysteresis band, or a fix too poor to say. */
export type Side = 'in' | 'out' | 'none';

/** Reads one fix against one shape. */
export function sideOf(shape: Shape, fix: GeofenceFix, c: GeofenceConfig): Side {
  if (!(fix.accuracy <= c.maxAccuracyM)) return 'none';
  const sep = signedDistanceM(shape, fix.lat, fix.lon);
  const spread = c.accuracyFraction * fix.accuracy;
  if (sep >= spread) return 'in';
  if (-sep >= c.exitMarginM + spread) return 'out';
  return 'none';
}
