import { describe, expect, it } from 'vitest';
import { haversineM } from '../../../../src/domain/geo.js';
import { GeofenceEngine } from '../../../../src/domain/geofence/engine.js';
import { VERIFY_MIN_FIXES, verifyCheckin } from '../../../../src/domain/geofence/verify.js';
import { FixFilter } from '../../../../src/domain/track-filter.js';
import { checkins, circle, enters, feed, fixesOf, offset, osaka, osakaStops, timeOf } from '../../../support/geofence.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../../support/traces.js';

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

  it('verifies a check-in whose stay three outliers within 2 s interrupted, as the device made it (issue 9)', () => {
    // 30 s inside, 3 fixes 500 m away within 2 s, then 41 s inside, at 1 Hz: the device does not
    // end a visit on outliers that span less than exitMinMs, so it checks in at 60 s.
    const site = { lat: 23.11, lon: 114.41 };
    const cp = circle('bank', site, 25, 60);
    const at = (s: number) => Date.UTC(2026, 10, 29, 8) + s * 1000;
    const fixes = [
      ...Array.from({ length: 31 }, (_, s) => ({ s, ...offset(site, (s % 3) - 1, 0) })),
      ...[31, 32, 33].map((s) => ({ s, ...offset(site, 0, 500) })),
      ...Array.from({ length: 42 }, (_, k) => ({ s: 34 + k, ...offset(site, 0, (k % 3) - 1) })),
    ].map(({ s, lat, lon }) => ({ recordId: `r-${s}`, lat, lon, accuracy: 5, fixAt: at(s) }));
    const [made] = checkins(feed(new GeofenceEngine([cp]), fixes));
    expect(made).toMatchObject({ checkpointId: 'bank', enteredAt: at(0), dwellS: 60 });
    const claim = { method: 'geofence' as const, enteredAt: made?.enteredAt ?? 0, dwellS: made?.dwellS ?? 0, evidence: made?.evidence ?? [] };
    expect(verifyCheckin(cp, claim, fixes)).toEqual({ verdict: 'verified', insideFixes: 73, reason: 'ok' });
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
