import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, DEFAULT_MAX_POSITION_AGE_S, LockdownInputError, type LockdownOfficer, type LockdownPlan } from '../../../../src/domain/lockdown/assign.js';
import type { LockdownPoint } from '../../../../src/domain/lockdown/ring.js';
import { straightLineTravelS, TRAVEL_SPEED_MPS, type TravelMode } from '../../../../src/domain/lockdown/travel.js';
import { offset } from '../../../support/geofence.js';

const INCIDENT = { lat: 23.11, lon: 114.41 };
const MODES: TravelMode[] = ['foot', 'bicycle', 'motorbike', 'car'];

// offset() is planar, the travel time haversine: they agree to well under a millimetre, hence toBeCloseTo(…, 3) below.
const point = (id: string, east: number, north = 0): LockdownPoint => ({ id, ...offset(INCIDENT, east, north) });
const officer = (id: string, east: number, north = 0, mode: TravelMode = 'foot', ageS = 30): LockdownOfficer => ({
  id,
  position: { ...offset(INCIDENT, east, north), ageS },
  mode,
});
const pairs = (plan: LockdownPlan) => plan.assignments.map((a) => [a.officerId, a.pointId]);

describe('assign', () => {
  it('mans every point by the earliest last arrival, where taking the nearest pair first would strand one', () => {
    // Greedy sends X to A (400 m), leaving B to Y 2 km away; swapping makes the slowest trip 1 km.
    const points = [point('A', 0), point('B', 1000)];
    const plan = assign(points, [officer('X', 400), officer('Y', -1000)]);
    expect(pairs(plan)).toEqual([
      ['Y', 'A'],
      ['X', 'B'],
    ]);
    expect(plan.lastMannedS).toBeCloseTo(1000 / TRAVEL_SPEED_MPS.foot, 3);
    expect(plan.unmanned).toEqual([]);
  });

  it('sends a car from farther away before a walker who is nearer, because it arrives sooner', () => {
    const plan = assign([point('A', 0)], [officer('walker', 500, 0, 'foot'), officer('driver', 2000, 0, 'car')]);
    expect(pairs(plan)).toEqual([['driver', 'A']]);
    expect(plan.free).toEqual(['walker']);
  });

  it('of the choices with the same last arrival, takes the one with the least total travel', () => {
    // Z alone can reach C and sets the last arrival; X and Y are each beside one of A and B.
    const points = [point('A', 0), point('B', 1000), point('C', 5000)];
    const plan = assign(points, [officer('Y', 900), officer('X', 100), officer('Z', 10_000, 0, 'foot')]);
    expect(pairs(plan)).toEqual([
      ['X', 'A'],
      ['Y', 'B'],
      ['Z', 'C'],
    ]);
    expect(plan.totalTravelS).toBeCloseTo((100 + 100 + 5000) / TRAVEL_SPEED_MPS.foot, 3);
  });

  it('with fewer officers than points mans as many as it can, the ones reached soonest, and lists the rest as unmanned', () => {
    const points = [point('far', -4000), point('near', 300), point('mid', 0, 1200)];
    const plan = assign(points, [officer('X', 0), officer('Y', 500)]);
    expect(plan.assignments.map((a) => a.pointId)).toEqual(['near', 'mid']);
    expect(plan.unmanned).toEqual(['far']);
    expect(plan.free).toEqual([]);
  });

  it('with more officers than points keeps the extra officers free', () => {
    const plan = assign([point('A', 0)], [officer('X', 3000), officer('Y', 100), officer('Z', -2000)]);
    expect(pairs(plan)).toEqual([['Y', 'A']]);
    expect(plan.free).toEqual(['X', 'Z']);
  });

  it('sends nobody without a position, with a position too old, or excluded by the leader, and says why', () => {
    const points = [point('A', 0), point('B', 500)];
    const officers: LockdownOfficer[] = [
      { id: 'lost', position: null, mode: 'car' },
      officer('stale', 10, 0, 'car', DEFAULT_MAX_POSITION_AGE_S + 1),
      officer('kept-out', 20, 0, 'car'),
      officer('far', 3000, 0, 'foot', DEFAULT_MAX_POSITION_AGE_S),
    ];
    const plan = assign(points, officers, { excluded: ['kept-out'] });
    expect(plan.unavailable).toEqual([
      { officerId: 'lost', reason: 'no-position' },
      { officerId: 'stale', reason: 'stale-position' },
      { officerId: 'kept-out', reason: 'excluded' },
    ]);
    expect(pairs(plan)).toEqual([['far', 'B']]);
    expect(plan.assignments[0]?.positionAgeS).toBe(DEFAULT_MAX_POSITION_AGE_S);
    expect(plan.unmanned).toEqual(['A']);
  });

  it('trusts positions up to the age the caller sets', () => {
    const plan = assign([point('A', 0)], [officer('X', 100, 0, 'foot', 120)], { maxPositionAgeS: 60 });
    expect(plan.unavailable).toEqual([{ officerId: 'X', reason: 'stale-position' }]);
    expect(plan.lastMannedS).toBeNull();
  });

  it("keeps the leader's pinned pairs even when slower, and optimises the rest around them", () => {
    const points = [point('A', 0), point('B', 1000), point('C', 2000)];
    const officers = [officer('X', 0), officer('Y', 1000), officer('Z', 2000)];
    // Unpinned, everyone stays where they are (0 s). X pinned to C: Y and Z share A and B best as Y→A, Z→B.
    expect(assign(points, officers).lastMannedS).toBe(0);
    const plan = assign(points, officers, { pinned: [['X', 'C']] });
    expect(plan.assignments).toEqual([
      expect.objectContaining({ officerId: 'Y', pointId: 'A', pinned: false }),
      expect.objectContaining({ officerId: 'Z', pointId: 'B', pinned: false }),
      expect.objectContaining({ officerId: 'X', pointId: 'C', pinned: true }),
    ]);
    expect(plan.lastMannedS).toBeCloseTo(2000 / TRAVEL_SPEED_MPS.foot, 3);
  });

  it('does not let a slow pinned officer make the other points later than they need be', () => {
    // X→A and Y→B is the shorter total (821 m against 1100 m) but the slower last trip (721 m against 600 m).
    const points = [point('A', 0), point('B', -400), point('C', -3000)];
    const officers = [officer('X', 100), officer('Y', 0, 600), officer('P', 3000)];
    const plan = assign(points, officers, { pinned: [['P', 'C']] });
    expect(pairs(plan)).toEqual([
      ['Y', 'A'],
      ['X', 'B'],
      ['P', 'C'],
    ]);
    expect(plan.lastMannedS).toBeCloseTo(6000 / TRAVEL_SPEED_MPS.foot, 3);
  });

  it('lets the leader pin an officer whose position is too old to be proposed', () => {
    const plan = assign([point('A', 0)], [officer('X', 100, 0, 'foot', 7200)], { pinned: [['X', 'A']] });
    expect(plan.assignments).toEqual([
      { pointId: 'A', officerId: 'X', travelS: expect.closeTo(100 / TRAVEL_SPEED_MPS.foot, 3), positionAgeS: 7200, pinned: true },
    ]);
  });

  it('proposes nothing, and lists what is left, when there are no officers or no points', () => {
    expect(assign([point('A', 0)], [])).toEqual({ assignments: [], unmanned: ['A'], free: [], unavailable: [], lastMannedS: null, totalTravelS: 0 });
    expect(assign([], [officer('X', 0)])).toEqual({ assignments: [], unmanned: [], free: ['X'], unavailable: [], lastMannedS: null, totalTravelS: 0 });
  });

  it('asks the travel function it is given, so road routing can replace the straight line', () => {
    // A stand-in for a router that disagrees with the straight line: crossing the midline is quick, staying on one side slow.
    const points = [point('A', 0), point('B', 1000)];
    const midline = offset(INCIDENT, 500, 0).lon;
    const byRoad = (from: { lon: number }, to: { lon: number }) => (from.lon > midline === to.lon > midline ? 600 : 60);
    const plan = assign(points, [officer('X', 10), officer('Y', 990)], { travelTimeS: byRoad });
    expect(pairs(plan)).toEqual([
      ['Y', 'A'],
      ['X', 'B'],
    ]);
    expect(plan.lastMannedS).toBe(60);
  });

  it('turns input the caller must fix into a LockdownInputError that says what is wrong', () => {
    const points = [point('A', 0), point('B', 1000)];
    const officers = [officer('X', 0), officer('Y', 100), { id: 'lost', position: null, mode: 'foot' as const }];
    const cases: Array<[() => unknown, RegExp]> = [
      [() => assign([...points, point('A', 5)], officers), /control point A is listed twice/],
      [() => assign(points, [...officers, officer('X', 5)]), /officer X is listed twice/],
      [() => assign(points, officers, { pinned: [['Q', 'A']] }), /pinned officer Q is not on shift/],
      [() => assign(points, officers, { pinned: [['X', 'Q']] }), /pinned point Q is not one of the control points/],
      [
        () =>
          assign(points, officers, {
            pinned: [
              ['X', 'A'],
              ['X', 'B'],
            ],
          }),
        /officer X is pinned to two points/,
      ],
      [
        () =>
          assign(points, officers, {
            pinned: [
              ['X', 'A'],
              ['Y', 'A'],
            ],
          }),
        /point A is pinned to two officers/,
      ],
      [() => assign(points, officers, { pinned: [['X', 'A']], excluded: ['X'] }), /officer X is both pinned and excluded/],
      [() => assign(points, officers, { pinned: [['lost', 'A']] }), /officer lost has no known position/],
      [() => assign(points, officers, { excluded: ['Q'] }), /excluded officer Q is not on shift/],
      [() => assign([{ id: 'bad', lat: 91, lon: 0 }], officers), /control point bad has no valid position/],
      [() => assign(points, [{ id: 'Z', position: { lat: 0, lon: 0, ageS: NaN }, mode: 'foot' }]), /officer Z has an invalid position/],
      [() => assign(points, [{ id: 'Z', position: null, mode: 'horse' as TravelMode }]), /officer Z has an unknown mode of travel/],
    ];
    for (const [call, reason] of cases) expect(call).toThrow(reason);
    for (const [call] of cases) expect(call).toThrow(LockdownInputError);
  });
});

