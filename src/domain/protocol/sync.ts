// `POST /api/devices`, `POST /api/sync/push` and `GET /api/sync/pull`.
import * as v from 'valibot';
import { ROLES } from '../roles.js';

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

/** Push limits (DESIGN.md): records per batch and bytes per request. */
export const MAX_BATCH_RECORDS = 1000;
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

/**
 * `retry`: not stored, and not refused either: something it needs has not reached the server
 * (a photo it names: reason `missing-blob:<sha256>`). The device keeps it, sends what is
 * missing, and sends it again.
 */
type PushStatus = 'accepted' | 'duplicate' | 'rejected' | 'retry';
export interface PushResult {
  id: string;
  status: PushStatus;
  reason?: string;
}

/** The reason prefix of a `retry` for a photo the server does not hold; the hash follows it. */
export const MISSING_BLOB = 'missing-blob:';
export interface PushResponse {
  results: PushResult[];
}

/** One entry of `GET /api/sync/pull`: an upsert or deletion of something the user may see. */
export interface Change {
  entity: 'zone' | 'checkpoint' | 'plan' | 'control-point' | 'squad-member' | 'checkin-verdict' | 'task' | 'sos' | 'incident-category' | 'incident-settings';
  id: string;
  op: 'upsert' | 'delete';
  data: Record<string, unknown> | null;
}
/** A person of the officer's squad as pull delivers them (the choices of shift members). */
export const SquadMemberSchema = v.strictObject({
  id: v.string(),
  badge: v.string(),
  name: v.string(),
  role: v.picklist(ROLES, 'is not a role'),
  squadId: v.nullable(v.string()),
});
export type SquadMember = v.InferOutput<typeof SquadMemberSchema>;

export interface PullResponse {
  changes: Change[];
  cursor: string;
  /** True when more changes wait after `cursor`: pull again at once. */
  more: boolean;
}
