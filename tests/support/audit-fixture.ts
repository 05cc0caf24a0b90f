import type { TrackingMark, TrackPoint } from '../../src/domain/protocol/track-audit.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../src/simulator/traces.js';

// The Osaka walk with its real pauses (SOURCES.md: a 110 s and a 24-minute gap), as the audit
// endpoint would give it: each fix a stored point, each gap a signed pause before it resumes.

export const AUDIT_DEVICE = '0190a1f0-0000-7000-8000-00000000e001';
const walk = shiftTo(loadTrack(TRACE_FILES.osakaPause));

export const auditPoints: TrackPoint[] = walk.map((p, i) => ({
  id: `p${i}`,
  deviceId: AUDIT_DEVICE,
  seq: i + 1,
  at: new Date(p.time!).toISOString(),
  fixAt: new Date(p.time!).toISOString(),
  lat: p.lat,
  lon: p.lon,
  accuracy: 5,
  receivedAt: new Date(p.time!).toISOString(),
  flag: null,
  speed: null,
  heading: null,
  altitude: p.ele ?? null,
}));

/** Indices of the first fix after each gap longer than a minute: where the device recorded a pause. */
export const auditResumes = walk.flatMap((p, i) => (i > 0 && p.time! - walk[i - 1]!.time! > 60_000 ? [i] : []));

const mark = (at: number, state: TrackingMark['state'], reason: string): TrackingMark => ({
  id: `m${at}`,
  deviceId: AUDIT_DEVICE,
  seq: 0,
  at: new Date(at).toISOString(),
  state,
  reason,
});
export const auditTracking = auditResumes.flatMap((i) => [mark(walk[i - 1]!.time! + 60_000, 'paused', 'no-fix'), mark(walk[i]!.time!, 'on', 'fix-resumed')]);
