import * as v from 'valibot';
import { isControlledLoss } from './equipment.js';
import { UUID_RE, UUIDV7_RE } from './ids.js';
import { IncidentReportBodySchema, IncidentUpdateBodySchema } from './incidents.js';
import { InstantSchema, isRealInstant } from './instant.js';
import { TASK_UPDATE_STATES } from './tasks.js';
import { containsNul } from './text.js';

// The record envelope and the bodies of each kind (DESIGN.md "Records and the outbox").
// Later capabilities add kinds here; the sync pipeline does not change.

const Uuid = v.pipe(v.string('must be a string'), v.regex(UUID_RE, 'must be a lower-case UUID'));
const Hex64 = v.pipe(v.string('must be a string'), v.regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits'));
const finite = (message: string) => v.pipe(v.number(message), v.finite(message));
const ShortText = (max: number) => v.pipe(v.string('must be a string'), v.maxLength(max, `must be at most ${max} characters`));

const PositionBodySchema = v.strictObject({
  shiftId: Uuid,
  lat: v.pipe(finite('must be a finite number'), v.minValue(-90, 'must be ≥ -90'), v.maxValue(90, 'must be ≤ 90')),
  lon: v.pipe(finite('must be a finite number'), v.minValue(-180, 'must be ≥ -180'), v.maxValue(180, 'must be ≤ 180')),
  accuracy: v.pipe(finite('must be a finite number'), v.minValue(0, 'must be ≥ 0'), v.maxValue(100_000, 'must be ≤ 100 km')),
  altitude: v.optional(v.nullable(finite('must be a finite number'))),
  speed: v.optional(v.nullable(v.pipe(finite('must be a finite number'), v.minValue(0, 'must be ≥ 0')))),
  heading: v.optional(v.nullable(v.pipe(finite('must be a finite number'), v.minValue(0, 'must be ≥ 0'), v.maxValue(360, 'must be ≤ 360')))),
  fixAt: InstantSchema,
});

/** Why tracking changed state; a pause is always explained. */
export const TRACKING_REASONS = [
  'shift-start',
  'shift-end',
  'page-visible',
  'page-hidden',
  'wake-lock-lost',
  'permission-denied',
  'position-unavailable',
  'no-fix',
  'fix-resumed',
] as const;

const TrackingBodySchema = v.strictObject({
  shiftId: Uuid,
  state: v.picklist(['on', 'paused', 'off'], 'must be on, paused or off'),
  reason: v.picklist(TRACKING_REASONS, 'is not a known reason'),
});

const EquipmentItem = v.strictObject({
  item: ShortText(64),
  serial: v.optional(ShortText(64)),
  rounds: v.optional(v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(0), v.maxValue(1000))),
});

const ShiftStartBodySchema = v.strictObject({
  shiftId: Uuid,
  squadId: Uuid,
  members: v.pipe(v.array(Uuid, 'must be a list of officer ids'), v.maxLength(20, 'at most 20 members')),
  vehicle: v.optional(v.nullable(ShortText(32))),
  equipment: v.pipe(v.array(EquipmentItem), v.maxLength(50, 'at most 50 items')),
  zoneIds: v.pipe(v.array(Uuid), v.maxLength(50, 'at most 50 zones')),
  plannedEndAt: v.optional(InstantSchema),
});

const MissingItem = v.pipe(
  v.strictObject({
    item: ShortText(64),
    serial: v.optional(ShortText(64)),
    rounds: v.optional(v.pipe(v.number(), v.integer('must be a whole number'), v.minValue(1), v.maxValue(1000))),
    reason: v.optional(
      v.pipe(
        ShortText(500),
        v.check((r) => r.trim() !== '', 'must not be blank'),
      ),
    ),
  }),
  v.check((m) => !isControlledLoss(m) || m.reason !== undefined, 'a firearm or ammunition not returned needs a reason'),
);

// `missing` came later: shift.end records stored before it carry only `equipmentReturned`.
const ShiftEndBodySchema = v.strictObject({
  shiftId: Uuid,
  equipmentReturned: v.pipe(v.array(EquipmentItem), v.maxLength(50, 'at most 50 items')),
  missing: v.optional(v.pipe(v.array(MissingItem), v.maxLength(50, 'at most 50 items'))),
  note: v.optional(ShortText(500)),
});

/** Why an officer checked in by hand; a manual check-in always carries one. */
export const MANUAL_CHECKIN_REASONS = ['poor-gps', 'no-gps', 'indoors', 'other'] as const;

