import { useMemo } from 'preact/hooks';
import type { CheckpointShape } from '../../domain/checkpoints.js';
import type { TrackEntry } from '../../store/schema.js';
import { MapBoundaries, MapCheckpoints, MapPosition, MapRoute } from './layers.js';
import { MapFit, MapView } from './MapView.js';
import { useBaseMap } from './useBaseMap.js';

export interface AuditMapProps {
  /** The route as the officer's own map draws it: fixes, and a gap entry at each pause. */
  route: readonly TrackEntry[];
  /** Where the replay stands. */
  position: { lat: number; lon: number; accuracy: number } | null;
  checkpoints: ReadonlyArray<{ id: string; shape: CheckpointShape }>;
}

/** The supervisor's replay map: the audited route, framed whole, and the replay's point on it. */
export function AuditMap({ route, position, checkpoints }: AuditMapProps) {
  const { settings, style, boundaries } = useBaseMap();
  const points = useMemo(() => route.filter((p) => p.kind === 'fix').map((p): [number, number] => [p.lon, p.lat]), [route]);
  if (!settings || !style) return <div class="map map-loading" />;
  return (
    <MapView center={points[0] ?? [114.41, 23.1]} style={style} gcj02={settings.gcj02}>
      <MapBoundaries boundaries={boundaries} />
      <MapCheckpoints checkpoints={checkpoints} />
      <MapRoute route={route} />
      <MapPosition position={position} />
      <MapFit points={points} padding={32} />
    </MapView>
  );
}
