import { describe, expect, it } from 'vitest';
import { haversineM } from '../../../src/domain/geo.js';
import { Walk } from '../../../src/simulator/route.js';
import { loadTrack, TRACE_FILES } from '../../../src/simulator/traces.js';

describe('a simulated walk', () => {
  const track = loadTrack(TRACE_FILES.osakaWalk);
  const anchor = { lat: 23.1, lon: 114.4 };
  const walk = Walk.plan(track, { startIndex: 100, angle: 1.2, anchor, stopAtMs: 10 * 60_000, stopMs: 90_000, durationMs: 60 * 60_000 });

  it('reaches the checkpoint when planned and stands there for the stop', () => {
    for (const t of [10 * 60_000, 10 * 60_000 + 45_000, 10 * 60_000 + 89_000]) {
      const fix = walk.fixAt(t);
      expect(haversineM(fix, anchor)).toBeLessThan(0.01);
      expect(fix.speed).toBe(0);
    }
    expect(haversineM(walk.fixAt(10 * 60_000 + 150_000), anchor)).toBeGreaterThan(20);
  });

  it('keeps the recorded walking pace, turned and moved, for longer than the track lasts', () => {
    const speeds: number[] = [];
    for (let t = 0; t < 60 * 60_000; t += 5000) {
      const fix = walk.fixAt(t);
      expect(Number.isFinite(fix.lat) && Number.isFinite(fix.lon)).toBe(true);
      if (fix.speed !== null) speeds.push(fix.speed);
    }
    const sorted = speeds.sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1]!;
    expect(median).toBeGreaterThan(0.5);
    expect(median).toBeLessThan(2.5);
    // Still near the checkpoint's neighbourhood, not on the other side of the world.
    expect(haversineM(walk.fixAt(59 * 60_000), anchor)).toBeLessThan(10_000);
  });
});
