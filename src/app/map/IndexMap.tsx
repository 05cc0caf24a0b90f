import type * as GeoJSON from 'geojson';
import { useMemo } from 'preact/hooks';
import type { Area } from '../../domain/areas.js';
import { MapAreaLabels, MapBoundaries } from './layers.js';
import { locale } from '../i18n/index.js';
import { MapFit, MapView } from './MapView.js';
import { useBaseMap } from './useBaseMap.js';
import { useGeoJsonLayers } from './useGeoJsonLayers.js';

export interface IndexMapProps {
  /** The towns and streets with their boundaries. */
  towns: readonly Area[];
  /** The measure's value per town id. */
  values: ReadonlyMap<string, number>;
  /** Each town's place in the ranking table, drawn on it so the map and the table read together. */
  ranks: ReadonlyMap<string, number>;
  /** The top of the colour scale: the worst value of the month. */
  top: number;
  selectedId: string | null;
}

/** Colours of the scale from none to the worst (SafetyIndex.tsx repeats them in its legend). */
const INDEX_COLOURS = ['#2f9e44', '#f2c94c', '#d6336c'] as const;

/** The choropleth of the safety index: each town or street filled by its value of the chosen measure. */
export function IndexMap({ towns, values, ranks, top, selectedId }: IndexMapProps) {
  const { settings, style, boundaries } = useBaseMap();
  const corners = useMemo(() => {
    const points = towns.flatMap((a) => (a.geometry.type === 'Polygon' ? [a.geometry.coordinates] : a.geometry.coordinates).flatMap((rings) => rings[0] ?? []));
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    return points.length
      ? ([
          [Math.min(...lons), Math.min(...lats)],
          [Math.max(...lons), Math.max(...lats)],
        ] as Array<[number, number]>)
      : [];
  }, [towns]);
  const lang = locale.value;
  const labels = useMemo(
    () =>
      towns.map((a) => {
        const rank = ranks.get(a.id);
        const text = rank === undefined ? '' : String(rank);
        // The picked town is named in full; the rest carry their rank, which fits a phone's map.
        return { id: a.id, text: a.id === selectedId ? `${text} ${a.name[lang]}`.trim() : text, geometry: a.geometry, selected: a.id === selectedId };
      }),
    [towns, ranks, selectedId, lang],
  );
  if (!settings || !style) return <div class="map map-loading" />;
  const [lon = 114.41, lat = 23.1] = corners[0] ?? [];
  return (
    <div class="admin-map index-map" data-testid="index-map">
      <MapView center={[lon, lat]} zoom={9} style={style} gcj02={settings.gcj02}>
        {/* The towns are ranked on the map: the district's name over them would hide their ranks. */}
        <MapBoundaries boundaries={boundaries} named={false} />
        <MapChoropleth key={top} towns={towns} values={values} ranks={ranks} top={top} selectedId={selectedId} />
        <MapAreaLabels labels={labels} />
        {corners.length > 0 && <MapFit points={corners} padding={12} />}
      </MapView>
    </div>
  );
}

function MapChoropleth({ towns, values, top, selectedId }: IndexMapProps) {
  const data = useMemo<GeoJSON.FeatureCollection>(
    () => ({
      type: 'FeatureCollection',
      features: towns.map((a) => ({ type: 'Feature', properties: { value: values.get(a.id) ?? 0, selected: a.id === selectedId }, geometry: a.geometry })),
    }),
    [towns, values, selectedId],
  );
  const scaleTop = top > 0 ? top : 1;
  useGeoJsonLayers(data, [
    {
      suffix: 'fill',
      type: 'fill',
      paint: {
        'fill-color': ['interpolate', ['linear'], ['get', 'value'], 0, INDEX_COLOURS[0], scaleTop / 2, INDEX_COLOURS[1], scaleTop, INDEX_COLOURS[2]],
        'fill-opacity': 0.6,
      },
    },
    { suffix: 'line', type: 'line', paint: { 'line-color': '#ffffff', 'line-opacity': 0.7, 'line-width': ['case', ['get', 'selected'], 3, 0.8] } },
  ]);
  return null;
}
