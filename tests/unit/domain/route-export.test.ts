import { describe, expect, it } from 'vitest';
import { routeCsv, routeGeoJson } from '../../../src/domain/route-export.js';
import type { NativeTrackResponse } from '../../../src/domain/protocol/track-audit.js';
import { routeSegments } from '../../../src/domain/route-replay.js';
import { auditPoints, auditResumes, auditTracking } from '../../support/audit-fixture.js';

const segments = routeSegments(auditPoints, auditTracking);

/** RFC 4180 rows back from CSV text: quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (quoted || (c !== ',' && c !== '\r')) field += c;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++; // the \n of \r\n
    }
  }
  return rows;
}

describe('route exports of an audited shift', () => {
  it('writes GeoJSON with one feature per gap-free segment, holding exactly the stored fixes and their times', () => {
    const geo = JSON.parse(routeGeoJson(segments, '陈志强（J001）')) as {
      type: string;
      features: Array<{ geometry: { type: string; coordinates: number[][] }; properties: { segment: number; coordTimes: string[]; recordIds: string[] } }>;
    };
    expect(geo.type).toBe('FeatureCollection');
    expect(auditResumes).toHaveLength(2);
    expect(geo.features.map((f) => f.geometry.type)).toEqual(['LineString', 'LineString', 'LineString']);
    expect(geo.features.flatMap((f) => f.geometry.coordinates)).toEqual(auditPoints.map((p) => [p.lon, p.lat]));
    expect(geo.features.flatMap((f) => f.properties.coordTimes)).toEqual(auditPoints.map((p) => p.fixAt));
    expect(geo.features.map((f) => f.properties.recordIds.length)).toEqual(segments.map((s) => s.length));
  });

  it('writes a lone fix between two pauses as a Point, never a one-position line', () => {
    const lone = routeSegments(auditPoints.slice(0, 3), [
      { at: auditPoints[1]!.fixAt, state: 'paused' },
      { at: auditPoints[2]!.fixAt, state: 'paused' },
    ]);
    const geo = JSON.parse(routeGeoJson(lone, 'x')) as { features: Array<{ geometry: { type: string; coordinates: unknown } }> };
    expect(geo.features.map((f) => f.geometry.type)).toEqual(['Point', 'Point', 'Point']);
    expect(geo.features[1]!.geometry.coordinates).toEqual([auditPoints[1]!.lon, auditPoints[1]!.lat]);
  });

  it('writes CSV rows that read back as every signed point, then the native fixes marked as unsigned', () => {
    const native: NativeTrackResponse['points'] = [
      {
        trackerId: 't1',
        tracker: 'Traccar, "locked" phone',
        protocol: 'osmand',
        fixAt: auditPoints[5]!.fixAt,
        lat: 23.1,
        lon: 114.4,
        accuracy: null,
        speed: null,
        heading: null,
        altitude: null,
        receivedAt: auditPoints[6]!.fixAt,
      },
    ];
    const rows = parseCsv(routeCsv(segments, native));
    expect(rows[0]).toEqual(['source', 'segment', 'device_id', 'seq', 'record_id', 'fix_at', 'device_at', 'received_at', 'lat', 'lon', 'accuracy_m', 'flag']);
    const signed = rows.slice(1, -1);
    expect(signed.map((r) => [r[4], Number(r[8]), Number(r[9]), r[5]])).toEqual(auditPoints.map((p) => [p.id, p.lat, p.lon, p.fixAt]));
    expect(new Set(signed.map((r) => r[1]))).toEqual(new Set(['1', '2', '3']));
    expect(rows.at(-1)).toEqual(['native:osmand', '', '', '', '', native[0]!.fixAt, '', native[0]!.receivedAt, '23.1', '114.4', '', '']);
  });
});
