import type * as GeoJSON from 'geojson';
import { useMemo } from 'preact/hooks';
import type { CheckpointShape } from '../../domain/checkpoints.js';
import { circleRing } from '../../domain/geo.js';
import type { TrackEntry } from '../../store/schema.js';
import { segments } from '../state/tracking.js';
import { useGeoJsonLayers } from './useGeoJsonLayers.js';

const collection = (features: GeoJSON.Feature[]): GeoJSON.FeatureCollection => ({ type: 'FeatureCollection', features });

/** Assigned patrol zones: translucent fill, bright outline. */
export function MapZones({ zones }: { zones: Array<{ id: string; polygon: GeoJSON.Polygon }> }) {
  const data = useMemo(() => collection(zones.map((z) => ({ type: 'Feature', id: z.id, properties: {}, geometry: z.polygon }))), [zones]);
  useGeoJsonLayers(data, [
    { suffix: 'fill', type: 'fill', paint: { 'fill-color': '#2d6cdf', 'fill-opacity': 0.12 } },
    { suffix: 'line', type: 'line', paint: { 'line-color': '#6ea8ff', 'line-width': 2 } },
  ]);
  return null;
}


/** A checkpoint's area as GeoJSON: GeoJSON has no circle, so a circle is drawn as a ring. */
function shapeGeometry(shape: CheckpointShape): GeoJSON.Polygon {
  return shape.kind === 'circle' ? { type: 'Polygon', coordinates: [circleRing({ lon: shape.center[0], lat: shape.center[1] }, shape.radiusM)] } : shape.polygon;
}

/** Checkpoints as the areas an officer must stand in. */
export function MapCheckpoints({ checkpoints }: { checkpoints: ReadonlyArray<{ id: string; shape: CheckpointShape }> }) {
  const data = useMemo(() => collection(checkpoints.map((c) => ({ type: 'Feature', id: c.id, properties: {}, geometry: shapeGeometry(c.shape) }))), [checkpoints]);
  useGeoJsonLayers(data, [
    { suffix: 'fill', type: 'fill', paint: { 'fill-color': '#f2b705', 'fill-opacity': 0.35 } },
    { suffix: 'line', type: 'line', paint: { 'line-color': '#f2b705', 'line-width': 1.5 } },
  ]);
  return null;
}

/** The checkpoint being edited, as the form has it now: a bold outline over the others, and a circle's centre. */
export function MapSelection({ shape }: { shape: CheckpointShape | null }) {
  const data = useMemo(
    () =>
      collection(
        shape
          ? [
              { type: 'Feature', properties: { kind: 'area' }, geometry: shapeGeometry(shape) },
              ...(shape.kind === 'circle' ? [{ type: 'Feature' as const, properties: { kind: 'centre' }, geometry: { type: 'Point' as const, coordinates: [...shape.center] } }] : []),
            ]
          : [],
      ),
    [shape],
  );
  useGeoJsonLayers(data, [
    { suffix: 'fill', type: 'fill', filter: ['==', ['get', 'kind'], 'area'], paint: { 'fill-color': '#ff7a1a', 'fill-opacity': 0.3 } },
    { suffix: 'line', type: 'line', filter: ['==', ['get', 'kind'], 'area'], paint: { 'line-color': '#ffffff', 'line-width': 3 } },
    { suffix: 'centre', type: 'circle', filter: ['==', ['get', 'kind'], 'centre'], paint: { 'circle-radius': 5, 'circle-color': '#ff7a1a', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } },
  ]);
  return null;
}

/** This shift's route; each pause breaks the line, so a gap is never drawn as a straight line. */
export function MapRoute({ route }: { route: readonly TrackEntry[] }) {
  const data = useMemo(
    () =>
      collection([
        {
          type: 'Feature',
          properties: {},
          geometry: { type: 'MultiLineString', coordinates: segments(route).map((s) => s.map((p) => [p.lon, p.lat])) },
        },
      ]),
    [route],
  );
  useGeoJsonLayers(data, [{ suffix: 'line', type: 'line', paint: { 'line-color': '#2fbf71', 'line-width': 4 }, layout: { 'line-join': 'round', 'line-cap': 'round' } }]);
  return null;
}

/** Where the officer is: a dot inside the circle of the fix's accuracy. */
export function MapPosition({ position }: { position: { lat: number; lon: number; accuracy: number } | null }) {
  const data = useMemo(
    () =>
      collection(
        position
          ? [
              { type: 'Feature', properties: { kind: 'accuracy' }, geometry: { type: 'Polygon', coordinates: [circleRing(position, Math.max(position.accuracy, 1))] } },
              { type: 'Feature', properties: { kind: 'dot' }, geometry: { type: 'Point', coordinates: [position.lon, position.lat] } },
            ]
          : [],
      ),
    [position?.lat, position?.lon, position?.accuracy],
  );
  useGeoJsonLayers(data, [
    { suffix: 'accuracy', type: 'fill', filter: ['==', ['get', 'kind'], 'accuracy'], paint: { 'fill-color': '#4da3ff', 'fill-opacity': 0.2 } },
    { suffix: 'dot', type: 'circle', filter: ['==', ['get', 'kind'], 'dot'], paint: { 'circle-radius': 7, 'circle-color': '#4da3ff', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } },
  ]);
  return null;
}
