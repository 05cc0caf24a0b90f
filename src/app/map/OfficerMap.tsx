import type * as GeoJSON from 'geojson';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import type { AppConfigResponse, SessionUser } from '../../domain/protocol.js';
import { loadAppConfig } from '../state/app-config.js';
import { reportError } from '../state/notices.js';
import { localEntities } from '../state/shift.js';
import { route } from '../state/tracking.js';
import type { CheckpointShape } from '../../domain/checkpoints.js';
import { MapCheckpoints, MapPosition, MapRoute, MapZones } from './layers.js';
import { MapFit, MapView } from './MapView.js';

/** The officer's map: own zones and checkpoints, this shift's route with its gaps, and where they are now. */
export function OfficerMap({ user }: { user: SessionUser }) {
  const zones = useSignal<Array<{ id: string; polygon: GeoJSON.Polygon }>>([]);
  const checkpoints = useSignal<Array<{ id: string; shape: CheckpointShape }>>([]);
  const config = useSignal<AppConfigResponse | null>(null);
  useEffect(() => {
    loadAppConfig().then((c) => (config.value = c), reportError);
  }, []);
  useEffect(() => {
    Promise.all([localEntities(user.id, 'zone'), localEntities(user.id, 'checkpoint')])
      .then(([z, c]) => {
        zones.value = z.map((e) => ({ id: e.id, polygon: e.data.polygon as GeoJSON.Polygon }));
        checkpoints.value = c.map((e) => ({ id: e.id, shape: e.data.shape as CheckpointShape }));
      })
      .catch(reportError);
  }, [user.id]);

  const last = [...route.value].reverse().find((p) => p.kind === 'fix') ?? null;
  const first = zones.value[0]?.polygon.coordinates[0]?.[0];
  const center: [number, number] = last ? [last.lon, last.lat] : first ? [first[0]!, first[1]!] : [114.41, 23.11];
  if (!config.value) return <div class="map map-loading" />;
  return (
    <MapView center={center} rasterTiles={config.value.map.rasterTiles}>
      <MapZones zones={zones.value} />
      <MapCheckpoints checkpoints={checkpoints.value} />
      <MapRoute route={route.value} />
      <MapPosition position={last} />
      {!last && <MapFit points={zones.value.flatMap((z) => (z.polygon.coordinates[0] ?? []) as Array<[number, number]>)} />}
    </MapView>
  );
}
