import { useEffect, useMemo } from 'preact/hooks';
import { useGeoJsonLayers } from './useGeoJsonLayers.js';
import type { BackdatingFlag } from '../../domain/backdating.js';
import type { CheckpointShape } from '../../domain/checkpoints.js';
import type { TrackEntry } from '../../store/schema.js';
import { FLAG_COLOURS } from './flag-marks.js';
import { MapBoundaries, MapCheckpoints, MapPosition, MapRoute } from './layers.js';
import { MapFit, MapView, useMap } from './MapView.js';
import { useBaseMap } from './useBaseMap.js';

export interface AuditMapProps {
  /** The route as the officer's own map draws it: fixes, and a gap entry at each pause. */
  route: readonly TrackEntry[];
  /** Where the replay stands. */
  position: { lat: number; lon: number; accuracy: number } | null;
  checkpoints: ReadonlyArray<{ id: string; shape: CheckpointShape }>;
  /** Fixes from the officer's native tracker app, unsigned: drawn apart, dashed and grey. */
  native: ReadonlyArray<{ lat: number; lon: number; fixAt: string }>;
  /** Signed points whose own time the server does not trust (backdating.ts): drawn over the route as dots in their flag's colour. */
  flagged: ReadonlyArray<{ lat: number; lon: number; flag: BackdatingFlag }>;
  /** Given, once the map is up, a way to take a PNG of it as it stands (for the printed report). */
  onSnapshot?: (take: () => Promise<string>) => void;
}

/** The supervisor's replay map: the audited route, framed whole, and the replay's point on it. */
export function AuditMap({ route, position, checkpoints, native, flagged, onSnapshot }: AuditMapProps) {
  const { settings, style, boundaries } = useBaseMap();
  const points = useMemo(() => route.filter((p) => p.kind === 'fix').map((p): [number, number] => [p.lon, p.lat]), [route]);
  if (!settings || !style) return <div class="map map-loading" />;
  return (
    <MapView center={points[0] ?? [114.41, 23.1]} style={style} gcj02={settings.gcj02}>
      <MapBoundaries boundaries={boundaries} />
      <MapCheckpoints checkpoints={checkpoints} />
      <NativeTrack fixes={native} />
      <MapRoute route={route} />
      <FlaggedPoints points={flagged} />
      <MapPosition position={position} />
      <MapFit points={points} padding={32} />
      {onSnapshot && <MapSnapshot onSnapshot={onSnapshot} />}
    </MapView>
  );
}

/** The native tracker's fixes as one dashed grey line under the signed route: they fill its gaps, never pass for it. */
function NativeTrack({ fixes }: { fixes: AuditMapProps['native'] }) {
  const data = useMemo<GeoJSON.FeatureCollection>(
    () => ({
      type: 'FeatureCollection',
      features: fixes.length ? [{ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: fixes.map((f) => [f.lon, f.lat]) } }] : [],
    }),
    [fixes],
  );
  useGeoJsonLayers(data, [{ suffix: 'native', type: 'line', paint: { 'line-color': '#9aa7b5', 'line-width': 3, 'line-dasharray': [2, 2] } }]);
  return null;
}

/**
 * Flagged points as dots in their flag's colour over the route (the screen's legend names them):
 * at a fix every few metres they run together into a beaded band, wider than the route's line.
 */
function FlaggedPoints({ points }: { points: AuditMapProps['flagged'] }) {
  const data = useMemo<GeoJSON.FeatureCollection>(
    () => ({
      type: 'FeatureCollection',
      features: points.map((p) => ({ type: 'Feature', properties: { flag: p.flag }, geometry: { type: 'Point', coordinates: [p.lon, p.lat] } })),
    }),
    [points],
  );
  const colour = ['match', ['get', 'flag'], ...Object.entries(FLAG_COLOURS).flat(), '#ffffff'];
  useGeoJsonLayers(data, [
    { suffix: 'flagged', type: 'circle', paint: { 'circle-radius': 4.5, 'circle-color': colour, 'circle-stroke-color': '#08111c', 'circle-stroke-width': 1 } },
  ]);
  return null;
}

/**
 * Hands out a snapshot taker. A WebGL canvas keeps its pixels only while the frame is drawn, so
 * the PNG is read in the next frame's `render` event rather than keeping every frame's buffer.
 */
function MapSnapshot({ onSnapshot }: { onSnapshot: NonNullable<AuditMapProps['onSnapshot']> }) {
  const { map } = useMap();
  useEffect(() => {
    if (!map) return;
    onSnapshot(
      () =>
        new Promise<string>((resolve) => {
          map.once('render', () => resolve(map.getCanvas().toDataURL('image/png')));
          map.triggerRepaint();
        }),
    );
  }, [map]);
  return null;
}
