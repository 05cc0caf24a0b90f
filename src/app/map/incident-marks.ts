import type { IncidentState } from '../../domain/incidents.js';

// Outside the map chunk, so the panel's legend can show the colours without loading maplibre.

/** Each incident state's colour, on the map's markers, in the legend and on the list alike: red is waiting for someone. */
export const INCIDENT_STATE_COLOURS: Record<IncidentState, string> = {
  reported: '#ff3b5c',
  responding: '#ff8a1a',
  'on-scene': '#f2b705',
  resolved: '#2fbf71',
  'handed-over': '#35d0f0',
};
