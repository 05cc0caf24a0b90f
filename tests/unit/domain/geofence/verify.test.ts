import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../../../src/domain/checkpoints.js';
import { haversineM } from '../../../../src/domain/geo.js';
import { GeofenceEngine, type GeofenceEvent } from '../../../../src/domain/geofence/engine.js';
import { VERIFY_MIN_FIXES, verifyCheckin } from '../../../../src/domain/geofence/verify.js';
import type { GeofenceFix } from '../../../../src/domain/geofence/visits.js';
import { FixFilter } from '../../../../src/domain/track-filter.js';
import { checkins, circle, enters, feed, fixesOf, offset, osaka, osakaStops, polygon, timeOf } from '../../../support/geofence.js';
import { loadTrack, shiftTo, TRACE_FILES } from '../../../../src/simulator/traces.js';

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

describe('every check-in the engine makes verifies on the fixes it kept', () => {
  const SITE = { lat: 23.11, lon: 114.41 };
  const T0 = Date.UTC(2026, 10, 29, 20);
  const metres = (limit: number) => fc.double({ min: -limit, max: limit, noNaN: true });

  /** Circles and star-shaped polygons (some with a hole) of checkpoint sizes, near each other so visits overlap. */
  const checkpointArb = fc.record({
    east: metres(60),
    north: metres(60),
    minDwellS: fc.constantFrom(0, 5, 20, 60, 120),
    shape: fc.oneof(
      fc.record({ kind: fc.constant('circle' as const), radiusM: fc.integer({ min: 5, max: 80 }) }),
      fc.record({
        kind: fc.constant('polygon' as const),
        radii: fc.array(fc.integer({ min: 10, max: 80 }), { minLength: 3, maxLength: 10 }),
        turn: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        hole: fc.boolean(),
      }),
    ),
  });
  type CheckpointSpec = typeof checkpointArb extends fc.Arbitrary<infer T> ? T : never;

  function checkpointOf(spec: CheckpointSpec, i: number): Checkpoint {
    const centre = offset(SITE, spec.east, spec.north);
    if (spec.shape.kind === 'circle') return circle(`circle-${i}`, centre, spec.shape.radiusM, spec.minDwellS);
    const { radii, turn, hole } = spec.shape;
    const outer = radii.map((r, k): [number, number] => {
      const a = turn + (2 * Math.PI * k) / radii.length;
      return [r * Math.cos(a), r * Math.sin(a)];
    });
    // The hole's corners (0.42 × the shortest arm out) lie within the inradius of any such star, at least half its shortest arm.
    const h = Math.min(...radii) * 0.3;
    const inner: Array<[number, number]> = [
      [-h, -h],
      [-h, h],
      [h, h],
      [h, -h],
    ];
    return polygon(`polygon-${i}`, centre, hole ? [outer, inner] : [outer], spec.minDwellS);
  }

  /** A patrol around the checkpoints: stays with GPS jitter, walks, bursts of outliers, silences (some with tracking paused). */
  const legArb = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('stay' as const),
        east: metres(150),
        north: metres(150),
        seconds: fc.integer({ min: 1, max: 240 }),
        everyS: fc.constantFrom(1, 2, 3, 5, 10, 30, 60),
        jitterM: fc.integer({ min: 0, max: 15 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('walk' as const),
        east: metres(150),
        north: metres(150),
        seconds: fc.integer({ min: 5, max: 120 }),
        everyS: fc.constantFrom(1, 2, 3, 5, 10, 30, 60),
        jitterM: fc.integer({ min: 0, max: 15 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('outliers' as const),
        count: fc.integer({ min: 1, max: 5 }),
        spanMs: fc.integer({ min: 0, max: 10_000 }),
        distanceM: fc.integer({ min: 40, max: 600 }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('silence' as const), seconds: fc.integer({ min: 10, max: 300 }), paused: fc.boolean() }) },
  );
  const patrolArb = fc.record({
    checkpoints: fc.array(checkpointArb, { minLength: 1, maxLength: 3 }),
    legs: fc.array(legArb, { minLength: 1, maxLength: 12 }),
    /** Share of fixes too poor to count (indoors, under a bridge). */
    poorShare: fc.double({ min: 0, max: 0.4, noNaN: true }),
    seed: fc.integer(),
  });
  type Patrol = typeof patrolArb extends fc.Arbitrary<infer T> ? T : never;

  /** Deterministic PRNG (mulberry32) for jitter and accuracy, so a failing case replays exactly. */
  function random(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  /** The fixes of a patrol in time order, each flagged when tracking was paused just before it. */
  function fixesOfPatrol({ legs, poorShare, seed }: Patrol): Array<{ fix: GeofenceFix; pausedBefore: boolean }> {
    const rnd = random(seed);
    const out: Array<{ fix: GeofenceFix; pausedBefore: boolean }> = [];
    let t = T0;
    let here = { east: 0, north: 0 };
    let paused = false;
    const push = (east: number, north: number, jitterM = 0) => {
      const a = rnd() * 2 * Math.PI;
      const d = jitterM * Math.sqrt(rnd());
      const accuracy = rnd() < poorShare ? 31 + rnd() * 40 : 3 + rnd() * 15;
      const p = offset(SITE, east + d * Math.cos(a), north + d * Math.sin(a));
      out.push({ fix: { recordId: `r-${out.length}`, ...p, accuracy, fixAt: t }, pausedBefore: paused });
      paused = false;
    };
    for (const leg of legs) {
      if (leg.kind === 'silence') {
        t += leg.seconds * 1000;
        paused ||= leg.paused;
      } else if (leg.kind === 'outliers') {
        const a = rnd() * 2 * Math.PI;
        for (let k = 0; k < leg.count; k++) {
          t += Math.max(1, Math.floor(leg.spanMs / leg.count));
          push(here.east + leg.distanceM * Math.cos(a), here.north + leg.distanceM * Math.sin(a));
        }
      } else {
        const from = here;
        for (let s = leg.everyS; s <= leg.seconds; s += leg.everyS) {
          t += leg.everyS * 1000;
          const f = leg.kind === 'walk' ? s / leg.seconds : 1;
          push(from.east + (leg.east - from.east) * f, from.north + (leg.north - from.north) * f, leg.jitterM);
        }
        here = { east: leg.east, north: leg.north };
      }
    }
    return out;
  }

  it('on generated patrols with outliers, silences, pauses, poor fixes and sampling from 1 s to a minute, around circles and polygons', () => {
    let patrols = 0;
    let made = 0;
    const madeAt = new Set<string>();
    fc.assert(
      fc.property(patrolArb, (patrol) => {
        const cps = patrol.checkpoints.map(checkpointOf);
        const engine = new GeofenceEngine(cps);
        const events: GeofenceEvent[] = [];
        const fixes = fixesOfPatrol(patrol);
        for (const { fix, pausedBefore } of fixes) {
          if (pausedBefore) events.push(...engine.gap());
          events.push(...engine.offer(fix));
        }
        // The server holds the same fixes in whatever order it stored them.
        const track = fixes.map((f) => f.fix).reverse();
        patrols++;
        for (const e of events) {
          if (e.type !== 'checkin') continue;
          const cp = cps.find((c) => c.id === e.checkpointId);
          if (!cp) throw new Error(`no checkpoint ${e.checkpointId}`);
          const claim = { method: 'geofence' as const, enteredAt: e.enteredAt, dwellS: e.dwellS, evidence: e.evidence };
          expect(verifyCheckin(cp, claim, track), `${e.checkpointId} entered ${e.enteredAt - T0} ms in, dwell ${e.dwellS} s`).toMatchObject({
            verdict: 'verified',
            reason: 'ok',
          });
          made++;
          madeAt.add(cp.shape.kind);
        }
      }),
      { numRuns: 400 },
    );
    // Not vacuous: the generated patrols do check in, at both kinds of shape.
    expect(made).toBeGreaterThan(patrols / 4);
    expect([...madeAt].sort()).toEqual(['circle', 'polygon']);
  });
});
