import type * as GeoJSON from 'geojson';
import gcoord from 'gcoord';

// WARNING: the one place where coordinates change datum. Everything the app stores, sends and
// measures is WGS-84; only what is handed to the map is moved to GCJ-02, and only when the
// deployment's base map is published in GCJ-02 (MAP_GCJ02=1), so the layers sit on its streets.

type LonLat = [number, number];

/** One WGS-84 [lon, lat] as the map draws it. */
export function toDisplayPoint(point: LonLat, gcj02: boolean): LonLat {
  return gcj02 ? gcoord.transform<LonLat>([point[0], point[1]], gcoord.WGS84, gcoord.GCJ02) : point;
}

/** A point picked on the map (a click) back in WGS-84, the inverse of `toDisplayPoint`. */
export function fromDisplayPoint(point: LonLat, gcj02: boolean): LonLat {
  return gcj02 ? gcoord.transform<LonLat>([point[0], point[1]], gcoord.GCJ02, gcoord.WGS84) : point;
}

const positions = (coords: GeoJSON.Position[], gcj02: boolean): GeoJSON.Position[] => coords.map((p) => toDisplayPoint([p[0] ?? 0, p[1] ?? 0], gcj02));

function geometry(g: GeoJSON.Geometry, gcj02: boolean): GeoJSON.Geometry {
  switch (g.type) {
    case 'Point':
      return { type: 'Point', coordinates: toDisplayPoint([g.coordinates[0] ?? 0, g.coordinates[1] ?? 0], gcj02) };
    case 'MultiPoint':
      return { type: 'MultiPoint', coordinates: positions(g.coordinates, gcj02) };
    case 'LineString':
      return { type: 'LineString', coordinates: positions(g.coordinates, gcj02) };
    case 'MultiLineString':
      return { type: 'MultiLineString', coordinates: g.coordinates.map((line) => positions(line, gcj02)) };
    case 'Polygon':
      return { type: 'Polygon', coordinates: g.coordinates.map((ring) => positions(ring, gcj02)) };
    case 'MultiPolygon':
      return { type: 'MultiPolygon', coordinates: g.coordinates.map((polygon) => polygon.map((ring) => positions(ring, gcj02))) };
    case 'GeometryCollection':
      return { type: 'GeometryCollection', geometries: g.geometries.map((inner) => geometry(inner, gcj02)) };
  }
}

/** A new collection with every coordinate as the map draws it; the input is left as it was. */
export function toDisplay(data: GeoJSON.FeatureCollection, gcj02: boolean): GeoJSON.FeatureCollection {
  if (!gcj02) return data;
  return { ...data, features: data.features.map((f) => ({ ...f, geometry: geometry(f.geometry, gcj02) })) };
}

/** A WGS-84 box [west, south, east, north] as the map draws it (corners moved, then re-boxed). */
export function toDisplayBounds([west, south, east, north]: [number, number, number, number], gcj02: boolean): [number, number, number, number] {
  const corners = (
    [
      [west, south],
      [east, south],
      [east, north],
      [west, north],
    ] as LonLat[]
  ).map((p) => toDisplayPoint(p, gcj02));
  const lons = corners.map((p) => p[0]);
  const lats = corners.map((p) => p[1]);
  return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
}
