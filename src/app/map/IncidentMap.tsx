import type { Zone } from '../../domain/checkpoints.js';
import type { IncidentSummary } from '../../domain/protocol/incidents.js';
import { Marker } from 'maplibre-gl';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { t } from '../i18n/index.js';
import { categoryName, INCIDENT_STATE_KEYS } from '../screens/incident-text.js';
import { toDisplayPoint } from './display-coords.js';
import { INCIDENT_STATE_COLOURS } from './incident-marks.js';
import { MapBoundaries, MapZones } from './layers.js';
import { MapFit, MapView, useMap } from './MapView.js';
import { useBaseMap } from './useBaseMap.js';

/** A single incident framed alone is shown at street level, not at the map's deepest zoom. */
const FIT_MAX_ZOOM = 16;
const FIT_PADDING_PX = 40;

export interface IncidentMapProps {
  zones: readonly Zone[];
  /** The listed incidents; those located by an address only are not drawn. */
  incidents: readonly IncidentSummary[];
  onSelect: (incidentId: string) => void;
}

interface Placed {
  incident: IncidentSummary;
  at: [number, number];
}

/** The listed incidents at their places, each a dot in its state's colour, tapped to open its page. */
export function IncidentMap({ zones, incidents, onSelect }: IncidentMapProps) {
  const { settings, style, boundaries } = useBaseMap();
  const placed = useMemo(
    () => incidents.flatMap((incident): Placed[] => (incident.lat !== null && incident.lon !== null ? [{ incident, at: [incident.lon, incident.lat] }] : [])),
    [incidents],
  );
  const outline = useMemo(() => zones.flatMap((z) => z.polygon.coordinates[0] ?? []) as Array<[number, number]>, [zones]);

  if (!settings || !style) return <div class="map map-loading" />;
  // Frame the incidents, else the zones the viewer patrols.
  const fit = placed.length > 0 ? placed.map((p) => p.at) : outline;
  const [lon = 114.41, lat = 23.1] = fit[0] ?? [];
  return (
    <div class="incident-map" data-testid="incident-map" data-incidents={placed.length}>
      <MapView center={[lon, lat]} style={style} gcj02={settings.gcj02}>
        <MapBoundaries boundaries={boundaries} />
        <MapZones zones={zones} />
        <MapIncidentMarkers placed={placed} onSelect={onSelect} />
        <MapFit points={fit} maxZoom={FIT_MAX_ZOOM} padding={FIT_PADDING_PX} />
      </MapView>
    </div>
  );
}

/** A tappable dot per incident; the element carries its id, state and WGS-84 place for tools and tests. */
function MapIncidentMarkers({ placed, onSelect }: { placed: readonly Placed[]; onSelect: (incidentId: string) => void }) {
  const { map, gcj02 } = useMap();
  const latest = useRef(onSelect);
  latest.current = onSelect;
  useEffect(() => {
    if (!map) return;
    // The list is newest first; added last, the newest dots sit on top where they overlap.
    const markers = [...placed].reverse().map(({ incident, at }) => {
      const element = document.createElement('button');
      element.type = 'button';
      element.className = 'map-incident';
      element.dataset.incident = incident.incidentId;
      element.dataset.status = incident.status;
      element.dataset.lon = at[0].toFixed(6);
      element.dataset.lat = at[1].toFixed(6);
      element.style.setProperty('--mark', INCIDENT_STATE_COLOURS[incident.status]);
      element.setAttribute('aria-label', `${categoryName(incident.category)} · ${t(INCIDENT_STATE_KEYS[incident.status])}`);
      element.addEventListener('click', () => latest.current(incident.incidentId));
      return new Marker({ element }).setLngLat(toDisplayPoint(at, gcj02)).addTo(map);
    });
    return () => {
      for (const marker of markers) marker.remove();
    };
  }, [map, gcj02, placed]);
  return null;
}
