import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.js';
import type { PlaceMapProps } from './PlaceMap.js';
import type { AuditMapProps } from './AuditMap.js';
import type { IncidentMapProps } from './IncidentMap.js';
import type { TaskMapProps } from './TaskMap.js';
import type { SquadMapProps } from './SquadMap.js';
import type { ZoneMapProps } from './ZoneMap.js';
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
export function LazyPlaceMap(props: PlaceMapProps) {
  const [Map, setMap] = useState<ComponentType<PlaceMapProps> | null>(null);
  useEffect(() => {
    import('./PlaceMap.js').then((m) => setMap(() => m.PlaceMap), reportError);
  }, []);
  return Map ? <Map {...props} /> : <div class="map map-loading">{t('map.loading')}</div>;
}

/** The leader's map of the squad's tasks, loaded with maplibre only when the board shows it. */
export function LazyTaskMap(props: TaskMapProps) {
  const [Map, setMap] = useState<ComponentType<TaskMapProps> | null>(null);
  useEffect(() => {
    import('./TaskMap.js').then((m) => setMap(() => m.TaskMap), reportError);
  }, []);
  return Map ? <Map {...props} /> : <div class="map map-loading">{t('map.loading')}</div>;
}

/** The supervisor's route replay map, loaded with maplibre only when a shift is opened. */
export function LazyAuditMap(props: AuditMapProps) {
  const [Map, setMap] = useState<ComponentType<AuditMapProps> | null>(null);
  useEffect(() => {
    import('./AuditMap.js').then((m) => setMap(() => m.AuditMap), reportError);
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

/** The leader's and supervisor's map of incidents, loaded with maplibre only when the panel shows it. */
export function LazyIncidentMap(props: IncidentMapProps) {
  const [Map, setMap] = useState<ComponentType<IncidentMapProps> | null>(null);
  useEffect(() => {
    import('./IncidentMap.js').then((m) => setMap(() => m.IncidentMap), reportError);
  }, []);
  return Map ? <Map {...props} /> : <div class="map map-loading">{t('map.loading')}</div>;
}

/** The admin's map of zones to draw on, loaded with maplibre only by the zones tab (and kept out of officers' precache). */
export function LazyZoneMap(props: ZoneMapProps) {
  const [Map, setMap] = useState<ComponentType<ZoneMapProps> | null>(null);
  useEffect(() => {
    import('./ZoneMap.js').then((m) => setMap(() => m.ZoneMap), reportError);
  }, []);
  return Map ? <Map {...props} /> : <div class="map map-loading">{t('map.loading')}</div>;
}
