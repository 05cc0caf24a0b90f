import type * as GeoJSON from 'geojson';
import { Marker, type Map as MapLibreMap } from 'maplibre-gl';
import { useEffect, useMemo, useState } from 'preact/hooks';
// Natural Earth 1:50m (public domain) via world-atlas: a hashed static asset, precached by the service worker.
import countriesUrl from 'world-atlas/countries-50m.json?url';
import type { Bounds } from '../../domain/tiles.js';
import { reportError } from '../state/notices.js';
import { worker } from '../worker-bridge.js';
import type { Boundary, CheckpointShape, LocalName } from '../../domain/checkpoints.js';
import { locale } from '../i18n/index.js';
import { circleRing, labelInView, type Rect } from '../../domain/geo.js';
import type { TrackEntry } from '../../store/schema.js';
import { segments } from '../state/tracking.js';
import { toDisplayPoint } from './display-coords.js';
import { ROUTE_COLOUR } from './flag-marks.js';
import { useMap } from './MapView.js';
import { arrowPixels, markerHeading } from './position-marker.js';
import { useGeoJsonLayers } from './useGeoJsonLayers.js';

const collection = (features: GeoJSON.Feature[]): GeoJSON.FeatureCollection => ({ type: 'FeatureCollection', features });

/** Assigned patrol zones: translucent fill, bright outline. */
export function MapZones({ zones }: { zones: ReadonlyArray<{ id: string; polygon: GeoJSON.Polygon }> }) {
  const data = useMemo(() => collection(zones.map((z) => ({ type: 'Feature', id: z.id, properties: {}, geometry: z.polygon }))), [zones]);
  useGeoJsonLayers(data, [
    { suffix: 'fill', type: 'fill', paint: { 'fill-color': '#2d6cdf', 'fill-opacity': 0.12 } },
    { suffix: 'line', type: 'line', paint: { 'line-color': '#6ea8ff', 'line-width': 2 } },
  ]);
  return null;
}

/** A checkpoint's or task's area as GeoJSON: GeoJSON has no circle, so a circle is drawn as a ring. */
export function shapeGeometry(shape: CheckpointShape): GeoJSON.Polygon {
  return shape.kind === 'circle'
    ? { type: 'Polygon', coordinates: [circleRing({ lon: shape.center[0], lat: shape.center[1] }, shape.radiusM)] }
    : shape.polygon;
}

