import type * as GeoJSON from 'geojson';
import { useMemo } from 'preact/hooks';
import type { Zone } from '../../domain/checkpoints.js';
import type { CoverageCell } from '../../domain/protocol/coverage.js';
import { MapBoundaries, MapZones } from './layers.js';
import { MapFit, MapView } from './MapView.js';
import { useBaseMap } from './useBaseMap.js';
import { useGeoJsonLayers } from './useGeoJsonLayers.js';

export interface CoverageMapProps {
  zone: Zone;
  cells: readonly CoverageCell[];
  /** What ages are measured from (the answer's `asOf`). */
  asOf: string;
  unseenHours: number;
}

/** Colours by age (Coverage.tsx repeats them in its legend): passed within the hour, within the limit, longer ago, not in the window. */
const AGE_COLOURS = { fresh: '#2f9e44', recent: '#f2c94c', stale: '#f08c00', never: '#d6336c' } as const;

/** The zone's cells coloured by the time since anyone passed them. */
export function CoverageMap({ zone, cells, asOf, unseenHours }: CoverageMapProps) {
  const { settings, style, boundaries } = useBaseMap();
  const outline = useMemo(() => zone.polygon.coordinates[0] ?? [], [zone]);
  if (!settings || !style) return <div class="map map-loading" />;
  const [lon = 114.41, lat = 23.1] = outline[0] ?? [];
  return (
    <div class="admin-map coverage-map" data-testid="coverage-map">
      <MapView center={[lon, lat]} style={style} gcj02={settings.gcj02}>
        <MapBoundaries boundaries={boundaries} />
        <MapZones zones={[zone]} />
        {/* Remounted when the limit changes: the layer keeps the paint it was added with. */}
        <MapCoverageCells key={unseenHours} cells={cells} asOf={asOf} unseenHours={unseenHours} />
        <MapFit points={outline as Array<[number, number]>} />
      </MapView>
    </div>
  );
}

/** One hexagon per cell; the colour says how long ago it was last passed. */
function MapCoverageCells({ cells, asOf, unseenHours }: { cells: readonly CoverageCell[]; asOf: string; unseenHours: number }) {
  const data = useMemo<GeoJSON.FeatureCollection>(() => {
    const now = Date.parse(asOf);
    return {
      type: 'FeatureCollection',
      features: cells.map((c) => ({
        type: 'Feature',
        properties: { ageH: c.lastPassedAt === null ? -1 : (now - Date.parse(c.lastPassedAt)) / 3600_000 },
        geometry: { type: 'Polygon', coordinates: [c.ring] },
      })),
    };
  }, [cells, asOf]);
  useGeoJsonLayers(data, [
    {
      suffix: 'fill',
      type: 'fill',
      paint: {
        'fill-color': ['step', ['get', 'ageH'], AGE_COLOURS.never, 0, AGE_COLOURS.fresh, 1, AGE_COLOURS.recent, unseenHours, AGE_COLOURS.stale],
        'fill-opacity': 0.45,
      },
    },
    { suffix: 'line', type: 'line', paint: { 'line-color': '#ffffff', 'line-opacity': 0.35, 'line-width': 0.5 } },
  ]);
  return null;
}
