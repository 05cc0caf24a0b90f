// `GET /api/incidents` and `GET /api/incidents/:id` (issue 15): the incidents a leader's squad or
// a supervisor's unit met, on a list and a map, and one incident's page with its timeline and photos.
import * as v from 'valibot';
import { INCIDENT_STATES, PhotoRefSchema, type IncidentCategory } from '../incidents.js';

/** The longest window of incident time one list may span, and the window when none is given. */
export const INCIDENTS_MAX_WINDOW_MS = 31 * 24 * 3600_000;
export const INCIDENTS_DEFAULT_WINDOW_MS = 7 * 24 * 3600_000;
/** Most incidents one list carries, and the default; newest first, so the cut drops the oldest. */
export const INCIDENTS_MAX_LIMIT = 500;

/** Who signed a record, as the roster has them. */
const IncidentOfficerSchema = v.object({ id: v.string(), badge: v.string(), name: v.string() });

/** A photo the incident's records name, with the record that named it; its bytes (and its thumbnail's) are at `/api/blobs/:sha256`. */
const IncidentPhotoSchema = v.object({ ...PhotoRefSchema.entries, recordId: v.string() });
export type IncidentPhoto = v.InferOutput<typeof IncidentPhotoSchema>;

/** How many photos a list item previews (as thumbnails). */
export const INCIDENT_PREVIEWS = 3;

/** The name of a town or street, or of a community, in both languages (the unit's areas, migration 0019). */
const AreaNameSchema = v.object({ 'zh-CN': v.string(), en: v.string() });

/** An incident as it stands now, as the list and the map show it. */
const IncidentSummarySchema = v.object({
  incidentId: v.string(),
  category: v.string(),
  occurredAt: v.string(),
  reportedAt: v.string(),
  /** Null for an incident located by a typed address only. */
  lat: v.nullable(v.number()),
  lon: v.nullable(v.number()),
  address: v.nullable(v.string()),
  /**
   * The unit's town or street and community its location lies in, by name (null: in none, or
   * no location). Optional for the copies a device kept from before the server sent them.
   */
  town: v.optional(v.nullable(AreaNameSchema), null),
  community: v.optional(v.nullable(AreaNameSchema), null),
  status: v.picklist(INCIDENT_STATES),
  statusAt: v.string(),
  handedTo: v.nullable(v.string()),
  injured: v.number(),
  dead: v.number(),
  reportedBy: IncidentOfficerSchema,
  /** Distinct photos its report and updates name. */
  photos: v.number(),
  /** Its first photos (at most INCIDENT_PREVIEWS), for the list's thumbnails. */
  previews: v.array(IncidentPhotoSchema),
  /** One of the demo's seeded past incidents. */
  demo: v.boolean(),
});
export type IncidentSummary = v.InferOutput<typeof IncidentSummarySchema>;

export interface IncidentsResponse {
  from: string;
  to: string;
  incidents: IncidentSummary[];
  /** More incidents matched than the limit let through (the oldest were left out). */
  truncated: boolean;
}

/** One step of an incident's timeline: its report, or an update. */
const IncidentStepSchema = v.object({
  recordId: v.string(),
  kind: v.picklist(['report', 'update']),
  /** Device time of the record. */
  at: v.string(),
  by: IncidentOfficerSchema,
  /** The state it moved to (`reported` for the report), or null for an update that only adds. */
  state: v.nullable(v.picklist(INCIDENT_STATES)),
  handedTo: v.nullable(v.string()),
  note: v.nullable(v.string()),
  /** Casualty counts it gave (the report always does; an update only when they changed). */
  injured: v.nullable(v.number()),
  dead: v.nullable(v.number()),
});
export type IncidentStep = v.InferOutput<typeof IncidentStepSchema>;

/** Someone involved, by role; identity numbers are never sent to the page. */
const IncidentPersonSchema = v.object({ role: v.string(), name: v.nullable(v.string()), phone: v.nullable(v.string()), note: v.nullable(v.string()) });

/**
 * One incident with its timeline and photos: what `GET /api/incidents/:id` answers, and what pull
 * delivers to an officer (entity `incident`) for the incidents they reported, updated or were sent
 * to, so their device shows what others did on them offline.
 */
export const IncidentDetailSchema = v.object({
  incident: v.object({
    ...IncidentSummarySchema.entries,
    /** Null when the stored report no longer passes its schema (it is logged for whoever keeps the database). */
    description: v.nullable(v.string()),
    locationSource: v.nullable(v.string()),
    people: v.array(IncidentPersonSchema),
  }),
  /** The report and every update, in device time. */
  timeline: v.array(IncidentStepSchema),
  photos: v.array(IncidentPhotoSchema),
});
export type IncidentDetailResponse = v.InferOutput<typeof IncidentDetailSchema>;

/** `GET /api/admin/incident-categories`: the unit's whole taxonomy, built-in categories first. */
export interface IncidentCategoriesResponse {
  categories: IncidentCategory[];
}
