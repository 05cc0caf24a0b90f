import type { IncidentState } from '../../domain/incidents.js';
import { locale, type MessageKey } from '../i18n/index.js';
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
