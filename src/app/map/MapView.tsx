import { Map as MapLibreMap, NavigationControl, ScaleControl, setWorkerUrl, type MapMouseEvent, type StyleSpecification } from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { createContext, type ComponentChildren } from 'preact';
import { useContext, useEffect, useRef, useState } from 'preact/hooks';
import { FOLLOW_SLACK } from './follow.js';
import { fromDisplayPoint, toDisplayBounds, toDisplayPoint } from './display-coords.js';

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

/**
 * Frames the given WGS-84 [lon, lat] points once the map is ready (zones on first open), and again
 * when their number changes; `maxZoom` keeps a single point from filling the screen, `padding` (px) leaves room for labels.
 */
export function MapFit({ points, maxZoom, padding = 24 }: { points: Array<[number, number]>; maxZoom?: number; padding?: number }) {
  const { map, gcj02 } = useMap();
  const key = points.length;
  useEffect(() => {
    if (!map || points.length === 0) return;
    const lons = points.map((p) => p[0]);
    const lats = points.map((p) => p[1]);
    map.fitBounds(toDisplayBounds([Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)], gcj02), {
      padding,
      animate: false,
      ...(maxZoom === undefined ? {} : { maxZoom }),
    });
  }, [map, key]);
  return null;
}

/** Calls `onClick` with the WGS-84 [lon, lat] of each click on the map; renders nothing. */
export function MapClick({ onClick }: { onClick: (lonLat: [number, number]) => void }) {
  const { map, gcj02 } = useMap();
  // The listener is added once; a ref lets it call the latest callback without re-subscribing.
  const latest = useRef(onClick);
  latest.current = onClick;
  useEffect(() => {
    if (!map) return;
    // A click on a GCJ-02 base map is a GCJ-02 point; what is stored is WGS-84.
    const handler = (event: MapMouseEvent) => latest.current(fromDisplayPoint([event.lngLat.lng, event.lngLat.lat], gcj02));
    map.on('click', handler);
    return () => {
      map.off('click', handler);
    };
  }, [map, gcj02]);
  return null;
}

/**
 * Brings `point` (WGS-84) to the middle at street level (`zoom`, or closer if already closer) the
 * first time it is set, so what was just placed can be seen and adjusted; later moves leave the camera be.
 */
export function MapZoomTo({ point, zoom }: { point: [number, number] | null; zoom: number }) {
  const { map, gcj02 } = useMap();
  const done = useRef(false);
  const [lon, lat] = point ?? [];
  useEffect(() => {
    if (!map || lon === undefined || lat === undefined || done.current) return;
    done.current = true;
    map.jumpTo({ center: toDisplayPoint([lon, lat], gcj02), zoom: Math.max(map.getZoom(), zoom) });
  }, [map, gcj02, lon, lat]);
  return null;
}

/** Street level, where an officer on foot sees the checkpoints around them (about 1.7 km across a phone). */
const FOLLOW_ZOOM = 15;

/**
 * Keeps `position` (WGS-84 [lon, lat]) in the middle of the map while `following`; the user
 * dragging the map (finger, mouse or arrow keys) calls `onUnfollow`. Zooming keeps following.
 */
export function MapFollow({ position, following, onUnfollow }: { position: [number, number] | null; following: boolean; onUnfollow: () => void }) {
  const { map, gcj02 } = useMap();
  const latest = useRef(onUnfollow);
  latest.current = onUnfollow;
  useEffect(() => {
    if (!map) return;
    const stop = () => latest.current();
    map.on('dragstart', stop);
    return () => {
      map.off('dragstart', stop);
    };
  }, [map]);
  // Set when following starts (or restarts): the first jump then zooms in to street level if
  // the map shows more (the zones' overview); later jumps keep whatever zoom the officer chose.
  const zoomIn = useRef(true);
  useEffect(() => {
    if (following) zoomIn.current = true;
  }, [following]);
  const [lon, lat] = position ?? [];
  useEffect(() => {
    if (!map || !following || lon === undefined || lat === undefined) return;
    const target = toDisplayPoint([lon, lat], gcj02);
    if (!zoomIn.current) {
      const { x, y } = map.project(target);
      const { clientWidth: width, clientHeight: height } = map.getContainer();
      const slack = FOLLOW_SLACK * Math.min(width, height);
      if (Math.abs(x - width / 2) <= slack && Math.abs(y - height / 2) <= slack) return;
    }
    // A jump, not an animation: an animation in flight would fight the next fix (and the page's
    // clock in tests).
    map.jumpTo({ center: target, ...(zoomIn.current ? { zoom: Math.max(map.getZoom(), FOLLOW_ZOOM) } : {}) });
    zoomIn.current = false;
  }, [map, gcj02, following, lon, lat]);
  return null;
}

/** Below this zoom checkpoints are too close together to name: their labels are hidden (styles.css). */
const LABELS_FROM_ZOOM = 13;

/** Mounts the map over a base style; children are layer components that render nothing themselves. */
export function MapView({
  center,
  zoom = 14,
  style,
  gcj02,
  children,
}: {
  center: [number, number];
  zoom?: number;
  style: StyleSpecification | string;
  gcj02: boolean;
  children?: ComponentChildren;
}) {
  const container = useRef<HTMLDivElement>(null);
  const [map, setMap] = useState<MapLibreMap | null>(null);
  useEffect(() => {
    if (!container.current) return;
    const instance = new MapLibreMap({ container: container.current, style, center: toDisplayPoint(center, gcj02), zoom, attributionControl: false });
    instance.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    instance.addControl(new ScaleControl({ unit: 'metric' }), 'top-left');
    // What the camera shows, on the element: the labels' zoom band, and the WGS-84 centre for tests and tools.
    const describe = () => {
      const element = instance.getContainer();
      const { lng, lat } = instance.getCenter();
      const [cLon, cLat] = fromDisplayPoint([lng, lat], gcj02);
      element.dataset.center = `${cLon.toFixed(6)},${cLat.toFixed(6)}`;
      element.dataset.zoom = instance.getZoom().toFixed(3);
      element.toggleAttribute('data-far', instance.getZoom() < LABELS_FROM_ZOOM);
    };
    instance.on('moveend', describe);
    instance.on('load', () => (describe(), setMap(instance)));
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
