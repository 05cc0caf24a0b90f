import { describe, expect, it } from 'vitest';
import { arrowPixels, fixAge, markerHeading } from '../../../../src/app/map/position-marker.js';

describe("the officer's position marker", () => {
  it('points along the heading only when moving with a known heading', () => {
    expect(markerHeading({ heading: 90, speed: 1.4 })).toBe(90);
    expect(markerHeading({ heading: -90, speed: 1.4 })).toBe(270);
    expect(markerHeading({ heading: 90, speed: 0.2 })).toBeNull();
    expect(markerHeading({ heading: null, speed: 1.4 })).toBeNull();
    expect(markerHeading({ heading: 90, speed: null })).toBeNull();
    expect(markerHeading({})).toBeNull();
  });

  it("tells a fix's age in seconds, then minutes, then hours", () => {
    const now = Date.parse('2026-11-29T08:00:00Z');
    expect(fixAge(now - 5_000, now)).toEqual({ unit: 's', n: 5, seconds: 5 });
    expect(fixAge(now - 119_000, now)).toEqual({ unit: 's', n: 119, seconds: 119 });
    expect(fixAge(now - 600_000, now)).toEqual({ unit: 'm', n: 10, seconds: 600 });
    expect(fixAge(now - 3 * 3600_000, now)).toEqual({ unit: 'h', n: 3, seconds: 10800 });
    // A fix stamped slightly ahead of this clock is "now", not negative.
    expect(fixAge(now + 2_000, now).seconds).toBe(0);
  });
});

describe('the heading arrow image', () => {
  it('is an upward arrow: filled along the middle near the tip, outlined in white, clear in the corners', () => {
    const { width, height, data } = arrowPixels(40);
    expect([width, height, data.length]).toEqual([40, 40, 40 * 40 * 4]);
    const at = (x: number, y: number) => [...data.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 4)];
    expect(at(20, 15)).toEqual([0x4d, 0xa3, 0xff, 255]);
    expect(at(0, 0)[3]).toBe(0);
    expect(at(39, 0)[3]).toBe(0);
    // The notch at the back (between the two tails) is empty.
    expect(at(20, 33)[3]).toBe(0);
    expect(at(20, 2)).toEqual([255, 255, 255, 255]);
  });
});