export const CheckinBodySchema = v.pipe(
  v.strictObject({
    shiftId: Uuid,
    checkpointId: Uuid,
    method: v.picklist(['geofence', 'manual'], 'must be geofence or manual'),
    enteredAt: InstantSchema,
    dwellS: v.pipe(finite('must be a finite number'), v.minValue(0, 'must be ≥ 0'), v.maxValue(86_400, 'must be at most a day')),
    /** Ids of this device's position records that put the officer there. */
    evidence: v.pipe(v.array(v.pipe(v.string(), v.regex(UUIDV7_RE, 'must be a record id'))), v.maxLength(500, 'at most 500 records')),
    reason: v.optional(v.picklist(MANUAL_CHECKIN_REASONS, 'is not a known reason')),
    note: v.optional(ShortText(500)),
  }),
  v.check((b) => b.method !== 'manual' || b.reason !== undefined, 'a manual check-in needs a reason'),
);

const TaskUpdateBodySchema = v.pipe(
  v.strictObject({
    taskId: Uuid,
    state: v.picklist(TASK_UPDATE_STATES, `must be one of ${TASK_UPDATE_STATES.join(', ')}`),
    /** The task's revision the officer saw: an update against an older one is superseded. */
    revision: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(0, 'must be ≥ 0'), v.maxValue(1_000_000, 'is too large')),
    /** `geofence`: arrival detected on the device from its fixes (the evidence); otherwise the officer's tap. */
    method: v.optional(v.picklist(['tap', 'geofence'], 'must be tap or geofence'), 'tap'),
    evidence: v.optional(v.pipe(v.array(v.pipe(v.string(), v.regex(UUIDV7_RE, 'must be a record id'))), v.maxLength(500, 'at most 500 records'))),
    reason: v.optional(ShortText(500)),
    note: v.optional(ShortText(1000)),
  }),
  v.check((b) => b.state !== 'declined' || !!b.reason?.trim(), 'declining a task needs a reason'),
);

// SOS (issue 13): an officer's call for help, raised and cancelled by the same alert id. The fix is
// where the device last knew itself to be (null when it had none: help is never held back for GPS).
const SosFixSchema = v.strictObject({
  lat: PositionBodySchema.entries.lat,
  lon: PositionBodySchema.entries.lon,
  accuracy: PositionBodySchema.entries.accuracy,
  fixAt: InstantSchema,
});
const SosBodySchema = v.strictObject({
  alertId: Uuid,
  shiftId: v.nullable(Uuid),
  state: v.picklist(['raised', 'cancelled'], 'must be raised or cancelled'),
  fix: v.nullable(SosFixSchema),
});

export const BODY_SCHEMAS = {
  'shift.start': ShiftStartBodySchema,
  'shift.end': ShiftEndBodySchema,
  tracking: TrackingBodySchema,
  position: PositionBodySchema,
  checkin: CheckinBodySchema,
  'task.update': TaskUpdateBodySchema,
  sos: SosBodySchema,
  'incident.report': IncidentReportBodySchema,
  'incident.update': IncidentUpdateBodySchema,
} as const;

export type RecordKind = keyof typeof BODY_SCHEMAS;
export type BodyOf<K extends RecordKind> = v.InferOutput<(typeof BODY_SCHEMAS)[K]>;

const envelope = {
  id: v.pipe(v.string('must be a string'), v.regex(UUIDV7_RE, 'must be a lower-case UUIDv7')),
  deviceId: Uuid,
  officerId: v.pipe(v.string('must be a string'), v.minLength(1, 'is required'), v.maxLength(64, 'is too long')),
  seq: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be ≥ 1'), v.maxValue(2_147_483_647, 'must fit 31 bits')),
  at: InstantSchema,
  prev: v.union([v.literal(''), Hex64], 'must be "" or 64 lower-case hex digits'),
  hash: Hex64,
  sig: v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_-]{86}$/, 'must be a base64url P-256 signature (64 bytes)')),
};

const kindSchema = <K extends RecordKind>(kind: K) => v.strictObject({ ...envelope, kind: v.literal(kind), body: BODY_SCHEMAS[kind] });

/** A signed record of any kind, as it travels and as the server stores it. */
export const RecordSchema = v.pipe(
  v.variant(
    'kind',
    [
      kindSchema('shift.start'),
      kindSchema('shift.end'),
      kindSchema('tracking'),
      kindSchema('position'),
      kindSchema('checkin'),
      kindSchema('task.update'),
      kindSchema('sos'),
      kindSchema('incident.report'),
      kindSchema('incident.update'),
    ],
    'kind is not a known record kind',
  ),
  // PostgreSQL text cannot hold U+0000, and no field has a use for it.
  v.check((record) => !containsNul(record), 'text must not contain the NUL character (U+0000)'),
);
export type SignedRecord = v.InferOutput<typeof RecordSchema>;

