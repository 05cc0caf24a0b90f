import { useMemo } from 'preact/hooks';
import type { CheckpointShape, LocalName, Zone } from '../../domain/checkpoints.js';
import { MapBoundaries, MapCheckpoints, MapNames, MapSelection, MapZones } from './layers.js';
import { MapClick, MapFit, MapView, MapZoomTo } from './MapView.js';
import { useBaseMap } from './useBaseMap.js';

/** Where a point just placed is shown: its 50 m circle is about 40 px across on a phone. */
const PLACED_ZOOM = 16;

export interface PlaceMapProps {
  zones: readonly Zone[];
  checkpoints: ReadonlyArray<{ id: string; name: LocalName; shape: CheckpointShape }>;
  /** The shape being edited (live, as the form has it), highlighted over the others. */
  selection: CheckpointShape | null;
  /** True while the next click places or moves a checkpoint: the cursor says so. */
  placing: boolean;
  onClick: (lonLat: [number, number]) => void;
  /** Zoom in on a circle selection's centre the first time it is placed (a task's point: its radius is metres, not kilometres). */
  zoomToSelection?: boolean;
}

/** A map to place or pick on: every zone and checkpoint, the shape being edited, and clicks that place or pick (the admin's editors, a task's or lockdown's place, an incident's). */
export function PlaceMap({ zones, checkpoints, selection, placing, onClick, zoomToSelection = false }: PlaceMapProps) {
  const { settings, style, boundaries } = useBaseMap();
  const outline = useMemo(() => zones.flatMap((z) => z.polygon.coordinates[0] ?? []), [zones]);

  if (!settings || !style) return <div class="map map-loading" />;
  const [lon = 114.41, lat = 23.1] = outline[0] ?? [];
  return (
    <div class={placing ? 'admin-map placing' : 'admin-map'}>
      <MapView center={[lon, lat]} style={style} gcj02={settings.gcj02}>
        <MapBoundaries boundaries={boundaries} />
        <MapZones zones={zones} />
        <MapCheckpoints checkpoints={checkpoints} />
        <MapNames zones={zones} checkpoints={checkpoints} />
        <MapSelection shape={selection} />
        <MapClick onClick={onClick} />
        <MapFit points={outline} />
        {zoomToSelection && <MapZoomTo point={selection?.kind === 'circle' ? selection.center : null} zoom={PLACED_ZOOM} />}
      </MapView>
    </div>
  );
}
