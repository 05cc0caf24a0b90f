import { describe, expect, it } from 'vitest';
import { prepareShape } from '../../../../src/domain/geofence/shapes.js';
import { DEFAULT_GEOFENCE_CONFIG, dwellDone, type GeofenceFix, replayVisits, stepVisit, type Visit } from '../../../../src/domain/geofence/visits.js';
import { circle, offset } from '../../../support/geofence.js';

const SITE = { lat: 23.11, lon: 114.41 };
const c = DEFAULT_GEOFENCE_CONFIG;
const shape = prepareShape(circle('bank', SITE, 25, 60));

/** A fix `north` metres from the centre of the 25 m circle at second `s`. */
const fix = (s: number, north = 0, accuracy = 5): GeofenceFix => ({ recordId: `r-${s}`, ...offset(SITE, 0, north), accuracy, fixAt: s * 1000 });

/** Steps every fix through the rule and returns the open visit after the last. */
function run(fixes: readonly GeofenceFix[]): { open: Visit | null; ended: Visit[] } {
  let open: Visit | null = null;
  const ended: Visit[] = [];
  for (const f of fixes) {
    const step = stepVisit(open, shape, f, c);
    if (step.ended) ended.push(step.ended);
    open = step.open;
  }
  return { open, ended };
}

const seconds = (from: number, to: number, north = 0) => Array.from({ length: to - from + 1 }, (_, k) => fix(from + k, north));

describe('the visit rule', () => {
  it('opens a visit on an inside fix and counts every inside fix after it', () => {
    const { open, ended } = run(seconds(0, 9));
    expect(ended).toEqual([]);
    expect(open).toMatchObject({ enteredAt: 0, lastInsideAt: 9000, insideFixes: 10 });
  });

  it('keeps a visit through outside fixes that span less than exitMinMs, however many, and ends it when they span more', () => {
    const burst = run([...seconds(0, 10), ...seconds(11, 14, 500), ...seconds(15, 20)]);
    expect(burst.ended).toEqual([]);
    expect(burst.open).toMatchObject({ enteredAt: 0, insideFixes: 17 });

    const left = run([...seconds(0, 10), ...seconds(11, 16, 500)]);
    expect(left.open).toBeNull();
    expect(left.ended).toEqual([expect.objectContaining({ enteredAt: 0, lastInsideAt: 10_000 })]);
  });

  it('ends a visit after a silence longer than maxGapMs, and the fix after it opens the next one', () => {
    const later = c.maxGapMs / 1000 + 10;
    const { open, ended } = run([fix(0), fix(5), fix(10 + later)]);
    expect(ended).toEqual([expect.objectContaining({ enteredAt: 0, lastInsideAt: 5000 })]);
    expect(open).toMatchObject({ enteredAt: (10 + later) * 1000, insideFixes: 1 });
  });

  it('lets a fix too poor to say, or one in the hysteresis band, neither extend a visit nor end it', () => {
    const { open, ended } = run([fix(0), fix(1, 0, c.maxAccuracyM + 1), fix(2, 30), fix(3, 30), fix(10, 30), fix(11, 0, 60)]);
    expect(ended).toEqual([]);
    expect(open).toMatchObject({ lastInsideAt: 0, insideFixes: 1, outCount: 0 });
  });

  it('counts a dwell as done only when it spans minDwellS on at least minInsideFixes inside fixes', () => {
    const visit = (enteredAt: number, lastInsideAt: number, insideFixes: number): Visit => ({ enteredAt, lastInsideAt, insideFixes, outCount: 0, outSince: 0 });
    expect(dwellDone(visit(0, 60_000, c.minInsideFixes), shape, c)).toBe(true);
    expect(dwellDone(visit(0, 59_999, 60), shape, c)).toBe(false);
    expect(dwellDone(visit(0, 120_000, c.minInsideFixes - 1), shape, c)).toBe(false);
  });

  it('replays a track in fix-time order whatever order it is stored in, and reads only the first of two fixes with one time, as the engine does', () => {
    const track = [...seconds(0, 30), ...seconds(31, 40, 500), ...seconds(41, 50)];
    expect(replayVisits(shape, [...track].reverse(), c)).toEqual(replayVisits(shape, track, c));
    expect(replayVisits(shape, [...track, fix(35), fix(36)], c)).toEqual(replayVisits(shape, track, c));
    expect(replayVisits(shape, track, c)).toEqual([
      expect.objectContaining({ enteredAt: 0, lastInsideAt: 30_000, insideFixes: 31 }),
      expect.objectContaining({ enteredAt: 41_000, lastInsideAt: 50_000, insideFixes: 10 }),
    ]);
  });
});
