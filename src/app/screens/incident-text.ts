import type { IncidentState } from '../../domain/incidents.js';
import type { IncidentSummary } from '../../domain/protocol/incidents.js';
import { locale, t, type MessageKey } from '../i18n/index.js';
import { taxonomy } from '../state/local-copies.js';

// Words for incidents shared by the officer's list and the leader's and supervisor's panel.

export const INCIDENT_STATE_KEYS: Record<IncidentState, MessageKey> = {
  reported: 'incident.state.reported',
  responding: 'incident.state.responding',
  'on-scene': 'incident.state.on-scene',
  resolved: 'incident.state.resolved',
  'handed-over': 'incident.state.handed-over',
};

/** A category's name in the current language, by the unit's taxonomy; a code it does not know is shown as it is. */
export const categoryName = (code: string) => taxonomy.value.find((c) => c.code === code)?.name[locale.value] ?? code;

type Placed = Pick<IncidentSummary, 'address' | 'lat' | 'lon' | 'town' | 'community'>;

/**
 * Where an incident was, as a person says it: the address the officer typed; else the town or
 * street and community its location lies in; else its coordinates (a place outside the unit's
 * areas, or one the server has not placed yet). Empty when it has none.
 */
export function incidentPlace({ address, lat, lon, town, community }: Placed): string {
  if (address) return address;
  const lang = locale.value;
  if (town && community) return t('incidents.area', { town: town[lang], community: community[lang] });
  const area = town ?? community;
  if (area) return area[lang];
  return lat !== null && lon !== null ? `${lat.toFixed(5)}, ${lon.toFixed(5)}` : '';
}
