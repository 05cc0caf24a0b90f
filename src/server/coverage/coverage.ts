import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import * as v from 'valibot';
import { cellRing, contiguousAreas, COVERAGE_BUCKET_MS, bucketOf, polygonCells } from '../../domain/coverage.js';
import { ZoneSchema } from '../../domain/checkpoints.js';
import type { CoverageCell, CoverageResponse } from '../../domain/protocol/coverage.js';
import { cellArea } from 'h3-js';
import type { SessionUser } from '../../domain/protocol/auth.js';
import type { ScopedOfficer } from '../auth/scope.js';
import type { Tables } from '../db/schema.js';
import { HttpError } from '../errors.js';
import { coverageResolution, readZonePasses } from '../records/coverage.js';

// A zone's coverage over a window, answered from coverage_cells (the incremental table), never
// from the positions: the zone's cells at the configured resolution, which of them each officer
// passed, and the areas nobody has seen for a while.

/** The most cells one answer lists (and one query binds): a 300 km² zone at resolution 10. */
const MAX_ZONE_CELLS = 20_000;

/** A zone the viewer may read: a leader their squad's, a supervisor or admin their unit's. */
export async function zoneInScope(db: Kysely<Tables>, viewer: SessionUser, zoneId: string) {
  const row = await db
    .selectFrom('zones')
    .innerJoin('squads', 'squads.id', 'zones.squad_id')
    .select(['zones.id', 'zones.squad_id', 'zones.geometry', 'squads.unit_id'])
    .where('zones.id', '=', zoneId)
    .executeTakeFirst();
  const visible = row && (viewer.role === 'leader' ? viewer.squadId === row.squad_id : viewer.unitId === row.unit_id);
  // Unknown and out-of-scope zones look the same, so scope cannot be probed.
  if (!row || !visible) throw new HttpError(403, 'forbidden', 'this zone is not in your scope');
  const polygon = v.safeParse(ZoneSchema.entries.polygon, safeJson(row.geometry));
  if (!polygon.success) throw new HttpError(409, 'conflict', 'this zone has no readable outline; an admin must draw it again');
  return { id: row.id, squadId: row.squad_id, outline: createHash('sha256').update(row.geometry).digest('base64url'), polygon: polygon.output };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null; // reported as an unreadable outline by the schema check that follows
  }
}

/** Zone grids made lately, by the outline's hash and the resolution: a redrawn zone gets a new grid. */
const grids = new Map<string, { cells: string[]; rings: Array<Array<[number, number]>>; areaM2: number }>();
const GRIDS_KEPT = 64;

/**
 * A zone's cells at a resolution, their outlines and total area. Filling a polygon with cells
 * costs more than the rest of an answer (h3-js), and a zone's grid changes only when it is
 * redrawn, so the last few are kept: a pure function's results, nothing another process needs.
 */
function zoneGrid(zone: { outline: string; polygon: { coordinates: number[][][] } }, resolution: number) {
  const key = `${zone.outline}:${resolution}`;
  let grid = grids.get(key);
  if (!grid) {
    const cells = polygonCells(zone.polygon, resolution);
    grid = { cells, rings: cells.map(cellRing), areaM2: cells.reduce((sum, cell) => sum + cellArea(cell, 'm2'), 0) };
    if (grids.size >= GRIDS_KEPT) grids.delete(grids.keys().next().value!);
    grids.set(key, grid);
  }
  return grid;
}

/** The coverage part of the answer (checkpoints are the caller's). */
export async function zoneCoverage(
  db: Kysely<Tables>,
  zone: { id: string; squadId: string; outline: string; polygon: { coordinates: number[][][] } },
  officers: readonly ScopedOfficer[],
  window: { from: string; to: string; now: Date; unseenHours: number },
): Promise<Omit<CoverageResponse, 'checkpoints'>> {
  const resolution = coverageResolution();
  const from = bucketOf(Date.parse(window.from));
  const to = bucketOf(Date.parse(window.to)) + COVERAGE_BUCKET_MS;
  const asOf = Math.min(to, window.now.getTime());
  const { cells: zoneCells, rings, areaM2 } = zoneGrid(zone, resolution);
  if (zoneCells.length > MAX_ZONE_CELLS)
    throw new HttpError(
      400,
      'bad-request',
      `this zone holds ${zoneCells.length} cells at resolution ${resolution}, more than the ${MAX_ZONE_CELLS} coverage can list; ask for a coarser COVERAGE_H3_RESOLUTION`,
    );
  const { cellsByOfficer: byOfficer, latest } = await readZonePasses(
    db,
    officers.map((o) => o.id),
    zoneCells,
    from,
    to,
  );

  const ratio = (passed: number) => (zoneCells.length ? passed / zoneCells.length : 0);
  const staleBefore = asOf - window.unseenHours * 3600_000;
  const cells: CoverageCell[] = zoneCells.map((cell, i) => ({ cell, ring: rings[i]!, lastPassedAt: latest.get(cell) ?? null }));
  const unseen = contiguousAreas(cells.filter((c) => c.lastPassedAt === null || Date.parse(c.lastPassedAt) < staleBefore).map((c) => c.cell)).map((area) => ({
    ...area,
    lastPassedAt: area.cells.reduce<string | null>((max, cell) => {
      const at = latest.get(cell) ?? null;
      return at !== null && (max === null || at > max) ? at : max;
    }, null),
  }));
  return {
    zoneId: zone.id,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    asOf: new Date(asOf).toISOString(),
    resolution,
    unseenHours: window.unseenHours,
    cellCount: zoneCells.length,
    areaM2,
    squad: { passed: latest.size, ratio: ratio(latest.size) },
    officers: officers
      .filter((o) => byOfficer.has(o.id) || o.squadId === zone.squadId)
      .map((o) => ({ officerId: o.id, badge: o.badge, name: o.name, passed: byOfficer.get(o.id) ?? 0, ratio: ratio(byOfficer.get(o.id) ?? 0) }))
      .sort((a, b) => b.passed - a.passed || a.badge.localeCompare(b.badge)),
    cells,
    unseen,
  };
}
