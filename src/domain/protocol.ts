import * as v from 'valibot';
import { ROLES } from './roles.js';
import type { Checkpoint, LocalName, Plan, PolygonGeometry } from './checkpoints.js';

/** A badge number as printed on the warrant card: letters and digits, 2 to 16 of them. */
const BadgeSchema = v.pipe(v.string('badge must be a string'), v.trim(), v.toUpperCase(), v.regex(/^[A-Z0-9]{2,16}$/, 'badge must be 2–16 letters or digits'));

/** Body of `POST /api/auth/login`. */
export const LoginRequestSchema = v.strictObject(
  {
    badge: BadgeSchema,
    password: v.pipe(v.string('password must be a string'), v.minLength(1, 'password is required'), v.maxLength(256, 'password is too long')),
  },
  'login body must be { badge, password } and nothing else',
);
type LoginRequest = v.InferOutput<typeof LoginRequestSchema>;

/** The signed-in user as the server describes them; also what the device keeps offline. */
export const SessionUserSchema = v.object({
  id: v.string(),
  badge: v.string(),
  name: v.string(),
  role: v.picklist(ROLES),
  unitId: v.string(),
  squadId: v.nullable(v.string()),
});
export type SessionUser = v.InferOutput<typeof SessionUserSchema>;

export interface LoginResponse {
  user: SessionUser;
}

export interface HealthResponse {
  ok: true;
  db: 'sqlite' | 'postgres';
  version: string;
}

/** Machine-readable codes of API errors; the client maps each to catalog text. */
export type ApiErrorCode =
  | 'bad-request'
  | 'unauthenticated'
  | 'bad-credentials'
  | 'locked'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'internal';

/** Every 4xx/5xx body the server sends. */
export interface ApiErrorBody {
  error: ApiErrorCode;
  message: string;
  /** ISO time the badge unlocks, for `locked`. */
  lockedUntil?: string;
  /** Attempts left before the badge locks, for `bad-credentials`. */
  attemptsLeft?: number;
  /** Every problem found, for inputs (an import file) that can have many. */
  problems?: string[];
}

/** Human-readable text for the first issue valibot found, with its path ("badge: …"). */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'invalid input';
  const path = v.getDotPath(first);
  return path ? `${path}: ${first.message}` : first.message;
}

/** Body of `POST /api/devices`: a device's public key for the signed-in officer. */
export const DeviceRegistrationSchema = v.strictObject({
  deviceId: v.pipe(
    v.string('deviceId must be a string'),
    v.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'deviceId must be a lower-case UUID'),
  ),
  publicKeyJwk: v.looseObject({
    kty: v.literal('EC', 'publicKeyJwk.kty must be "EC"'),
    crv: v.literal('P-256', 'publicKeyJwk.crv must be "P-256"'),
    x: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'publicKeyJwk.x must be 32 bytes base64url')),
    y: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/, 'publicKeyJwk.y must be 32 bytes base64url')),
  }),
  label: v.optional(v.pipe(v.string(), v.maxLength(100, 'label is at most 100 characters'))),
});
type DeviceRegistration = v.InferOutput<typeof DeviceRegistrationSchema>;

/** Push limits (DESIGN.md): records per batch and bytes per request. */
export const MAX_BATCH_RECORDS = 1000;
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

type PushStatus = 'accepted' | 'duplicate' | 'rejected';
export interface PushResult {
  id: string;
  status: PushStatus;
  reason?: string;
}
export interface PushResponse {
  results: PushResult[];
}

/** One entry of `GET /api/sync/pull`: an upsert or deletion of something the user may see. */
export interface Change {
  entity: 'zone' | 'checkpoint' | 'plan' | 'control-point' | 'squad-member';
  id: string;
  op: 'upsert' | 'delete';
  data: Record<string, unknown> | null;
}
export interface PullResponse {
  changes: Change[];
  cursor: string;
  /** True when more changes wait after `cursor`: pull again at once. */
  more: boolean;
}

export interface TrackPoint {
  id: string;
  deviceId: string;
  seq: number;
  at: string;
  fixAt: string;
  lat: number;
  lon: number;
  accuracy: number;
}

