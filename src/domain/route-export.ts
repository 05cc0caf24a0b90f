import type { NativeTrackResponse } from './protocol/track-audit.js';
import type { Segment } from './route-replay.js';

// A shift's route as files a supervisor takes away: GeoJSON of the track (each gap-free stretch
// its own feature, so no tool draws a line across a gap) and CSV of every point. Pure, so the
// screen and the tests write the same bytes.

/** GeoJSON (RFC 7946) of the route: one feature per segment, a LineString, or a Point when the segment is one fix. */
export function routeGeoJson(segments: readonly Segment[], name: string): string {
  const features = segments.map((segment, index) => {
    const coordinates = segment.map((p) => [p.lon, p.lat]);
    return {
      type: 'Feature',
      geometry: coordinates.length > 1 ? { type: 'LineString', coordinates } : { type: 'Point', coordinates: coordinates[0] },
      properties: {
        name,
        segment: index + 1,
        // Per-coordinate times, as togeojson and Mapbox tools read them.
        coordTimes: segment.map((p) => p.fixAt),
        recordIds: segment.map((p) => p.id),
        accuracyM: segment.map((p) => p.accuracy),
      },
    };
  });
  return `${JSON.stringify({ type: 'FeatureCollection', features }, null, 1)}\n`;
}

const CSV_HEADER = ['source', 'segment', 'device_id', 'seq', 'record_id', 'fix_at', 'device_at', 'received_at', 'lat', 'lon', 'accuracy_m', 'flag'];

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
const csvField = (value: string | number | null) => {
  const text = value === null ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/**
 * CSV of the route's points, one row each in fix-time order: the signed points with their
 * segment, device, seq and record id, then a native tracker's (unsigned: no device, seq or
 * record, and marked `native`) when given.
 */
export function routeCsv(segments: readonly Segment[], native: NativeTrackResponse['points'] = []): string {
  const rows: Array<Array<string | number | null>> = [CSV_HEADER];
  segments.forEach((segment, index) => {
    for (const p of segment) rows.push(['signed', index + 1, p.deviceId, p.seq, p.id, p.fixAt, p.at, p.receivedAt, p.lat, p.lon, p.accuracy, p.flag]);
  });
  for (const p of native) rows.push([`native:${p.protocol}`, null, null, null, null, p.fixAt, null, p.receivedAt, p.lat, p.lon, p.accuracy, null]);
  return `${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