/** What parseRecord makes of an input: the record, or valibot's issues with their reasons. */
export type RecordParse = { success: true; output: SignedRecord } | { success: false; issues: readonly v.BaseIssue<unknown>[] };

/**
 * RecordSchema's verdict on an input. Positions are most of every push, and valibot spends more
 * per record on one than hashing it does (its datasets, issue lists and output copies were 15%
 * of ingest's CPU), so a position that isPlainValidPosition passes is taken as it is; anything
 * else, and every failure, goes through RecordSchema, which stays the one definition and gives
 * the reasons. A property test holds the two to the same answers.
 */
export function parseRecord(input: unknown): RecordParse {
  if (isPlainValidPosition(input)) return { success: true, output: input };
  const result = v.safeParse(RecordSchema, input);
  return result.success ? { success: true, output: result.output } : { success: false, issues: result.issues };
}

const HEX64_RE = /^[0-9a-f]{64}$/;
const SIG_RE = /^[A-Za-z0-9_-]{86}$/;
const ENVELOPE_KEYS = 10;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const inRange = (value: unknown, min: number, max: number) => isFiniteNumber(value) && value >= min && value <= max;
/** An optional, nullable number field: absent, null, or finite within [min, max]. */
const optionalInRange = (body: Record<string, unknown>, key: string, min: number, max: number): 0 | 1 | -1 => {
  if (!(key in body)) return 0;
  const value = body[key];
  return value === null || inRange(value, min, max) ? 1 : -1;
};

/**
 * True only for a position record RecordSchema accepts unchanged, written as JSON.parse makes
 * objects (own keys, plain prototypes, no undefined). WARNING: it must never say yes where
 * RecordSchema says no; a change to the position or envelope schema above must change it too
 * (tests/unit/domain/records-fast-path.property.test.ts fails otherwise).
 */
function isPlainValidPosition(input: unknown): input is RecordOf<'position'> {
  if (!isPlainObject(input) || input.kind !== 'position') return false;
  const { id, deviceId, officerId, seq, at, prev, hash, sig, body } = input;
  if (Object.keys(input).length !== ENVELOPE_KEYS || !isPlainObject(body)) return false;
  if (typeof id !== 'string' || !UUIDV7_RE.test(id)) return false;
  if (typeof deviceId !== 'string' || !UUID_RE.test(deviceId)) return false;
  if (typeof officerId !== 'string' || officerId.length < 1 || officerId.length > 64 || officerId.includes('\0')) return false;
  if (!Number.isInteger(seq) || (seq as number) < 1 || (seq as number) > 2_147_483_647) return false;
  if (typeof at !== 'string' || !isRealInstant(at)) return false;
  if (typeof prev !== 'string' || (prev !== '' && !HEX64_RE.test(prev))) return false;
  if (typeof hash !== 'string' || !HEX64_RE.test(hash)) return false;
  if (typeof sig !== 'string' || !SIG_RE.test(sig)) return false;
  const { shiftId, lat, lon, accuracy, fixAt } = body;
  if (typeof shiftId !== 'string' || !UUID_RE.test(shiftId)) return false;
  if (!inRange(lat, -90, 90) || !inRange(lon, -180, 180) || !inRange(accuracy, 0, 100_000)) return false;
  if (typeof fixAt !== 'string' || !isRealInstant(fixAt)) return false;
  const altitude = optionalInRange(body, 'altitude', -Infinity, Infinity);
  const speed = optionalInRange(body, 'speed', 0, Infinity);
  const heading = optionalInRange(body, 'heading', 0, 360);
  if (altitude < 0 || speed < 0 || heading < 0) return false;
  // Any other key, in the body or the envelope, is for RecordSchema to name.
  return Object.keys(body).length === 5 + altitude + speed + heading;
}
export type RecordOf<K extends RecordKind> = Extract<SignedRecord, { kind: K }>;
/** A record before sealing: everything but hash and sig. */
export type UnsignedRecord = SignedRecord extends infer R ? (R extends SignedRecord ? Omit<R, 'hash' | 'sig'> : never) : never;

/** How far ahead of the server's clock a device's `at` may be (a wrong clock, not a forged future). */
export const MAX_CLOCK_AHEAD_MS = 24 * 60 * 60 * 1000;
