import { Map as MapLibreMap, NavigationControl, setWorkerUrl, type MapMouseEvent, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';

// The one maplibre instance of the app. This module and its layers are a lazy chunk: the app
// shell never downloads maplibre until a map is shown. Its worker is bundled with the app
// (served from our origin, precached), so the map works offline.
setWorkerUrl(workerUrl);

/** The base map: configured raster tiles, or with none our layers over a plain background. */
export function baseStyle(rasterTiles: string | null): StyleSpecification {
  const background = { id: 'background', type: 'background', paint: { 'background-color': '#0e1a28' } } as const;
  if (!rasterTiles) return { version: 8, sources: {}, layers: [background] };
  return {
    version: 8,
    sources: { base: { type: 'raster', tiles: [rasterTiles], tileSize: 256, maxzoom: 19 } },
    layers: [background, { id: 'base', type: 'raster', source: 'base' }],
  };
}

const MapContext = createContext<MapLibreMap | null>(null);

/** The map a layer component draws into (null until the style has loaded). */
export function useMap(): MapLibreMap | null {
  return useContext(MapContext);
}

/** Frames the given [lon, lat] points once the map is ready (zones on first open). */
export function MapFit({ points }: { points: Array<[number, number]> }) {
  const map = useMap();
  const key = points.length;
  useEffect(() => {
    if (!map || points.length === 0) return;
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    map.fitBounds([Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)], { padding: 24, animate: false });
  }, [map, key]);
  return null;
}

/** Calls `onClick` with the [lon, lat] of each click on the map; renders nothing. */
export function MapClick({ onClick }: { onClick: (lonLat: [number, number]) => void }) {
  const map = useMap();
  // The listener is added once; a ref lets it call the latest callback without re-subscribing.
  const latest = useRef(onClick);
  latest.current = onClick;
  useEffect(() => {
    if (!map) return;
    const handler = (event: MapMouseEvent) => latest.current([event.lngLat.lng, event.lngLat.lat]);
    map.on('click', handler);
    return () => {
      map.off('click', handler);
    };
  }, [map]);
  return null;
}

/** Mounts the map; children are layer components that render nothing themselves. */
export function MapView({ center, zoom = 14, rasterTiles = null, children }: { center: [number, number]; zoom?: number; rasterTiles?: string | null; children?: ComponentChildren }) {
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibreMap | null>(null);
  useEffect(() => {
    if (!container.current) return;
    const instance = new MapLibreMap({ container: container.current, style: baseStyle(rasterTiles), center, zoom, attributionControl: false });
    instance.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    instance.on('load', () => setMap(instance));
    return () => {
      setMap(null);
      instance.remove();
    };
  }, []);
  return (
    <div class="map" ref={container} data-testid="map" data-ready={map ? 'yes' : 'no'}>
      <MapContext.Provider value={map}>{children}</MapContext.Provider>
    </div>
  );
}
