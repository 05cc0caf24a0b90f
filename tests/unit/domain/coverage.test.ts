import { areNeighborCells, gridDistance } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { bucketSpans, cellOf, contiguousAreas, COVERAGE_BUCKET_MS, routePasses, type CoverageFix } from '../../../src/domain/coverage.js';
import { isTrackGap, NO_FIX_MS } from '../../../src/domain/patrol-session.js';
import { loadTrack, shiftTo, TRACE_FILES, type TracePoint } from '../../../src/simulator/traces.js';

const RES = 10;

/** A real track's timed points as fixes, every `step`-th one (a phone keeping a fix every few seconds). */
function fixes(points: readonly TracePoint[], step: number): CoverageFix[] {
  return points.filter((p, i) => p.time !== null && i % step === 0).map((p) => ({ lat: p.lat, lon: p.lon, fixAt: p.time! }));
}

/** The cells in order of passing, each run of one cell kept once. */
function chain(passes: ReadonlyArray<{ cell: string }>): string[] {
  return passes.map((p) => p.cell).filter((cell, i, all) => cell !== all[i - 1]);
}

describe('coverage cells on real tracks', () => {
  const drive = fixes(shiftTo(loadTrack(TRACE_FILES.munichDrive)), 20);

  it('a car sampled every 20 s passes a contiguous chain of cells, where its own fixes alone skip cells', () => {
    const cells = chain(routePasses(drive, [], RES));
    for (let i = 1; i < cells.length; i++) expect(areNeighborCells(cells[i - 1]!, cells[i]!), `${cells[i - 1]} → ${cells[i]}`).toBe(true);
    // Without the grid path, the fixes' own cells jump: the interpolation is what fills them in.
    const own = chain(drive.map((f) => ({ cell: cellOf(f.lat, f.lon, RES) })));
    expect(own.some((cell, i) => i > 0 && gridDistance(own[i - 1]!, cell) > 1)).toBe(true);
    expect(cells.length).toBeGreaterThan(own.length);
  });

  it('gives interpolated cells times between the two fixes, in order', () => {
    const passes = routePasses(drive, [], RES);
    for (let i = 1; i < passes.length; i++) expect(passes[i]!.at).toBeGreaterThanOrEqual(passes[i - 1]!.at);
    expect(passes[0]!.at).toBe(drive[0]!.fixAt);
    expect(passes.at(-1)!.at).toBe(drive.at(-1)!.fixAt);
  });

  it('does not bridge the 24.5-minute gap of the Osaka walk', () => {
    const walk = fixes(shiftTo(loadTrack(TRACE_FILES.osakaPause)), 5);
    const gapAt = walk.findIndex((f, i) => i > 0 && f.fixAt - walk[i - 1]!.fixAt > 20 * 60_000);
    expect(gapAt).toBeGreaterThan(0);
    const [before, after] = [walk[gapAt - 1]!, walk[gapAt]!];
    // Far enough apart that a grid path would claim cells between them.
    expect(gridDistance(cellOf(before.lat, before.lon, RES), cellOf(after.lat, after.lon, RES))).toBeGreaterThan(1);
    const passes = routePasses(walk, [], RES);
    const between = passes.filter((p) => p.at > before.fixAt && p.at < after.fixAt);
    expect(between).toEqual([]);
  });

  it('does not bridge a tracking pause between two fixes a few seconds apart', () => {
    const a = drive[10]!;
    const b = drive[11]!;
    expect(b.fixAt - a.fixAt).toBeLessThan(NO_FIX_MS);
    expect(gridDistance(cellOf(a.lat, a.lon, RES), cellOf(b.lat, b.lon, RES))).toBeGreaterThan(1);
    const bridged = routePasses([a, b], [], RES);
    const paused = routePasses([a, b], [a.fixAt + 1000], RES);
    expect(bridged.length).toBeGreaterThan(2);
    expect(paused.map((p) => p.cell)).toEqual([cellOf(a.lat, a.lon, RES), cellOf(b.lat, b.lon, RES)]);
  });

  it('counts a gap by the one rule: longer than the no-fix limit, or a pause at or between the fixes', () => {
    expect(isTrackGap(0, NO_FIX_MS, [])).toBe(false);
    expect(isTrackGap(0, NO_FIX_MS + 1, [])).toBe(true);
    expect(isTrackGap(1000, 5000, [5000])).toBe(true);
    expect(isTrackGap(1000, 5000, [999, 5001])).toBe(false);
  });

  it('keeps, per ten-minute bucket and cell, the first and last pass', () => {
    const passes = routePasses(drive, [], RES);
    const buckets = bucketSpans(passes);
    let rows = 0;
    for (const [start, cells] of buckets)
      for (const span of cells.values()) {
        rows++;
        expect(span.first).toBeGreaterThanOrEqual(start);
        expect(span.last).toBeLessThan(start + COVERAGE_BUCKET_MS);
        expect(span.first).toBeLessThanOrEqual(span.last);
      }
    expect(rows).toBe(new Set(passes.map((p) => `${Math.floor(p.at / COVERAGE_BUCKET_MS)} ${p.cell}`)).size);
  });
});

describe('unseen areas', () => {
  it('joins touching cells into one area and keeps separate ones apart, with their areas in m²', () => {
    const walk = fixes(shiftTo(loadTrack(TRACE_FILES.osakaWalk)), 5);
    const cells = chain(routePasses(walk, [], RES));
    const start = cells.slice(0, 3);
    const far = cells.find((c) => gridDistance(c, start[0]!) > 4)!;
    const areas = contiguousAreas([...start, far]);
    expect(areas.map((a) => a.cells.length).sort()).toEqual([1, 3]);
    // Res-10 hexagons are about 15,000 m² each near Huizhou.
    for (const area of areas) expect(area.areaM2 / area.cells.length).toBeGreaterThan(12_000);
    for (const area of areas) expect(area.areaM2 / area.cells.length).toBeLessThan(18_000);
  });
});
