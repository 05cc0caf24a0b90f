import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import type { AdminMapProps } from './AdminMap.js';
import type { SquadMapProps } from './SquadMap.js';
import { reportError } from '../state/notices.js';

/** Loads the map chunk (maplibre and the layers) only when a map is on screen. */
export function LazyOfficerMap() {
  const [Map, setMap] = useState<ComponentType | null>(null);
  useEffect(() => {
    import('./OfficerMap.js').then((m) => setMap(() => m.OfficerMap), reportError);
  }, []);
  return Map ? <Map /> : <div class="map map-loading">{t('map.loading')}</div>;
}

/** The admin's map, loaded with maplibre only by the admin screen. */
export function LazyAdminMap(props: AdminMapProps) {
  const [Map, setMap] = useState<ComponentType<AdminMapProps> | null>(null);
  useEffect(() => {
    import('./AdminMap.js').then((m) => setMap(() => m.AdminMap), reportError);
  }, []);
  return Map ? <Map {...props} /> : <div class="map map-loading">{t('map.loading')}</div>;
}

/** The leader's live squad map, loaded with maplibre only when the squad is shown. */
export function LazySquadMap(props: SquadMapProps) {
  const [Map, setMap] = useState<ComponentType<SquadMapProps> | null>(null);
  useEffect(() => {
    import('./SquadMap.js').then((m) => setMap(() => m.SquadMap), reportError);
  }, []);
  return Map ? <Map {...props} /> : <div class="map map-loading">{t('map.loading')}</div>;
}
