import { haversineM, type LatLon } from './geo.js';
import type { AuditTrackResponse, TrackingMark, TrackPoint } from './protocol/track-audit.js';

// A shift's audited route as a supervisor replays it: the signed points split into segments at
// every pause, where the replay stands at a moment, the verdict on the chains behind it, and the
// GPX 1.1 export. Pure, so the screen, the export and the tests read the route the same way.

/** A stretch of route with tracking on: never joined across a pause. */
export type Segment<P = TrackPoint> = readonly P[];

/**
 * Splits the points (any order) at each pause or stop of tracking: a point after a `paused` or
 * `off` mark starts a new segment, so a gap is never drawn or measured as a straight line.
 */
export function routeSegments<P extends Pick<TrackPoint, 'fixAt' | 'seq'>>(
  points: readonly P[],
  tracking: ReadonlyArray<Pick<TrackingMark, 'at' | 'state'>>,
): Array<Segment<P>> {
  // ISO times compare as plain strings; localeCompare would build an ICU collator first (60 ms
  // the first time on a desktop, more on a phone) and compare by language rules besides.
  const sorted = [...points].sort((a, b) => (a.fixAt < b.fixAt ? -1 : a.fixAt > b.fixAt ? 1 : a.seq - b.seq));
  const breaks = tracking
    .filter((m) => m.state !== 'on')
    .map((m) => m.at)
    .sort();
  const out: P[][] = [];
  let current: P[] = [];
  let b = 0;
  for (const p of sorted) {
    let broke = false;
    while (b < breaks.length && breaks[b]! <= p.fixAt) {
      b++;
      broke = true;
    }
    if (broke && current.length) {
      out.push(current);
      current = [];
    }
    current.push(p);
  }
  if (current.length) out.push(current);
  return out;
}

/** Metres along the segments, never across a gap. */
export function segmentsDistanceM(segments: ReadonlyArray<Segment<LatLon>>): number {
  let total = 0;
  for (const s of segments) for (let i = 1; i < s.length; i++) total += haversineM(s[i - 1]!, s[i]!);
  return total;
}

/**
 * Where the replay stands at `t` (epoch ms): the newest point at or before it, the speed into it
 * from the point before in its segment, and whether `t` falls in a pause between segments.
 * Segments as routeSegments gives them (in time order, none empty), searched by halves: the
 * screen asks at every tick of a replay, and a 12-hour shift holds 8,640 points (bench audit:
 * a scan from the start took seconds over a 64× replay of one).
 */
export function replayAt(segments: readonly Segment[], t: number): { point: TrackPoint; speedMs: number | null; inGap: boolean } | null {
  const begun = countAtOrBefore(segments.length, (i) => segments[i]![0]!.fixAt, t);
  const segment = segments[begun - 1];
  if (!segment) return null;
  const i = countAtOrBefore(segment.length, (j) => segment[j]!.fixAt, t) - 1;
  const point = segment[i]!;
  const prev = segment[i - 1];
  const dt = prev ? (Date.parse(point.fixAt) - Date.parse(prev.fixAt)) / 1000 : 0;
  return { point, speedMs: prev && dt > 0 ? haversineM(prev, point) / dt : null, inGap: i === segment.length - 1 && begun < segments.length };
}

/** How many of `n` times in ascending order (`timeOf(i)`, ISO) are at or before `t`. */
function countAtOrBefore(n: number, timeOf: (i: number) => string, t: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Date.parse(timeOf(mid)) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * What the audit concludes about a shift's record, with the evidence for it. `suspicious` comes
 * from the route analysis (route-analysis.ts shiftVerdict): the chains hold, but the route itself
 * is implausible.
 */
export type AuditVerdict = 'intact' | 'gaps-explained' | 'altered' | 'suspicious';

/**
 * `altered` when any chain has a missing record, a broken link, a bad signature, a hash that
 * does not match its content, or falls short of the head the server acknowledged; `gaps-explained` when the chains hold but tracking paused (each
 * pause a signed record with its reason); else `intact`.
 */
export function auditVerdict(track: Pick<AuditTrackResponse, 'verification' | 'tracking'>): { verdict: AuditVerdict; evidence: string[] } {
  const evidence: string[] = [];
  for (const d of track.verification.devices) {
    for (const g of d.gaps) evidence.push(`missing:${d.deviceId}:${g.from}-${g.to}`);
    for (const seq of d.brokenLinks) evidence.push(`broken-link:${d.deviceId}:${seq}`);
    for (const seq of d.badSignatures) evidence.push(`bad-signature:${d.deviceId}:${seq}`);
    for (const seq of d.hashMismatches) evidence.push(`hash-mismatch:${d.deviceId}:${seq}`);
    if (d.truncated) evidence.push(`truncated:${d.deviceId}:${d.storedSeq}-${d.acknowledged.seq}`);
  }
  if (evidence.length || !track.verification.ok) return { verdict: 'altered', evidence };
  const pauses = track.tracking.filter((m) => m.state === 'paused').map((m) => `paused:${m.reason}:${m.at}`);
  return pauses.length ? { verdict: 'gaps-explained', evidence: pauses } : { verdict: 'intact', evidence: [] };
}

const xml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** GPX 1.1 of the route: one track, one `trkseg` per segment, every stored fix with its time. */
export function routeGpx(segments: readonly Segment[], name: string): string {
  const segs = segments
    .map((s) => `    <trkseg>\n${s.map((p) => `      <trkpt lat="${p.lat}" lon="${p.lon}"><time>${p.fixAt}</time></trkpt>\n`).join('')}    </trkseg>\n`)
    .join('');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<gpx version="1.1" creator="Xunfang" xmlns="http://www.topografix.com/GPX/1/1">\n` +
    `  <trk>\n    <name>${xml(name)}</name>\n${segs}  </trk>\n</gpx>\n`
  );
}