/** What the server found when it re-checked the chains behind a track. */
export interface TrackVerification {
  ok: boolean;
  devices: Array<{
    deviceId: string;
    records: number;
    gaps: Array<{ from: number; to: number }>;
    brokenLinks: number[];
    badSignatures: number[];
    hashMismatches: number[];
  }>;
}

/** A change of tracking state in the audited window: every pause is a gap in the route. */
export interface TrackingMark {
  id: string;
  deviceId: string;
  seq: number;
  at: string;
  state: 'on' | 'paused' | 'off';
  reason: string;
}

export interface AuditTrackResponse {
  points: TrackPoint[];
  tracking: TrackingMark[];
  verification: TrackVerification;
}

/** A shift started and not yet ended, as a leader or supervisor sees it. */
interface OpenShiftSummary {
  shiftId: string;
  officerId: string;
  badge: string;
  name: string;
  startedAt: string;
  plannedEndAt: string | null;
  /** Still open past its planned end. */
  overdue: boolean;
}

export interface OpenShiftsResponse {
  shifts: OpenShiftSummary[];
}

/** The base map a deployment draws under the app's layers: at most one kind, or none. */
export type BaseMap =
  | { kind: 'none' }
  /** An XYZ raster template, e.g. https://tiles.example.org/{z}/{x}/{y}.png */
  | { kind: 'raster'; tiles: string }
  /** A MapLibre style JSON; its sources may use pmtiles:// URLs too. */
  | { kind: 'style'; url: string }
  /** A PMTiles archive (absolute URL, or a path on our own origin when the server hosts it). */
  | { kind: 'pmtiles'; url: string };

/** The map settings the app receives. */
export interface MapSettings {
  base: BaseMap;
  /** The base map is published in GCJ-02 (as Chinese providers do): layers are shifted to match. */
  gcj02: boolean;
}

/** `GET /api/config`: what the app needs to know about this deployment. */
export interface AppConfigResponse {
  map: MapSettings;
}

/** A check-in as the server re-verified it against the stored track. */
export interface CheckinView {
  id: string;
  officerId: string;
  deviceId: string;
  seq: number;
  shiftId: string;
  checkpointId: string;
  method: 'geofence' | 'manual';
  enteredAt: string;
  dwellS: number;
  /** The officer's reason, for a manual check-in. */
  reason: string | null;
  verdict: 'verified' | 'weak' | 'unsupported';
  /** Why the verdict is what it is (few-fixes, outside, evidence-missing, …). */
  verdictReason: string;
  insideFixes: number;
}

export interface CheckinsResponse {
  checkins: CheckinView[];
}

/** One visit a plan asked of a shift, counted from verified check-ins. */
interface RequirementView {
  planId: string;
  checkpointId: string;
  start: string;
  end: string | null;
  needed: number;
  visits: number;
  status: 'done' | 'due' | 'overdue' | 'missed' | 'upcoming';
}

/** How a shift met its plans. */
export interface ShiftCompliance {
  shiftId: string;
  officerId: string;
  badge: string;
  name: string;
  startedAt: string;
  endedAt: string | null;
  /** Share of the visits due so far that verified check-ins met, 0..1. */
  ratio: number;
  requirements: RequirementView[];
  checkins: { verified: number; weak: number; unsupported: number };
}

/** How one checkpoint was covered across the shifts in a window. */
export interface CheckpointCompliance {
  checkpointId: string;
  name: { 'zh-CN': string; en: string };
  needed: number;
  met: number;
  ratio: number;
  verified: number;
  weak: number;
  unsupported: number;
  lastVerifiedAt: string | null;
}

export interface ComplianceResponse {
  from: string;
  to: string;
  shifts: ShiftCompliance[];
  checkpoints: CheckpointCompliance[];
}

/** A squad of the admin's unit, as `GET /api/admin/zones` lists it. */
export interface AdminSquad {
  id: string;
  code: string;
  name: LocalName;
}

/** A patrol zone of the admin's unit: where checkpoints go, and whose squad a plan is for. */
export interface AdminZone {
  id: string;
  squadId: string;
  name: LocalName;
  polygon: PolygonGeometry;
}

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

/** Body of a successful `POST /api/admin/checkpoints/import`. */
export interface ImportOutcome {
  created: number;
  updated: number;
}
