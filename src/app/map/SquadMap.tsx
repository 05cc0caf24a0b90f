import type * as GeoJSON from 'geojson';
import { Marker } from 'maplibre-gl';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { circleRing } from '../../domain/geo.js';
import { POSITION_STALE_MS, shownFix, type SquadOfficer } from '../../domain/protocol/squad.js';
import { t } from '../i18n/index.js';
import { zones } from '../state/local-copies.js';
import { toDisplayPoint } from './display-coords.js';
import { MapBoundaries, MapZones } from './layers.js';
import { MapFit, MapView, useMap } from './MapView.js';
import { useBaseMap } from './useBaseMap.js';
import { useGeoJsonLayers } from './useGeoJsonLayers.js';

export interface SquadMapProps {
  officers: readonly SquadOfficer[];
  /** The server's now, epoch ms: what a fix's age is counted from. */
  now: number;
}

/** How an officer's marker is drawn: an SOS before everything, then a stale fix greyed. */
function markerState(o: SquadOfficer, now: number): 'sos' | 'stale' | 'fresh' {
  if (o.sos && o.sos.raisedAt && !o.sos.cancelledAt) return 'sos';
  const fix = shownFix(o);
  return fix && now - Date.parse(fix.fixAt) > POSITION_STALE_MS ? 'stale' : 'fresh';
}

/**
 * The leader's map of the squad: every officer with a fix, inside the circle of its accuracy, red
 * while in SOS and grey when the fix is stale; a name tag beside each (a DOM marker, for the same
 * reason as MapNames: CJK glyphs would be megabytes to host).
 */
export function SquadMap({ officers, now }: SquadMapProps) {
  const { settings, style, boundaries } = useBaseMap();
  const located = officers.filter((o) => shownFix(o));
  const points = located.flatMap((o): Array<[number, number]> => {
    const fix = shownFix(o);
    return fix ? [[fix.lon, fix.lat]] : [];
  });
  const zonePoints = zones.value.flatMap((z) => z.polygon.coordinates[0] ?? []);
  if (!settings || !style) return <div class="map map-loading" />;
  const center = points[0] ?? zonePoints[0] ?? [114.41, 23.11];
  return (
    <div class="squad-map" role="region" aria-label={t('squad.map')}>
      <MapView center={center} style={style} gcj02={settings.gcj02}>
        <MapBoundaries boundaries={boundaries} />
        <MapZones zones={zones.value} />
        <SquadMarkers officers={located} now={now} />
        {/* The beat and everyone on it: a lone officer alone would be framed at the deepest zoom. */}
        <MapFit points={[...zonePoints, ...points]} />
      </MapView>
    </div>
  );
}

function SquadMarkers({ officers, now }: SquadMapProps) {
  const { map, gcj02 } = useMap();
  const data = useMemo<GeoJSON.FeatureCollection>(
    () => ({
      type: 'FeatureCollection',
      features: officers.flatMap((o) => {
        const p = shownFix(o);
        if (!p) return [];
        const state = markerState(o, now);
        return [
          { type: 'Feature', properties: { kind: 'accuracy', state }, geometry: { type: 'Polygon', coordinates: [circleRing(p, Math.max(p.accuracy, 1))] } },
          { type: 'Feature', properties: { kind: 'dot', state, native: p.native }, geometry: { type: 'Point', coordinates: [p.lon, p.lat] } },
        ];
      }),
    }),
    // Ages move on every second; the colour only needs the minute it turns stale.
    [officers, Math.floor(now / 30_000)],
  );
  const colour = ['match', ['get', 'state'], 'sos', '#ff5a4f', 'stale', '#7d8a99', '#4da3ff'];
  useGeoJsonLayers(data, [
    { suffix: 'accuracy', type: 'fill', filter: ['==', ['get', 'kind'], 'accuracy'], paint: { 'fill-color': colour, 'fill-opacity': 0.18 } },
    {
      suffix: 'dot',
      type: 'circle',
      filter: ['==', ['get', 'kind'], 'dot'],
      // A native tracker's fix (unsigned) is a hollow ring, never the signed fix's solid dot.
      paint: {
        'circle-radius': 8,
        'circle-color': ['case', ['==', ['get', 'native'], true], '#ffffff', colour],
        'circle-stroke-color': ['case', ['==', ['get', 'native'], true], colour, '#ffffff'],
        'circle-stroke-width': ['case', ['==', ['get', 'native'], true], 4, 2],
      },
    },
  ]);
  // Name tags, one per officer, moved (not re-made) as fixes come.
  const tags = useRef(new Map<string, Marker>());
  useEffect(() => {
    if (!map) return;
    const seen = new Set<string>();
    for (const o of officers) {
      const p = shownFix(o);
      if (!p) continue;
      seen.add(o.officerId);
      let marker = tags.current.get(o.officerId);
      if (!marker) {
        const element = document.createElement('div');
        element.className = 'map-label map-label-officer';
        element.textContent = o.name;
        element.dataset.badge = o.badge;
        marker = new Marker({ element, anchor: 'bottom', offset: [0, -12] });
        tags.current.set(o.officerId, marker.setLngLat(toDisplayPoint([p.lon, p.lat], gcj02)).addTo(map));
      } else marker.setLngLat(toDisplayPoint([p.lon, p.lat], gcj02));
      const element = marker.getElement();
      element.dataset.lat = p.lat.toFixed(6);
      element.dataset.lon = p.lon.toFixed(6);
      element.dataset.state = markerState(o, now);
      element.dataset.source = p.native ? 'native' : 'signed';
    }
    for (const [id, marker] of tags.current) {
      if (seen.has(id)) continue;
      marker.remove();
      tags.current.delete(id);
    }
  }, [map, gcj02, officers, Math.floor(now / 30_000)]);
  useEffect(
    () => () => {
      for (const marker of tags.current.values()) marker.remove();
      tags.current.clear();
    },
    [map],
  );
  return null;
}
