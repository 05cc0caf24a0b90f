// Coverage recomputed from scratch from the stored positions and tracking records, with the
// domain's rules but none of the incremental table: what the integration tests compare the
// server's answer with, and the baseline `bench coverage` measures the table against.
import type { Kysely } from 'kysely';
import { bucketSpans, routePasses, type CoverageFix } from '../../src/domain/coverage.js';
import type { Tables } from '../../src/server/db/schema.js';
import { nativeCoverageKey } from '../../src/server/records/native-coverage.js';
import { ofKind, readRows } from '../../src/server/records/reader.js';

/** Every shift's route passes of these officers, from all their stored fixes in fix-time order. */
export async function brutePasses(db: Kysely<Tables>, officerIds: readonly string[], resolution: number) {
  const rows = await db
    .selectFrom('positions')
    .select(['officer_id', 'shift_id', 'lat', 'lon', 'fix_at', 'record_id'])
    .where('officer_id', 'in', officerIds)
    .execute();
  const tracking = ofKind(
    readRows(await db.selectFrom('records').select(['id', 'record']).where('officer_id', 'in', officerIds).where('kind', '=', 'tracking').execute(), (p) => {
      throw new Error(`unreadable record ${p.id}`);
    }),
    'tracking',
  );
  const shifts = new Map<string, { officerId: string; shiftId: string; fixes: Array<CoverageFix & { id: string }>; pauses: number[] }>();
  const shiftOf = (officerId: string, shiftId: string) => {
    const key = `${officerId} ${shiftId}`;
    let s = shifts.get(key);
    if (!s) shifts.set(key, (s = { officerId, shiftId, fixes: [], pauses: [] }));
    return s;
  };
  for (const r of rows) shiftOf(r.officer_id, r.shift_id).fixes.push({ lat: Number(r.lat), lon: Number(r.lon), fixAt: Date.parse(r.fix_at), id: r.record_id });
  for (const t of tracking) if (t.body.state !== 'on') shiftOf(t.officerId, t.body.shiftId).pauses.push(Date.parse(t.at));
  return [...shifts.values()].map((s) => {
    s.fixes.sort((a, b) => a.fixAt - b.fixAt || a.id.localeCompare(b.id));
    return { officerId: s.officerId, shiftId: s.shiftId, fixes: s.fixes, passes: routePasses(s.fixes, s.pauses, resolution) };
  });
}

/** The coverage_cells rows these passes make, as sorted text lines. */
export function expectedRows(shifts: Awaited<ReturnType<typeof brutePasses>>): string[] {
  const lines: string[] = [];
  for (const s of shifts)
    for (const [bucket, cells] of bucketSpans(s.passes))
      for (const [cell, span] of cells)
        lines.push(
          [s.officerId, s.shiftId, new Date(bucket).toISOString(), cell, new Date(span.first).toISOString(), new Date(span.last).toISOString()].join(' '),
        );
  return lines.sort();
}

/** The coverage_shift_cells rows these passes make (first and last pass per shift and cell), as sorted text lines. */
export function expectedShiftRows(shifts: Awaited<ReturnType<typeof brutePasses>>): string[] {
  const lines: string[] = [];
  for (const s of shifts) {
    const spans = new Map<string, { first: number; last: number }>();
    for (const p of s.passes) {
      const span = spans.get(p.cell);
      if (!span) spans.set(p.cell, { first: p.at, last: p.at });
      else {
        span.first = Math.min(span.first, p.at);
        span.last = Math.max(span.last, p.at);
      }
    }
    for (const [cell, span] of spans)
      lines.push([s.officerId, s.shiftId, cell, new Date(span.first).toISOString(), new Date(span.last).toISOString()].join(' '));
  }
  return lines.sort();
}

/** Per officer, the zone cells passed in [from, to) and, over everyone, each cell's latest pass. */
export function bruteCoverage(shifts: Awaited<ReturnType<typeof brutePasses>>, zoneCells: ReadonlySet<string>, from: number, to: number) {
  const byOfficer = new Map<string, Set<string>>();
  const latest = new Map<string, number>();
  for (const s of shifts)
    for (const p of s.passes) {
      if (p.at < from || p.at >= to || !zoneCells.has(p.cell)) continue;
      let cells = byOfficer.get(s.officerId);
      if (!cells) byOfficer.set(s.officerId, (cells = new Set()));
      cells.add(p.cell);
      latest.set(p.cell, Math.max(latest.get(p.cell) ?? 0, p.at));
    }
  return { byOfficer, latest };
}

/** Every shift's native tracker passes of these officers: their native fixes on duty (shift start to end), under the native coverage key. */
export async function bruteNativePasses(db: Kysely<Tables>, officerIds: readonly string[], resolution: number) {
  const fixes = await db
    .selectFrom('native_positions')
    .select(['officer_id', 'tracker_id', 'lat', 'lon', 'fix_at'])
    .where('officer_id', 'in', officerIds)
    .execute();
  const shifts = await db.selectFrom('shifts').selectAll().where('officer_id', 'in', officerIds).where('started_at', 'is not', null).execute();
  return shifts.map((s) => {
    const onDuty = fixes
      .filter((f) => f.officer_id === s.officer_id && f.fix_at >= s.started_at! && (s.ended_at === null || f.fix_at <= s.ended_at))
      .sort((a, b) => a.fix_at.localeCompare(b.fix_at) || a.tracker_id.localeCompare(b.tracker_id))
      .map((f) => ({ lat: Number(f.lat), lon: Number(f.lon), fixAt: Date.parse(f.fix_at), id: f.tracker_id }));
    return { officerId: s.officer_id, shiftId: nativeCoverageKey(s.shift_id), fixes: onDuty, passes: routePasses(onDuty, [], resolution) };
  });
}
