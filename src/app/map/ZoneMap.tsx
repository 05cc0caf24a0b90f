import type * as GeoJSON from 'geojson';
import { useMemo } from 'preact/hooks';
import type { AdminZone } from '../../domain/protocol/admin.js';
import { MapBoundaries, MapNames } from './layers.js';
import { MapClick, MapFit, MapView } from './MapView.js';
import { useBaseMap } from './useBaseMap.js';
import { useGeoJsonLayers } from './useGeoJsonLayers.js';

export interface ZoneMapProps {
  zones: readonly AdminZone[];
  /** The colour of each squad's zones, by squad id. */
  colours: ReadonlyMap<string, string>;
  /** The zone being edited: left out of the others, drawn as the outline being drawn instead. */
  editingId: string | null;
  /** The outline being drawn, in tap order ([lon, lat], not repeated at the end), and whether it is closed. */
  outline: ReadonlyArray<[number, number]>;
  closed: boolean;
  /** True while a tap adds a corner: the cursor says so. */
  drawing: boolean;
  onClick: (lonLat: [number, number]) => void;
}

const NO_CHECKPOINTS: [] = [];

/** The admin's map of the unit's zones, each squad in its colour with the zones' names, and the outline being drawn by taps. */
export function ZoneMap({ zones, colours, editingId, outline, closed, drawing, onClick }: ZoneMapProps) {
  const { settings, style, boundaries } = useBaseMap();
  const others = useMemo(() => zones.filter((z) => z.id !== editingId), [zones, editingId]);
  // Framed once on the unit's zones; a tap never moves the map under the admin's finger.
  const frame = useMemo(() => zones.flatMap((z) => z.polygon.coordinates[0] ?? []) as Array<[number, number]>, [zones]);

  if (!settings || !style) return <div class="map map-loading" />;
  const [lon = 114.41, lat = 23.1] = frame[0] ?? outline[0] ?? [];
  return (
    <div class={drawing ? 'admin-map placing' : 'admin-map'}>
      <MapView center={[lon, lat]} style={style} gcj02={settings.gcj02}>
        <MapBoundaries boundaries={boundaries} />
        <MapSquadZones zones={others} colours={colours} />
        <MapNames zones={others} checkpoints={NO_CHECKPOINTS} />
        <MapDrawnOutline outline={outline} closed={closed} />
        <MapClick onClick={onClick} />
        <MapFit points={frame} />
      </MapView>
    </div>
  );
}

/** Zones filled and outlined in their squad's colour. */
function MapSquadZones({ zones, colours }: { zones: readonly AdminZone[]; colours: ReadonlyMap<string, string> }) {
  const data = useMemo<GeoJSON.FeatureCollection>(
    () => ({
      type: 'FeatureCollection',
      features: zones.map((z) => ({ type: 'Feature', id: z.id, properties: { colour: colours.get(z.squadId) ?? '#6ea8ff' }, geometry: z.polygon })),
    }),
    [zones, colours],
  );
  useGeoJsonLayers(data, [
    { suffix: 'fill', type: 'fill', paint: { 'fill-color': ['get', 'colour'], 'fill-opacity': 0.2 } },
    { suffix: 'line', type: 'line', paint: { 'line-color': ['get', 'colour'], 'line-width': 2 } },
  ]);
  return null;
}

/** The outline being drawn: its corners, the line through them, and once closed its area. */
function MapDrawnOutline({ outline, closed }: { outline: ReadonlyArray<[number, number]>; closed: boolean }) {
  const data = useMemo<GeoJSON.FeatureCollection>(() => {
    const corners = outline.map((p, i): GeoJSON.Feature => ({
      type: 'Feature',
      properties: { kind: 'corner', first: i === 0 },
      geometry: { type: 'Point', coordinates: [...p] },
    }));
    const line: GeoJSON.Feature[] =
      outline.length < 2
        ? []
        : closed
          ? [
              {
                type: 'Feature',
                properties: { kind: 'area' },
                geometry: { type: 'Polygon', coordinates: [outline.concat(outline.slice(0, 1)).map((p) => [...p])] },
              },
            ]
          : [{ type: 'Feature', properties: { kind: 'line' }, geometry: { type: 'LineString', coordinates: outline.map((p) => [...p]) } }];
    return { type: 'FeatureCollection', features: [...line, ...corners] };
  }, [outline, closed]);
  useGeoJsonLayers(data, [
    { suffix: 'fill', type: 'fill', filter: ['==', ['get', 'kind'], 'area'], paint: { 'fill-color': '#ff7a1a', 'fill-opacity': 0.3 } },
    { suffix: 'edge', type: 'line', filter: ['!=', ['get', 'kind'], 'corner'], paint: { 'line-color': '#ffffff', 'line-width': 3 } },
    {
      suffix: 'corner',
      type: 'circle',
      filter: ['==', ['get', 'kind'], 'corner'],
      paint: {
        'circle-radius': ['case', ['get', 'first'], 7, 5],
        'circle-color': '#ff7a1a',
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    },
  ]);
  return null;
}
