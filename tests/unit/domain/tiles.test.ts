import { describe, expect, it } from 'vitest';
import { boundsOf, tileAt, tileCount, tilesIn, tileUrl, unionBounds } from '../../../src/domain/tiles.js';

describe('tiles covering an area', () => {
  it("puts a point in the same tile as the XYZ scheme does (the OSM wiki's formula)", () => {
    expect(tileAt(0, 0, 1)).toEqual({ x: 1, y: 1 });
    expect(tileAt(-180, 85, 3)).toEqual({ x: 0, y: 0 });
    expect(tileAt(180, -85.06, 3)).toEqual({ x: 7, y: 7 });
    // Huicheng at z14: lon 114.41 → column 13398.93, lat 23.11 → row 7110.50.
    expect(tileAt(114.41, 23.11, 14)).toEqual({ x: 13398, y: 7110 });
  });

  it('counts the tiles of a box zoom by zoom, and the list has exactly that many, each once', () => {
    const box: [number, number, number, number] = [114.38, 23.08, 114.44, 23.14];
    const list = [...tilesIn(box, 10, 16)];
    expect(list.length).toBe(tileCount(box, 10, 16));
    expect(new Set(list.map((t) => `${t.z}/${t.x}/${t.y}`)).size).toBe(list.length);
    // One tile at z10, and roughly 4× more per zoom level further in.
    expect(tileCount(box, 10, 10)).toBe(1);
    const z15 = tileCount(box, 15, 15);
    const z16 = tileCount(box, 16, 16);
    expect(z16 / z15).toBeGreaterThan(3);
    expect(z16 / z15).toBeLessThan(5);
    // Every tile really overlaps the box.
    for (const t of list) {
      const a = tileAt(box[0], box[3], t.z);
      const b = tileAt(box[2], box[1], t.z);
      expect(t.x >= a.x && t.x <= b.x && t.y >= a.y && t.y <= b.y).toBe(true);
    }
  });

  it('fills a template, with {-y} counting rows from the south as TMS does', () => {
    expect(tileUrl('https://t.example/{z}/{x}/{y}.png', { z: 3, x: 5, y: 2 })).toBe('https://t.example/3/5/2.png');
    expect(tileUrl('https://t.example/{z}/{x}/{-y}.png', { z: 3, x: 5, y: 2 })).toBe('https://t.example/3/5/5.png');
  });

  it('joins zone boxes into one and boxes a set of points', () => {
    expect(unionBounds([])).toBeNull();
    expect(
      unionBounds([
        [1, 2, 3, 4],
        [0, 3, 2, 5],
      ]),
    ).toEqual([0, 2, 3, 5]);
    expect(
      boundsOf([
        [114.4, 23.1],
        [114.42, 23.08],
      ]),
    ).toEqual([114.4, 23.08, 114.42, 23.1]);
    expect(boundsOf([])).toBeNull();
  });
});
