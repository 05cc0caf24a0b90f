import { describe, expect, it } from 'vitest';
import { haversineM } from '../../../src/domain/geo.js';
import type { AuditTrackResponse, TrackingMark } from '../../../src/domain/protocol/track-audit.js';
import { auditVerdict, replayAt, routeGpx, routeSegments, segmentsDistanceM } from '../../../src/domain/route-replay.js';
import { AUDIT_DEVICE, auditPoints, auditResumes, auditTracking } from '../../support/audit-fixture.js';
import { parseGpx } from '../../../src/simulator/traces.js';

const [points, resumes, tracking, DEVICE] = [auditPoints, auditResumes, auditTracking, AUDIT_DEVICE];

describe('route replay of an audited shift', () => {
  it('splits the route at each recorded pause, and measures distance only within segments', () => {
    expect(resumes).toHaveLength(2);
    const segments = routeSegments([...points].reverse(), tracking);
    expect(segments.map((s) => s.length)).toEqual([resumes[0]!, resumes[1]! - resumes[0]!, points.length - resumes[1]!]);
    expect(segments.flat().map((p) => p.seq)).toEqual(points.map((p) => p.seq));
    const joined = segmentsDistanceM([points]);
    const bridged = resumes.reduce((sum, i) => sum + haversineM(points[i - 1]!, points[i]!), 0);
    expect(segmentsDistanceM(segments)).toBeCloseTo(joined - bridged, 6);
  });

  it('stands at the newest fix at or before a moment, says when the moment is inside a pause, and nothing before the first fix', () => {
    const segments = routeSegments(points, tracking);
    const t = (i: number) => Date.parse(points[i]!.fixAt);
    expect(replayAt(segments, t(0) - 1)).toBeNull();
    expect(replayAt(segments, t(10) + 1)).toMatchObject({ point: { seq: 11 }, inGap: false });
    const speed = replayAt(segments, t(10))!.speedMs!;
    expect(speed).toBeCloseTo(haversineM(points[9]!, points[10]!) / ((t(10) - t(9)) / 1000), 9);
    const inPause = replayAt(segments, t(resumes[1]!) - 1000)!;
    expect(inPause).toMatchObject({ point: { seq: resumes[1]! }, inGap: true });
    expect(replayAt(segments, t(points.length - 1) + 3_600_000)).toMatchObject({ point: { seq: points.length }, inGap: false });
  });

  it('stands where a scan from the first fix would, at every fix, just before and after it, and in every pause', () => {
    const segments = routeSegments(points, tracking);
    // The plain reading of the rule: walk from the first fix to the last at or before `t`.
    const times = segments.map((segment) => segment.map((p) => Date.parse(p.fixAt)));
    const standing = (s: number, i: number, inGap: boolean) => {
      const [p, prev] = [segments[s]![i]!, segments[s]![i - 1]];
      const dt = prev ? (Date.parse(p.fixAt) - Date.parse(prev.fixAt)) / 1000 : 0;
      return { point: p, speedMs: prev && dt > 0 ? haversineM(prev, p) / dt : null, inGap };
    };
    const scanned = (t: number) => {
      let at: [number, number] | null = null;
      for (const [s, segment] of times.entries())
        for (const [i, time] of segment.entries()) {
          if (time > t) return at && standing(...at, i === 0);
          at = [s, i];
        }
      return at && standing(...at, false);
    };
    const moments = points.flatMap((p) => [-1, 0, 1, 30_000].map((d) => Date.parse(p.fixAt) + d));
    for (const t of moments) expect(replayAt(segments, t), new Date(t).toISOString()).toEqual(scanned(t));
    expect(moments.filter((t) => replayAt(segments, t)?.inGap)).not.toHaveLength(0);
  });

  it('exports GPX 1.1 that reads back as exactly the stored fixes, one trkseg per segment', () => {
    const segments = routeSegments(points, tracking);
    const gpx = routeGpx(segments, '陈志强 <J001> 2026-11-30');
    expect(gpx).toContain('<gpx version="1.1"');
    expect(gpx).toContain('<name>陈志强 &lt;J001&gt; 2026-11-30</name>');
    expect(gpx.match(/<trkseg>/g)).toHaveLength(3);
    const [read] = parseGpx(gpx);
    expect(read!.map((p) => [p.lat, p.lon, p.time])).toEqual(points.map((p) => [p.lat, p.lon, Date.parse(p.fixAt)]));
  });

  it('calls a shift intact, its gaps explained, or altered with the evidence', () => {
    const device: AuditTrackResponse['verification']['devices'][number] = {
      deviceId: DEVICE,
      records: 10,
      gaps: [],
      brokenLinks: [],
      badSignatures: [],
      hashMismatches: [],
      acknowledged: { seq: 10, hash: 'a'.repeat(64) },
      storedSeq: 10,
      truncated: false,
      last: { seq: 10, hash: 'a'.repeat(64) },
    };
    const track = (over: Partial<typeof device>, marks: TrackingMark[] = []): Pick<AuditTrackResponse, 'verification' | 'tracking'> => {
      const d = { ...device, ...over };
      const ok = !d.gaps.length && !d.brokenLinks.length && !d.badSignatures.length && !d.hashMismatches.length && !d.truncated;
      return { verification: { ok, devices: [d] }, tracking: marks };
    };
    expect(auditVerdict(track({}))).toEqual({ verdict: 'intact', evidence: [] });
    expect(auditVerdict(track({}, tracking))).toMatchObject({
      verdict: 'gaps-explained',
      evidence: [expect.stringMatching(/^paused:no-fix:/), expect.stringMatching(/^paused:no-fix:/)],
    });
    expect(auditVerdict(track({ hashMismatches: [4] }, tracking))).toEqual({ verdict: 'altered', evidence: [`hash-mismatch:${DEVICE}:4`] });
    expect(auditVerdict(track({ gaps: [{ from: 5, to: 6 }] }))).toEqual({ verdict: 'altered', evidence: [`missing:${DEVICE}:5-6`] });
    // A deleted tail leaves no gap inside the chain: only the head the server acknowledged shows it.
    expect(auditVerdict(track({ storedSeq: 7, truncated: true }, tracking))).toEqual({ verdict: 'altered', evidence: [`truncated:${DEVICE}:7-10`] });
  });
});
