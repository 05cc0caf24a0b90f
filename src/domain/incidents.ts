import * as v from 'valibot';
import { UUID_RE } from './ids.js';
import { InstantSchema } from './instant.js';

// Incidents (警情, issue 15): what an officer meets or is sent to, reported on the spot (often
// offline, with photos) as a signed `incident.report`, then moved along by signed
// `incident.update`s. The categories feed the published safety index (平安指数), so each says
// which of the index's groups it counts in.

/** How the safety index groups incidents: criminal and public-order together, fire, traffic; `other` counts in none. */
export const INCIDENT_GROUPS = ['criminal-order', 'fire', 'traffic', 'other'] as const;

/** A category's code: what records carry, so it never changes meaning once used. */
const CategoryCode = v.pipe(
  v.string('must be a string'),
  v.regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a category code: a-z, 0-9 and “-”, starting with a letter, at most 32 characters'),
);
const CategoryName = v.pipe(v.string('must be a string'), v.trim(), v.minLength(1, 'must not be empty'), v.maxLength(32, 'must be at most 32 characters'));

/** A category a unit's admin adds to its taxonomy. */
export const NewIncidentCategorySchema = v.strictObject({
  code: CategoryCode,
  group: v.picklist(INCIDENT_GROUPS, `must be one of ${INCIDENT_GROUPS.join(', ')}`),
  /** Counted per residential community like the three preventable kinds (警情指数). */
  preventable: v.boolean('must be true or false'),
  name: v.strictObject({ 'zh-CN': CategoryName, en: CategoryName }),
});

/** A category of a unit's taxonomy, as pull delivers it and forms and the index read it. */
export const IncidentCategorySchema = v.strictObject({
  ...NewIncidentCategorySchema.entries,
  /** Hidden from new reports; reports already made in it still count, and are still accepted. */
  hidden: v.boolean('must be true or false'),
});
export type IncidentCategory = v.InferOutput<typeof IncidentCategorySchema>;

/**
 * The taxonomy every unit starts with: at least the programme's groups and its three preventable
 * kinds. Built in: a unit may hide them from new reports, never remove or change them.
 */
export const DEFAULT_INCIDENT_CATEGORIES: readonly IncidentCategory[] = [
  { code: 'criminal', group: 'criminal-order', preventable: false, name: { 'zh-CN': '刑事', en: 'Criminal' }, hidden: false },
  { code: 'burglary', group: 'criminal-order', preventable: true, name: { 'zh-CN': '入室盗窃', en: 'Burglary' }, hidden: false },
  {
    code: 'motorbike-theft',
    group: 'criminal-order',
    preventable: true,
    name: { 'zh-CN': '盗窃摩托车/电动车', en: 'Motorbike / e-bike theft' },
    hidden: false,
  },
  { code: 'vehicle-theft', group: 'criminal-order', preventable: true, name: { 'zh-CN': '盗窃机动车', en: 'Vehicle theft' }, hidden: false },
  { code: 'public-order', group: 'criminal-order', preventable: false, name: { 'zh-CN': '治安', en: 'Public order' }, hidden: false },
  { code: 'fire', group: 'fire', preventable: false, name: { 'zh-CN': '火灾', en: 'Fire' }, hidden: false },
  { code: 'traffic', group: 'traffic', preventable: false, name: { 'zh-CN': '交通', en: 'Traffic' }, hidden: false },
  { code: 'dispute', group: 'other', preventable: false, name: { 'zh-CN': '纠纷', en: 'Dispute' }, hidden: false },
  { code: 'other', group: 'other', preventable: false, name: { 'zh-CN': '其他', en: 'Other' }, hidden: false },
];

const BUILT_IN_CODES = new Set(DEFAULT_INCIDENT_CATEGORIES.map((c) => c.code));

/** True for a built-in category: hidden at most, never removed or redefined. */
export const isBuiltInCategory = (code: string) => BUILT_IN_CODES.has(code);

/**
 * A unit's whole taxonomy from what it stored: the built-in categories in their order (hidden
 * where the unit hides them), then the unit's own in the order given. A stored row for a built-in
 * code says only whether it is hidden.
 */
export function mergeTaxonomy(stored: readonly IncidentCategory[]): IncidentCategory[] {
  const hidden = new Map(stored.map((c) => [c.code, c.hidden]));
  return [...DEFAULT_INCIDENT_CATEGORIES.map((c) => ({ ...c, hidden: hidden.get(c.code) ?? false })), ...stored.filter((c) => !BUILT_IN_CODES.has(c.code))];
}

/** A unit's incident settings, as its admin sets them and pull delivers them to the report form. */
export const IncidentSettingsSchema = v.strictObject({
  /** People's identity numbers may be recorded; the server refuses them otherwise. */
  idNumbers: v.boolean('idNumbers must be true or false'),
});
export type IncidentSettings = v.InferOutput<typeof IncidentSettingsSchema>;

/** Where an incident stands: reported, then responding, on scene, and resolved or handed over. */
export const INCIDENT_STATES = ['reported', 'responding', 'on-scene', 'resolved', 'handed-over'] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
/** The states an `incident.update` can move to (`reported` is the report itself). */
export const INCIDENT_UPDATE_STATES = ['responding', 'on-scene', 'resolved', 'handed-over'] as const;

