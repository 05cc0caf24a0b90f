import { Map as MapLibreMap, NavigationControl, setWorkerUrl, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { toDisplayBounds, toDisplayPoint } from './display-coords.js';

// The one maplibre instance of the app. This module and its layers are a lazy chunk: the app
// shell never downloads maplibre until a map is shown. Its worker is bundled with the app
// (served from our origin, precached), so the map works offline.
setWorkerUrl(workerUrl);

interface MapState {
  map: MapLibreMap | null;
  /** The base map is GCJ-02: layers are moved to it for display (display-coords.ts). */
  gcj02: boolean;
}

const MapContext = createContext<MapState>({ map: null, gcj02: false });

/** The map a layer component draws into (null until the style has loaded), and its datum. */
export function useMap(): MapState {
  return useContext(MapContext);
}

/** Frames the given WGS-84 [lon, lat] points once the map is ready (zones on first open). */
export function MapFit({ points }: { points: Array<[number, number]> }) {
  const { map, gcj02 } = useMap();
  const key = points.length;
  useEffect(() => {
    if (!map || points.length === 0) return;
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    map.fitBounds(toDisplayBounds([Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)], gcj02), { padding: 24, animate: false });
  }, [map, key]);
  return null;
}

/** Mounts the map over a base style; children are layer components that render nothing themselves. */
export function MapView({ center, zoom = 14, style, gcj02, children }: { center: [number, number]; zoom?: number; style: StyleSpecification | string; gcj02: boolean; children?: ComponentChildren }) {
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibreMap | null>(null);
  useEffect(() => {
    if (!container.current) return;
    const instance = new MapLibreMap({ container: container.current, style, center: toDisplayPoint(center, gcj02), zoom, attributionControl: false });
    instance.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    instance.on('load', () => setMap(instance));
    return () => {
      setMap(null);
      instance.remove();
    };
  }, []);
  return (
    <div class="map" ref={container} data-testid="map" data-ready={map ? 'yes' : 'no'}>
      <MapContext.Provider value={{ map, gcj02 }}>{children}</MapContext.Provider>
    </div>
  );
}
