// `POST /api/lockdowns/proposal`, `POST /api/lockdowns`, `GET /api/lockdowns`, `POST /api/lockdowns/:id/end`.
import * as v from 'valibot';
import type { TaskUpdateView } from '../tasks.js';

const finite = (message: string) => v.pipe(v.number(message), v.finite(message));
const Lon = v.pipe(finite('lon must be a number'), v.minValue(-180, 'lon must be ≥ -180'), v.maxValue(180, 'lon must be ≤ 180'));
const Lat = v.pipe(finite('lat must be a number'), v.minValue(-90, 'lat must be ≥ -90'), v.maxValue(90, 'lat must be ≤ 90'));
const RadiusM = v.pipe(
  finite('radiusM must be a number'),
  v.minValue(100, 'radiusM must be at least 100 m'),
  v.maxValue(20_000, 'radiusM must be at most 20 km'),
);
const Id = v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(64, 'is too long'));
const Pair = v.strictObject({ officerId: Id, pointId: Id });

/** Body of the proposal: where it happened, optionally how wide, and the leader's adjustments. */
export const ProposalRequestSchema = v.strictObject({
  lon: Lon,
  lat: Lat,
  radiusM: v.optional(RadiusM),
  pinned: v.optional(v.pipe(v.array(Pair), v.maxLength(200, 'at most 200 pinned pairs')), []),
  excluded: v.optional(v.pipe(v.array(Id), v.maxLength(500, 'at most 500 excluded officers')), []),
  /** Control points the leader leaves out of the ring. */
  skipped: v.optional(v.pipe(v.array(Id), v.maxLength(500, 'at most 500 skipped points')), []),
});

/** Body of the order: the assignment as the leader settled it. */
export const LockdownOrderSchema = v.strictObject({
  lon: Lon,
  lat: Lat,
  radiusM: RadiusM,
  note: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(500, 'note must be at most 500 characters')), ''),
  assignments: v.pipe(v.array(Pair), v.minLength(1, 'assign at least one control point'), v.maxLength(200, 'at most 200 control points')),
});

/** A control point (卡口) as pull delivers it. */
export const ControlPointSchema = v.object({
  id: v.string(),
  name: v.object({ 'zh-CN': v.string(), en: v.string() }),
  kind: v.string(),
  lon: Lon,
  lat: Lat,
  /** Position read off a map, not surveyed; copies pulled before the flag existed read as surveyed. */
  approximate: v.optional(v.boolean(), false),
});
export type ControlPoint = v.InferOutput<typeof ControlPointSchema>;

interface Named {
  id: string;
  name: { 'zh-CN': string; en: string };
}

export interface LockdownProposal {
  radiusM: number;
  /** Whether the ring's points leave no way out of 180° or more (see domain/lockdown/ring.ts). */
  encloses: boolean;
  largestGapDeg: number;
  points: Array<Named & { lon: number; lat: number; approximate: boolean; distanceM: number; bearingDeg: number }>;
  assignments: Array<{ pointId: string; officerId: string; officerName: string; travelS: number; positionAgeS: number; pinned: boolean }>;
  unmanned: string[];
  free: Array<{ id: string; name: string }>;
  unavailable: Array<{ id: string; name: string; reason: 'excluded' | 'no-position' | 'stale-position' }>;
  lastMannedS: number | null;
}

/** One control point of an ordered lockdown, as the board shows it. */
interface LockdownPointView extends Named {
  lon: number;
  lat: number;
  /** The position was read off a map, not surveyed. */
  approximate: boolean;
  officerId: string;
  officerName: string;
  taskId: string;
  taskState: string;
  /** When the officer should be there (order time + proposed travel). */
  dueAt: string | null;
  /** When the officer reported, or the geofence saw, them on scene. */
  arrivedAt: string | null;
  /** How: a tap, or the device's geofence with the server's check of the stored track. */
  arrival: (Pick<TaskUpdateView, 'method'> & { check?: NonNullable<TaskUpdateView['arrival']> }) | null;
}

export interface LockdownView {
  id: string;
  createdAt: string;
  createdBy: { id: string; name: string };
  lon: number;
  lat: number;
  radiusM: number;
  note: string;
  endedAt: string | null;
  points: LockdownPointView[];
  /** When the last point was manned; null until every point is. */
  sealedAt: string | null;
}

export interface LockdownsResponse {
  lockdowns: LockdownView[];
}