// Every size up to 7 × 7 against all injective assignments. Coordinates are often on a 100 m
// grid so that equal travel times (ties) happen; a few officers lack a position or are stale,
// excluded or pinned, so every rule is exercised against the same enumeration.
describe('assign against brute force', () => {
  const MAX = 7;

  const metres = fc.oneof(
    fc.integer({ min: -30, max: 30 }).map((v) => v * 100),
    fc.double({ min: -3000, max: 3000, noNaN: true }),
  );
  const officerSpec = fc.record({
    east: metres,
    north: metres,
    mode: fc.constantFrom(...MODES),
    known: fc.nat(9).map((v) => v > 0), // one in ten has no position
    ageS: fc.oneof(fc.constant(DEFAULT_MAX_POSITION_AGE_S + 60), fc.nat(DEFAULT_MAX_POSITION_AGE_S)),
    excluded: fc.nat(9).map((v) => v === 0),
  });
  const pointSpec = fc.record({ east: metres, north: metres });

  for (let officerCount = 0; officerCount <= MAX; officerCount++) {
    for (let pointCount = 0; pointCount <= MAX; pointCount++) {
      it(`finds brute force's earliest last arrival and least total for ${officerCount} officers × ${pointCount} points`, () => {
        const instance = fc.record({
          officers: fc.array(officerSpec, { minLength: officerCount, maxLength: officerCount }),
          points: fc.array(pointSpec, { minLength: pointCount, maxLength: pointCount }),
          pinWishes: fc.array(fc.tuple(fc.nat(MAX - 1), fc.nat(MAX - 1)), { maxLength: 2 }),
        });
        fc.assert(
          fc.property(instance, (spec) => {
            const officers: LockdownOfficer[] = spec.officers.map((o, i) => ({
              id: `o${i}`,
              position: o.known ? { ...offset(INCIDENT, o.east, o.north), ageS: o.ageS } : null,
              mode: o.mode,
            }));
            const points = spec.points.map((p, i) => point(`p${i}`, p.east, p.north));
            const excluded = officers.filter((_, i) => spec.officers[i]!.excluded).map((o) => o.id);
            const pinned: Array<[string, string]> = [];
            for (const [o, p] of spec.pinWishes) {
              const who = officers[o];
              const where = points[p];
              if (!who?.position || !where || excluded.includes(who.id) || pinned.some(([a, b]) => a === who.id || b === where.id)) continue;
              pinned.push([who.id, where.id]);
            }

            const plan = assign(points, officers, { pinned, excluded });
            const best = bruteForce(points, officers, pinned, excluded);

            expect(plan.lastMannedS).toBe(best.lastMannedS);
            const rest = plan.assignments.filter((a) => !a.pinned);
            expect(rest).toHaveLength(best.restManned);
            expect(rest.length ? Math.max(...rest.map((a) => a.travelS)) : null).toBe(best.restBottleneckS);
            expect(sum(rest.map((a) => a.travelS))).toBeCloseTo(best.restTotalS, 6);
            // A proposal is one that could be issued: each officer and point once, the pins in it, everyone accounted for.
            expect(new Set(plan.assignments.map((a) => a.officerId)).size).toBe(plan.assignments.length);
            expect(
              plan.assignments
                .map((a) => a.pointId)
                .concat(plan.unmanned)
                .sort(),
            ).toEqual(points.map((p) => p.id).sort());
            const accounted = [...plan.assignments.map((a) => a.officerId), ...plan.free, ...plan.unavailable.map((u) => u.officerId)];
            expect(accounted.sort()).toEqual(officers.map((o) => o.id).sort());
            for (const [o, p] of pinned) expect(plan.assignments).toContainEqual(expect.objectContaining({ officerId: o, pointId: p, pinned: true }));
          }),
          { seed: 20_261_130 + officerCount * 10 + pointCount, numRuns: 40 },
        );
      });
    }
  }
});

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * Tries every injective assignment of the sendable officers and open points (those not pinned)
 * that mans as many points as possible, with the production travel time.
 */
