// `GET /api/incidents` and `GET /api/incidents/:id` (issue 15): the incidents a leader's squad or
// a supervisor's unit met, on a list and a map, and one incident's page with its timeline and photos.
import type { IncidentCategory, IncidentState, PhotoRef } from '../incidents.js';

/** The longest window of incident time one list may span, and the window when none is given. */
export const INCIDENTS_MAX_WINDOW_MS = 31 * 24 * 3600_000;
export const INCIDENTS_DEFAULT_WINDOW_MS = 7 * 24 * 3600_000;
/** Most incidents one list carries, and the default; newest first, so the cut drops the oldest. */
export const INCIDENTS_MAX_LIMIT = 500;

/** Who signed a record, as the roster has them. */
interface IncidentOfficer {
  id: string;
  badge: string;
  name: string;
}

/** An incident as it stands now, as the list and the map show it. */
export interface IncidentSummary {
  incidentId: string;
  category: string;
  occurredAt: string;
  reportedAt: string;
  /** Null for an incident located by a typed address only. */
  lat: number | null;
  lon: number | null;
  address: string | null;
  status: IncidentState;
  statusAt: string;
  handedTo: string | null;
  injured: number;
  dead: number;
  reportedBy: IncidentOfficer;
  /** Distinct photos its report and updates name. */
  photos: number;
  /** One of the demo's seeded past incidents. */
  demo: boolean;
}

export interface IncidentsResponse {
  from: string;
  to: string;
  incidents: IncidentSummary[];
  /** More incidents matched than the limit let through (the oldest were left out). */
  truncated: boolean;
}

/** One step of an incident's timeline: its report, or an update. */
export interface IncidentStep {
  recordId: string;
  kind: 'report' | 'update';
  /** Device time of the record. */
  at: string;
  by: IncidentOfficer;
  /** The state it moved to (`reported` for the report), or null for an update that only adds. */
  state: IncidentState | null;
  handedTo: string | null;
  note: string | null;
  /** Casualty counts it gave (the report always does; an update only when they changed). */
  injured: number | null;
  dead: number | null;
}

/** A photo the incident's records name, with the record that named it; its bytes are at `/api/blobs/:sha256`. */
export interface IncidentPhoto extends PhotoRef {
  recordId: string;
}

/** Someone involved, by role; identity numbers are never sent to the page. */
interface IncidentPerson {
  role: string;
  name: string | null;
  phone: string | null;
  note: string | null;
}

export interface IncidentDetailResponse {
  incident: IncidentSummary & {
    /** Null when the stored report no longer passes its schema (it is logged for whoever keeps the database). */
    description: string | null;
    locationSource: string | null;
    people: IncidentPerson[];
  };
  /** The report and every update, in device time. */
  timeline: IncidentStep[];
  photos: IncidentPhoto[];
}

/** `GET /api/admin/incident-categories`: the unit's whole taxonomy, built-in categories first. */
export interface IncidentCategoriesResponse {
  categories: IncidentCategory[];
}
