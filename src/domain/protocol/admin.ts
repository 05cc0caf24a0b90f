// The admin's editors: `GET /api/admin/*` and the checkpoint import.
import type { Checkpoint, LocalName, Plan } from '../checkpoints.js';
import type { ZoneEdit } from '../zones.js';
import type { ControlPoint } from '../control-points.js';

/** A squad of the admin's unit, as `GET /api/admin/zones` lists it. */
export interface AdminSquad {
  id: string;
  code: string;
  name: LocalName;
}

/** A patrol zone of the admin's unit: where checkpoints go, whose squad patrols it, and how many live there (null: unknown). */
export type AdminZone = ZoneEdit;

/** Body of `GET /api/admin/zones`: the unit's squads and zones, for the admin's editors. */
export interface AdminZonesResponse {
  squads: AdminSquad[];
  zones: AdminZone[];
}

/** Body of `GET /api/admin/checkpoints`. */
export interface AdminCheckpointsResponse {
  checkpoints: Checkpoint[];
}

/** Body of `GET /api/admin/plans`. */
export interface AdminPlansResponse {
  plans: Plan[];
}

/** Body of `GET /api/admin/control-points`. */
export interface AdminControlPointsResponse {
  controlPoints: ControlPoint[];
}

/** Body of a successful `POST /api/admin/checkpoints/import` (and of control points' import). */
export interface ImportOutcome {
  created: number;
  updated: number;
}