function bruteForce(points: LockdownPoint[], officers: LockdownOfficer[], pinned: Array<[string, string]>, excluded: string[]) {
  const time = (o: LockdownOfficer, p: LockdownPoint) => straightLineTravelS(o.position!, p, o.mode);
  const pinnedTimes = pinned.map(([o, p]) =>
    time(
      officers.find((x) => x.id === o)!,
      points.find((x) => x.id === p)!,
    ),
  );
  const sendable = officers.filter(
    (o) => o.position && o.position.ageS <= DEFAULT_MAX_POSITION_AGE_S && !excluded.includes(o.id) && !pinned.some(([id]) => id === o.id),
  );
  const open = points.filter((p) => !pinned.some(([, id]) => id === p.id));
  const officersFewer = sendable.length <= open.length;
  const few = officersFewer ? sendable.length : open.length;
  const many = officersFewer ? open.length : sendable.length;
  const cost = (f: number, m: number) => (officersFewer ? time(sendable[f]!, open[m]!) : time(sendable[m]!, open[f]!));

  let restBottleneckS = Infinity;
  let restTotalS = Infinity;
  let lastMannedS = Infinity;
  const taken = new Array<boolean>(many).fill(false);
  const chosen: number[] = [];
  const visit = (f: number) => {
    if (f === few) {
      const times = chosen.map((m, i) => cost(i, m));
      const bottleneck = times.length ? Math.max(...times) : -Infinity;
      const total = sum(times);
      lastMannedS = Math.min(lastMannedS, Math.max(bottleneck, ...pinnedTimes));
      if (bottleneck < restBottleneckS || (bottleneck === restBottleneckS && total < restTotalS)) {
        restBottleneckS = bottleneck;
        restTotalS = total;
      }
      return;
    }
    for (let m = 0; m < many; m++) {
      if (taken[m]) continue;
      taken[m] = true;
      chosen.push(m);
      visit(f + 1);
      chosen.pop();
      taken[m] = false;
    }
  };
  visit(0);
  return {
    restManned: few,
    restBottleneckS: few ? restBottleneckS : null,
    restTotalS,
    lastMannedS: lastMannedS === -Infinity ? null : lastMannedS,
  };
}
