import * as v from 'valibot';
import { UUID_RE } from './ids.js';

// Checkpoints (places a patrol must visit) and plans (how often), as the server stores them,
// pull delivers them and the admin imports and exports them. WGS-84 [lon, lat] like GeoJSON.

const finite = v.pipe(v.number('must be a number'), v.finite('must be a finite number'));
/** Longitude in WGS-84 degrees. */
export const Lon = v.pipe(finite, v.minValue(-180, 'longitude must be ≥ -180'), v.maxValue(180, 'longitude must be ≤ 180'));
/** Latitude in WGS-84 degrees. */
export const Lat = v.pipe(finite, v.minValue(-90, 'latitude must be ≥ -90'), v.maxValue(90, 'latitude must be ≤ 90'));
const LonLatSchema = v.tuple([Lon, Lat], 'must be [longitude, latitude]');
/** The ids the server and devices make (UUIDv7, lower case). */
export const Uuid = v.pipe(v.string('must be a string'), v.regex(UUID_RE, 'must be a lower-case UUID'));
const Name = v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'is required'), v.maxLength(100, 'must be at most 100 characters'));

const samePoint = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1];

/** A closed ring of at least 4 positions (GeoJSON linear ring). */
const RingSchema = v.pipe(
  v.array(LonLatSchema, 'must be a list of positions'),
  v.minLength(4, 'a ring needs at least 4 positions'),
  v.maxLength(2000, 'a ring may have at most 2000 positions'),
  v.check((ring) => samePoint(ring[0] ?? [], ring.at(-1) ?? []), 'a ring must end where it starts'),
);

/** A GeoJSON Polygon: an outer ring and optional holes. */
export const PolygonSchema = v.strictObject({
  type: v.literal('Polygon', 'type must be "Polygon"'),
  coordinates: v.pipe(v.array(RingSchema), v.minLength(1, 'a polygon needs an outer ring'), v.maxLength(20, 'at most 20 rings')),
});
export type PolygonGeometry = v.InferOutput<typeof PolygonSchema>;

/** Where a checkpoint is: a circle (centre and radius) or a polygon. */
export const CheckpointShapeSchema = v.variant(
  'kind',
  [
    v.strictObject({
      kind: v.literal('circle'),
      center: LonLatSchema,
      radiusM: v.pipe(finite, v.minValue(5, 'radius must be at least 5 m'), v.maxValue(2000, 'radius must be at most 2 km')),
    }),
    v.strictObject({ kind: v.literal('polygon'), polygon: PolygonSchema }),
  ],
  'shape must be a circle or a polygon',
);
export type CheckpointShape = v.InferOutput<typeof CheckpointShapeSchema>;

export const CHECKPOINT_TYPES = ['bank', 'school', 'hospital', 'market', 'community', 'transport', 'government', 'other'] as const;
export type CheckpointType = (typeof CHECKPOINT_TYPES)[number];

/** Dwell needed for a check-in when a checkpoint does not say. */
export const DEFAULT_MIN_DWELL_S = 60;

/** A name in both UI languages. */
export const LocalNameSchema = v.strictObject({ 'zh-CN': Name, en: Name });
export type LocalName = v.InferOutput<typeof LocalNameSchema>;

/** A checkpoint as pull delivers it and the geofence engine reads it. */
export const CheckpointSchema = v.strictObject({
  id: Uuid,
  zoneId: Uuid,
  name: LocalNameSchema,
  type: v.picklist(CHECKPOINT_TYPES, `type must be one of ${CHECKPOINT_TYPES.join(', ')}`),
  shape: CheckpointShapeSchema,
  minDwellS: v.pipe(v.number(), v.integer('must be whole seconds'), v.minValue(0, 'must be ≥ 0'), v.maxValue(3600, 'must be at most an hour')),
});
export type Checkpoint = v.InferOutput<typeof CheckpointSchema>;

const ClockTime = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)'));

/**
 * How often a plan's checkpoints must be visited: every `everyMin` minutes inside a daily window
 * (which may cross midnight, "20:00" to "06:00"), or `times` visits in each shift.
 */
const PlanRuleSchema = v.variant('kind', [
  v.strictObject({
    kind: v.literal('interval'),
    everyMin: v.pipe(v.number(), v.integer(), v.minValue(10, 'at least every 10 minutes'), v.maxValue(24 * 60, 'at most once a day')),
    from: ClockTime,
    to: ClockTime,
  }),
  v.strictObject({
    kind: v.literal('per-shift'),
    times: v.pipe(v.number(), v.integer(), v.minValue(1, 'at least once'), v.maxValue(48, 'at most 48 times')),
  }),
]);
export type PlanRule = v.InferOutput<typeof PlanRuleSchema>;

/** Which checkpoints a squad's patrols must visit, and how often. */
export const PlanSchema = v.strictObject({
  id: Uuid,
  squadId: Uuid,
  name: LocalNameSchema,
  checkpointIds: v.pipe(v.array(Uuid), v.minLength(1, 'a plan needs at least one checkpoint'), v.maxLength(500, 'at most 500 checkpoints')),
  rule: PlanRuleSchema,
});
export type Plan = v.InferOutput<typeof PlanSchema>;

/**
 * Plans' daily windows are local clock times of the district. China keeps UTC+8 all year
 * (no daylight saving), so a fixed offset is exact.
 */
export const DISTRICT_UTC_OFFSET_MIN = 8 * 60;

/** How many people live in a zone: a whole number, 0 for none (a park). */
export const PopulationSchema = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.minValue(0, 'must be ≥ 0'),
  v.maxValue(50_000_000, 'is too large'),
);

/**
 * A patrol zone as pull delivers it: the squad's area, drawn on the officer's map and chosen at
 * shift start. `population` is null while unknown, and absent from a server before migration 0026.
 */
export const ZoneSchema = v.strictObject({
  id: Uuid,
  squadId: Uuid,
  name: LocalNameSchema,
  polygon: PolygonSchema,
  population: v.optional(v.nullable(PopulationSchema)),
});
export type Zone = v.InferOutput<typeof ZoneSchema>;

/** A named outline a unit's maps draw whatever the base map: its district, a town, a street. */
export const BoundarySchema = v.strictObject({
  name: LocalNameSchema,
  polygon: PolygonSchema,
});
export type Boundary = v.InferOutput<typeof BoundarySchema>;