/** Checkpoints as the areas an officer must stand in. */
export function MapCheckpoints({ checkpoints }: { checkpoints: ReadonlyArray<{ id: string; shape: CheckpointShape }> }) {
  const data = useMemo(
    () => collection(checkpoints.map((c) => ({ type: 'Feature', id: c.id, properties: {}, geometry: shapeGeometry(c.shape) }))),
    [checkpoints],
  );
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
              ...(shape.kind === 'circle'
                ? [{ type: 'Feature' as const, properties: { kind: 'centre' }, geometry: { type: 'Point' as const, coordinates: [...shape.center] } }]
                : []),
            ]
          : [],
      ),
    [shape],
  );
  useGeoJsonLayers(data, [
    { suffix: 'fill', type: 'fill', filter: ['==', ['get', 'kind'], 'area'], paint: { 'fill-color': '#ff7a1a', 'fill-opacity': 0.3 } },
    { suffix: 'line', type: 'line', filter: ['==', ['get', 'kind'], 'area'], paint: { 'line-color': '#ffffff', 'line-width': 3 } },
    {
      suffix: 'centre',
      type: 'circle',
      filter: ['==', ['get', 'kind'], 'centre'],
      paint: { 'circle-radius': 5, 'circle-color': '#ff7a1a', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
    },
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
  useGeoJsonLayers(data, [
    { suffix: 'line', type: 'line', paint: { 'line-color': ROUTE_COLOUR, 'line-width': 4 }, layout: { 'line-join': 'round', 'line-cap': 'round' } },
  ]);
  return null;
}

const ARROW = 'xf-heading-arrow';

/** Registers the heading arrow (pixels computed once, no image file to fetch or cache). */
function useArrowImage(): void {
  const { map } = useMap();
  useEffect(() => {
    if (!map || map.hasImage(ARROW)) return;
    map.addImage(ARROW, arrowPixels(40), { pixelRatio: 2 });
  }, [map]);
}

/** Where the officer is: inside the circle of the fix's accuracy, an arrow along the heading when moving, else a dot. */
export function MapPosition({
  position,
}: {
  position: { lat: number; lon: number; accuracy: number; heading?: number | null | undefined; speed?: number | null | undefined } | null;
}) {
  const heading = position ? markerHeading(position) : null;
  const data = useMemo(
    () =>
      collection(
        position
          ? [
              {
                type: 'Feature',
                properties: { kind: 'accuracy' },
                geometry: { type: 'Polygon', coordinates: [circleRing(position, Math.max(position.accuracy, 1))] },
              },
              {
                type: 'Feature',
                properties: heading === null ? { kind: 'dot' } : { kind: 'arrow', heading },
                geometry: { type: 'Point', coordinates: [position.lon, position.lat] },
              },
            ]
          : [],
      ),
    [position?.lat, position?.lon, position?.accuracy, heading],
  );
  useArrowImage();
  useGeoJsonLayers(data, [
    { suffix: 'accuracy', type: 'fill', filter: ['==', ['get', 'kind'], 'accuracy'], paint: { 'fill-color': '#4da3ff', 'fill-opacity': 0.2 } },
    {
      suffix: 'dot',
      type: 'circle',
      filter: ['==', ['get', 'kind'], 'dot'],
      paint: { 'circle-radius': 7, 'circle-color': '#4da3ff', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
    },
    {
      suffix: 'arrow',
      type: 'symbol',
      filter: ['==', ['get', 'kind'], 'arrow'],
      layout: {
        'icon-image': ARROW,
        'icon-rotate': ['get', 'heading'],
        'icon-rotation-alignment': 'map',
        'icon-allow-overlap': true,
        'icon-ignore-placement': true,
      },
    },
  ]);
  return null;
}

/** Where a shape's name goes: a circle's centre, else the mean of its outer ring (the demo's areas are convex). */
function labelPoint(shape: CheckpointShape | GeoJSON.Polygon): [number, number] {
  if ('kind' in shape && shape.kind === 'circle') return [shape.center[0], shape.center[1]];
  const ring = ('kind' in shape ? shape.polygon : shape).coordinates[0]?.slice(0, -1) ?? [];
  const n = ring.length || 1;
  return [ring.reduce((sum, p) => sum + (p[0] ?? 0), 0) / n, ring.reduce((sum, p) => sum + (p[1] ?? 0), 0) / n];
}

interface Named {
  id: string;
  name: LocalName;
}

/**
 * Names of zones and checkpoints, in the app's language, as HTML markers rather than a symbol
 * layer: maplibre text needs a glyphs URL, and CJK glyph ranges are megabytes of PBF to host,
 * precache and allow in the CSP. A few dozen DOM labels use the device's own fonts, offline,
 * with nothing to fetch. A zone's name sits in its middle, a checkpoint's under its centre.
 */
export function MapNames({
  zones,
  checkpoints,
}: {
  zones: ReadonlyArray<Named & { polygon: GeoJSON.Polygon }>;
  checkpoints: ReadonlyArray<Named & { shape: CheckpointShape }>;
}) {
  const { map, gcj02 } = useMap();
  const lang = locale.value;
  useEffect(() => {
    if (!map) return;
    const markers = [
      ...zones.map((z) => nameMarker(map, gcj02, 'zone', z.name[lang], labelPoint(z.polygon))),
      ...checkpoints.map((c) => nameMarker(map, gcj02, 'checkpoint', c.name[lang], labelPoint(c.shape))),
    ];
    return () => {
      for (const marker of markers) marker.remove();
    };
  }, [map, gcj02, zones, checkpoints, lang]);
  return null;
}

/** Short labels on areas (a town's rank on the index map), as DOM markers for MapNames' reason; a selected one stands out. */
export function MapAreaLabels({
  labels,
}: {
  labels: ReadonlyArray<{ id: string; text: string; geometry: GeoJSON.Polygon | GeoJSON.MultiPolygon; selected: boolean }>;
}) {
  const { map, gcj02 } = useMap();
  useEffect(() => {
    if (!map) return;
    const named = labels
      .filter((l) => l.text)
      .map((l) => {
        const polygon: GeoJSON.Polygon = l.geometry.type === 'Polygon' ? l.geometry : { type: 'Polygon', coordinates: l.geometry.coordinates[0] ?? [] };
        const marker = nameMarker(map, gcj02, 'area', l.text, labelPoint(polygon));
        marker.getElement().dataset.selected = String(l.selected);
        return { marker, ring: displayRing(polygon, gcj02) };
      });
    return keepInView(map, named);
  }, [map, gcj02, labels]);
  return null;
}

/** One name on the map (see MapNames for why a DOM marker); a checkpoint's sits just under its centre. */
function nameMarker(map: MapLibreMap, gcj02: boolean, kind: 'district' | 'zone' | 'checkpoint' | 'area', text: string, at: [number, number]): Marker {
  const element = document.createElement('div');
  element.className = `map-label map-label-${kind}`;
  element.textContent = text;
  const below = kind === 'checkpoint';
  return new Marker({ element, anchor: below ? 'top' : 'center', offset: below ? [0, 6] : [0, 0] }).setLngLat(toDisplayPoint(at, gcj02)).addTo(map);
}

/**
 * The unit's district (and any town or street) outlines, with their names unless `named` is false
 * (a map whose own areas are labelled inside the district, where its name would cover theirs):
 * where the beat ends, with or without a base map.
 */
export function MapBoundaries({ boundaries, named = true }: { boundaries: readonly Boundary[]; named?: boolean }) {
  const { map, gcj02 } = useMap();
  const lang = locale.value;
  const data = useMemo(() => collection(boundaries.map((b) => ({ type: 'Feature', properties: {}, geometry: b.polygon }))), [boundaries]);
  useGeoJsonLayers(data, [{ suffix: 'line', type: 'line', paint: { 'line-color': '#c9a6ff', 'line-width': 2, 'line-dasharray': [4, 2] } }]);
  useEffect(() => {
    if (!map || !named) return;
    return keepInView(
      map,
      boundaries.map((b) => ({ marker: nameMarker(map, gcj02, 'district', b.name[lang], labelPoint(b.polygon)), ring: displayRing(b.polygon, gcj02) })),
    );
  }, [map, gcj02, boundaries, lang, named]);
  return null;
}

/** A polygon's outer ring in the map's display coordinates. */
function displayRing(polygon: GeoJSON.Polygon, gcj02: boolean): Array<[number, number]> {
  return (polygon.coordinates[0] ?? []).map((p) => toDisplayPoint([p[0] ?? 0, p[1] ?? 0], gcj02));
}

/**
 * Keeps each area's name in the middle of the area's part in view, clear of the map's controls
 * (labelInView), as the view moves and resizes; hidden while none of the area is in view. A district
 * is bigger than most views of it, and a town at the map's edge can lie under the zoom buttons:
 * named at its own middle, either would be past the edge or covered. Returns the way to stop, which
 * removes the names.
 */
function keepInView(map: MapLibreMap, named: ReadonlyArray<{ marker: Marker; ring: ReadonlyArray<[number, number]> }>): () => void {
  const place = () => {
    const view = clearOfControls(map);
    for (const { marker, ring } of named) {
      const element = marker.getElement();
      element.hidden = false; // measured as shown
      const at = labelInView(
        ring.map((p) => {
          const { x, y } = map.project(p);
          return [x, y];
        }),
        view,
        { width: element.offsetWidth, height: element.offsetHeight },
      );
      element.hidden = !at;
      if (at) marker.setLngLat(map.unproject(at));
    }
  };
  place();
  map.on('moveend', place);
  map.on('resize', place);
  return () => {
    map.off('moveend', place);
    map.off('resize', place);
    for (const { marker } of named) marker.remove();
  };
}

/** The map's pixels less a margin and the corners its controls take (the zoom buttons, the scale bar). */
function clearOfControls(map: MapLibreMap): Rect {
  const container = map.getContainer();
  const margin = 8;
  const corner = (name: string) => container.querySelector<HTMLElement>(`.maplibregl-ctrl-${name}`);
  return {
    left: margin,
    top: margin + (corner('top-left')?.offsetHeight ?? 0),
    right: container.clientWidth - margin - (corner('top-right')?.offsetWidth ?? 0),
    bottom: container.clientHeight - margin - (corner('bottom-right')?.offsetHeight ?? 0),
  };
}

/** Coastlines and national borders when there is no base map (Natural Earth 1:50m, built in the worker). */
export function MapOutlines({ area }: { area: Bounds }) {
  const [lines, setLines] = useState<GeoJSON.FeatureCollection>(collection([]));
  const key = area.join(',');
  useEffect(() => {
    worker()
      .outlines(countriesUrl, area)
      .then(
        ({ coast, borders }) =>
          setLines(
            collection([
              { type: 'Feature', properties: { kind: 'coast' }, geometry: coast },
              { type: 'Feature', properties: { kind: 'border' }, geometry: borders },
            ]),
          ),
        reportError,
      );
  }, [key]);
  useGeoJsonLayers(lines, [
    { suffix: 'coast', type: 'line', filter: ['==', ['get', 'kind'], 'coast'], paint: { 'line-color': '#5b7896', 'line-width': 1.2 } },
    {
      suffix: 'border',
      type: 'line',
      filter: ['==', ['get', 'kind'], 'border'],
      paint: { 'line-color': '#8a7aa8', 'line-width': 1.2, 'line-dasharray': [3, 2] },
    },
  ]);
  return null;
}