export const PERSON_ROLES = ['victim', 'witness', 'suspect', 'reporter'] as const;
/** Where the report's location came from: the device's fix, a point picked on the map, or an address typed. */
const LOCATION_SOURCES = ['fix', 'map', 'address'] as const;
export const PHOTO_TYPES = ['image/jpeg', 'image/webp'] as const;
/** The largest photo a record may name, in bytes (a re-encoded 2048 px photo is far smaller). */
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024;

const Uuid = v.pipe(v.string('must be a string'), v.regex(UUID_RE, 'must be a lower-case UUID'));
const Text = (max: number) => v.pipe(v.string('must be a string'), v.maxLength(max, `must be at most ${max} characters`));
const Count = v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(0, 'must be ≥ 0'), v.maxValue(10_000, 'must be ≤ 10,000'));
const Dimension = v.pipe(
  v.number('must be a number'),
  v.integer('must be a whole number'),
  v.minValue(1, 'must be ≥ 1'),
  v.maxValue(20_000, 'must be ≤ 20,000'),
);

/** A photo as a record names it: by the SHA-256 of its bytes, which go to the server first (`PUT /api/blobs/:sha256`). */
const PhotoRefSchema = v.strictObject({
  sha256: v.pipe(v.string('must be a string'), v.regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits')),
  size: v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be ≥ 1'), v.maxValue(MAX_PHOTO_BYTES, 'is too large')),
  type: v.picklist(PHOTO_TYPES, `must be one of ${PHOTO_TYPES.join(', ')}`),
  width: Dimension,
  height: Dimension,
});
export type PhotoRef = v.InferOutput<typeof PhotoRefSchema>;
const Photos = v.pipe(v.array(PhotoRefSchema, 'must be a list of photos'), v.maxLength(20, 'at most 20 photos'));

const LocationSchema = v.pipe(
  v.strictObject({
    source: v.picklist(LOCATION_SOURCES, `must be one of ${LOCATION_SOURCES.join(', ')}`),
    lat: v.nullable(v.pipe(v.number('must be a number'), v.finite('must be finite'), v.minValue(-90, 'must be ≥ -90'), v.maxValue(90, 'must be ≤ 90'))),
    lon: v.nullable(v.pipe(v.number('must be a number'), v.finite('must be finite'), v.minValue(-180, 'must be ≥ -180'), v.maxValue(180, 'must be ≤ 180'))),
    /** Metres, for a fix; null for a point picked on the map or an address. */
    accuracy: v.nullable(
      v.pipe(v.number('must be a number'), v.finite('must be finite'), v.minValue(0, 'must be ≥ 0'), v.maxValue(100_000, 'must be ≤ 100 km')),
    ),
    address: v.optional(Text(200)),
  }),
  v.check((l) => (l.lat === null) === (l.lon === null), 'lat and lon are given together or not at all'),
  v.check((l) => l.source === 'address' || l.lat !== null, 'a fix or a point on the map has coordinates'),
  v.check((l) => l.source !== 'address' || !!l.address?.trim(), 'an address location needs the address'),
);

const PersonSchema = v.strictObject({
  role: v.picklist(PERSON_ROLES, `must be one of ${PERSON_ROLES.join(', ')}`),
  name: v.optional(Text(64)),
  phone: v.optional(Text(32)),
  /** Only where the unit turns identity numbers on; the server refuses them otherwise. */
  idNumber: v.optional(Text(32)),
  note: v.optional(Text(500)),
});

export const IncidentReportBodySchema = v.strictObject({
  incidentId: Uuid,
  category: CategoryCode,
  occurredAt: InstantSchema,
  location: LocationSchema,
  description: Text(2000),
  people: v.pipe(v.array(PersonSchema, 'must be a list of people'), v.maxLength(30, 'at most 30 people')),
  injured: Count,
  dead: Count,
  photos: Photos,
  /** The shift it was met on, if any, and the task it answers, if it was sent. */
  shiftId: v.nullable(Uuid),
  taskId: v.optional(Uuid),
});

export const IncidentUpdateBodySchema = v.pipe(
  v.strictObject({
    incidentId: Uuid,
    state: v.optional(v.picklist(INCIDENT_UPDATE_STATES, `must be one of ${INCIDENT_UPDATE_STATES.join(', ')}`)),
    /** Who took it over (another unit, a department), for `handed-over`. */
    handedTo: v.optional(Text(200)),
    /** Appended to the incident's notes, never replacing one. */
    note: v.optional(Text(2000)),
    photos: v.optional(Photos),
    injured: v.optional(Count),
    dead: v.optional(Count),
  }),
  v.check((b) => b.state !== 'handed-over' || !!b.handedTo?.trim(), 'handing over needs who it went to'),
  v.check(
    (b) => b.state !== undefined || !!b.note?.trim() || !!b.photos?.length || b.injured !== undefined || b.dead !== undefined,
    'an update changes the state, or adds a note, photos or casualty counts',
  ),
);
