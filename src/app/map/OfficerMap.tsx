import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { boundsOf, type Bounds } from '../../domain/tiles.js';
import type { TrackEntry } from '../../store/schema.js';
import { t } from '../i18n/index.js';
import { checkpoints, zones } from '../state/local-copies.js';
import { route } from '../state/tracking.js';
import { toDisplayBounds } from './display-coords.js';
import { MapBoundaries, MapCheckpoints, MapNames, MapOutlines, MapPosition, MapRoute, MapZones } from './layers.js';
import { MapFit, MapFollow, MapView } from './MapView.js';
import { OfflineArea } from './OfflineArea.js';
import { fixAge } from './position-marker.js';
import { useBaseMap } from './useBaseMap.js';

/** How old a fix is, in the largest unit that reads well ("12 秒前定位", "3 分钟前定位"). */
function PositionAge({ fix }: { fix: TrackEntry }) {
  const now = useSignal(Date.now());
  useEffect(() => {
    const timer = setInterval(() => (now.value = Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const age = fixAge(Date.parse(fix.fixAt), now.value);
  return (
    <p class="map-badge" data-testid="position-age" data-age-s={age.seconds}>
      {t(`map.positionAge.${age.unit}`, { n: age.n })}
    </p>
  );
}

/**
 * The officer's map: own zones and checkpoints by name, this shift's route with its gaps, where
 * they are now and how long ago that was. It follows the officer until they drag it; a large
 * button (one thumb, at night) brings it back.
 */
export function OfficerMap() {
  const { settings, style, boundaries } = useBaseMap();
  const following = useSignal(true);
  const last = [...route.value].reverse().find((p) => p.kind === 'fix') ?? null;
  const zonePoints = zones.value.flatMap((z) => z.polygon.coordinates[0] ?? []);
  const zoneBounds: Bounds | null = boundsOf(zonePoints);
  const first = zonePoints[0];
  const center: [number, number] = last ? [last.lon, last.lat] : (first ?? [114.41, 23.11]);
  if (!settings || !style) return <div class="map map-loading" />;
  const { base, gcj02 } = settings;
  return (
    <>
      <div class="map-frame">
        <MapView center={center} style={style} gcj02={gcj02}>
          {base.kind === 'none' && <MapOutlines area={zoneBounds ?? [center[0], center[1], center[0], center[1]]} />}
          <MapBoundaries boundaries={boundaries} />
          <MapZones zones={zones.value} />
          <MapCheckpoints checkpoints={checkpoints.value} />
          <MapNames zones={zones.value} checkpoints={checkpoints.value} />
          <MapRoute route={route.value} />
          <MapPosition position={last} />
          {!last && <MapFit points={zonePoints} />}
          <MapFollow position={last && [last.lon, last.lat]} following={following.value} onUnfollow={() => (following.value = false)} />
        </MapView>
        {last && <PositionAge fix={last} />}
        {last && !following.value && (
          <button type="button" class="map-recentre" data-testid="map-recentre" onClick={() => (following.value = true)}>
            <svg viewBox="0 0 24 24" aria-hidden="true" width="24" height="24">
              <circle cx="12" cy="12" r="4" fill="currentColor" />
              <circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" stroke-width="2" />
              <path d="M12 1v4M12 19v4M1 12h4M19 12h4" stroke="currentColor" stroke-width="2" />
            </svg>
            {t('map.recentre')}
          </button>
        )}
      </div>
      <OfflineArea base={base} bounds={zoneBounds && toDisplayBounds(zoneBounds, gcj02)} />
    </>
  );
}
