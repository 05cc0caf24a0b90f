import type * as GeoJSON from 'geojson';
import type { GeoJSONSource, LayerSpecification } from 'maplibre-gl';
import { useEffect, useId, useMemo } from 'preact/hooks';
import { toDisplay } from './display-coords.js';
import { useMap } from './MapView.js';

/** A layer of any type, minus the id and source the hook assigns. */
type LayerWithoutSource = { suffix: string; type: LayerSpecification['type']; paint?: object; layout?: object; filter?: unknown };

/**
 * One GeoJSON source and its layers, owned by one overlay component: an effect that adds and
 * removes them (ids from useId so overlays never clash), and one that only calls setData.
 * Every overlay's WGS-84 data passes through toDisplay here, so none can forget the datum.
 */
export function useGeoJsonLayers(wgs84: GeoJSON.FeatureCollection, layers: LayerWithoutSource[]): void {
  const { map, gcj02 } = useMap();
  const data = useMemo(() => toDisplay(wgs84, gcj02), [wgs84, gcj02]);
  const id = `xf${useId().replace(/[^a-zA-Z0-9]/g, '')}`;
  useEffect(() => {
    if (!map) return;
    map.addSource(id, { type: 'geojson', data });
    for (const { suffix, ...layer } of layers) map.addLayer({ ...layer, id: `${id}-${suffix}`, source: id } as LayerSpecification);
    return () => {
      for (const { suffix } of layers) if (map.getLayer(`${id}-${suffix}`)) map.removeLayer(`${id}-${suffix}`);
      if (map.getSource(id)) map.removeSource(id);
    };
  }, [map]);
  useEffect(() => {
    (map?.getSource(id) as GeoJSONSource | undefined)?.setData(data);
  }, [map, data]);
}
