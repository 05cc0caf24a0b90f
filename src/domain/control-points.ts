import * as v from 'valibot';
import { Lat, LocalNameSchema, Lon, Uuid } from './checkpoints.js';

// Control points (卡口): where officers stand to seal an area in a rapid lockdown, as the admin
// edits, imports and exports them. Pull delivers the same fields (protocol/lockdown.ts).

export const CONTROL_POINT_KINDS = ['road', 'bridge', 'toll', 'station', 'ferry'] as const;
export type ControlPointKind = (typeof CONTROL_POINT_KINDS)[number];

/** A control point of a unit: a named position, and whether that position was surveyed or only estimated. */
export const ControlPointSchema = v.strictObject({
  id: Uuid,
  name: LocalNameSchema,
  kind: v.picklist(CONTROL_POINT_KINDS, `kind must be one of ${CONTROL_POINT_KINDS.join(', ')}`),
  lon: Lon,
  lat: Lat,
  /** True when the position was read off a map rather than surveyed on the ground. */
  approximate: v.boolean('must be true or false'),
});
export type ControlPoint = v.InferOutput<typeof ControlPointSchema>;
