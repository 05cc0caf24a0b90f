// Accounts, squads, devices and the audit log (issue 16): `/api/admin/users`, `/api/admin/squads`,
// `/api/admin/roster`, `/api/roster`, `/api/devices`, `/api/admin/audit`, `/api/auth/password`.
import * as v from 'valibot';
import type { LocalName } from '../checkpoints.js';
import { PersonNameSchema } from '../roster-csv.js';
import { BadgeSchema } from './auth.js';
import { ROLES, type Role } from '../roles.js';
import { MAX_PASSWORD_LENGTH, type PasswordRules } from '../password-rules.js';

/** A person of the unit as the roster shows them. */
export interface RosterPerson {
  id: string;
  badge: string;
  name: string;
  role: Role;
  squadId: string | null;
  /** When an admin disabled the account; null while it may sign in. */
  disabledAt: string | null;
  simulated: boolean;
}

/** A squad with its two-language name. */
export interface RosterSquad {
  id: string;
  code: string;
  name: LocalName;
}

/** Body of `GET /api/roster` (leader: their squad; supervisor, admin: the unit) and `GET /api/admin/users`. */
export interface RosterResponse {
  squads: RosterSquad[];
  people: RosterPerson[];
}

/** A one-time password, shown once to the admin who made it. */
export interface OneTimePassword {
  badge: string;
  name: string;
  oneTimePassword: string;
}

/** Body of a successful `POST /api/admin/roster`. */
export interface RosterImportOutcome {
  created: OneTimePassword[];
  updated: string[];
}

const SquadIdSchema = v.nullable(v.string('squadId must be a string or null'));

/** Body of `POST /api/admin/users`. */
export const NewUserSchema = v.strictObject({
  badge: BadgeSchema,
  name: PersonNameSchema,
  role: v.picklist(ROLES, `role must be one of ${ROLES.join(', ')}`),
  squadId: SquadIdSchema,
});

/** Body of `PUT /api/admin/users/:id`: name, role and squad (a move) together. */
export const UserEditSchema = v.strictObject({
  name: PersonNameSchema,
  role: v.picklist(ROLES, `role must be one of ${ROLES.join(', ')}`),
  squadId: SquadIdSchema,
});

/** Body of `POST /api/admin/users/:id/disabled`. */
export const UserDisabledSchema = v.strictObject({ disabled: v.boolean('disabled must be true or false') });

const LocalNameSchema = v.strictObject({
  'zh-CN': v.pipe(v.string(), v.trim(), v.minLength(1, 'name.zh-CN is empty'), v.maxLength(40, 'name.zh-CN is at most 40 characters')),
  en: v.pipe(v.string(), v.trim(), v.minLength(1, 'name.en is empty'), v.maxLength(40, 'name.en is at most 40 characters')),
});

/** Body of `POST /api/admin/squads`. */
export const NewSquadSchema = v.strictObject({
  code: v.pipe(v.string('code must be a string'), v.trim(), v.toUpperCase(), v.regex(/^[A-Z0-9]{1,8}$/, 'code must be 1–8 letters or digits')),
  name: LocalNameSchema,
});

/** Body of `PUT /api/admin/squads/:id`: a rename. */
export const SquadRenameSchema = v.strictObject({ name: LocalNameSchema });

/** Body of `PUT /api/admin/unit`: the admin's own unit renamed (a brigade's full name is longer than a squad's). */
export const UnitRenameSchema = v.strictObject({
  name: v.strictObject({
    'zh-CN': v.pipe(v.string(), v.trim(), v.minLength(1, 'name.zh-CN is empty'), v.maxLength(100, 'name.zh-CN is at most 100 characters')),
    en: v.pipe(v.string(), v.trim(), v.minLength(1, 'name.en is empty'), v.maxLength(100, 'name.en is at most 100 characters')),
  }),
});

/** Body of `GET/PUT /api/admin/unit`. */
export interface UnitResponse {
  id: string;
  name: LocalName;
}

const PasswordSchema = v.pipe(
  v.string('password must be a string'),
  v.minLength(1, 'password is required'),
  v.maxLength(MAX_PASSWORD_LENGTH, 'password is too long'),
);

/** Body of `POST /api/auth/password`: the user's own change, and the forced one after a one-time password. */
export const PasswordChangeSchema = v.strictObject({ current: PasswordSchema, next: PasswordSchema }, 'body must be { current, next }');

/** Body of `GET /api/auth/password-rules` and `GET/PUT /api/admin/password-rules`. */
export interface PasswordRulesResponse {
  rules: PasswordRules;
}

/** A registered device as `GET /api/devices` lists it. */
export interface DeviceView {
  id: string;
  officerId: string;
  officerBadge: string;
  officerName: string;
  label: string | null;
  firstSeenAt: string;
  lastSeenAt: string | null;
  lastSyncAt: string | null;
  /** Outbox entries it said it held when last seen; null when it never said. */
  pendingCount: number | null;
  revokedAt: string | null;
}

export interface DevicesResponse {
  devices: DeviceView[];
}

/** Body of `POST /api/devices/:id/heartbeat`: what the device holds unsent. */
export const HeartbeatSchema = v.strictObject({
  pending: v.pipe(
    v.number('pending must be a number'),
    v.integer('pending must be a whole number'),
    v.minValue(0, 'pending is at least 0'),
    v.maxValue(10_000_000),
  ),
});

/** Answer of a heartbeat: whether the device has been marked lost, and since when. */
export interface HeartbeatResponse {
  revokedAt: string | null;
}

/** The push result reason of a record a revoked device signed after its revocation. */
export const DEVICE_REVOKED = 'device-revoked';

/** Everything the audit log records. */
export const AUDIT_KINDS = [
  'login',
  'login-failed',
  'lockout',
  'logout',
  'password-changed',
  'password-reset',
  'user-created',
  'user-changed',
  'user-disabled',
  'user-enabled',
  'roster-import',
  'squad-change',
  'unit-change',
  'password-rules-change',
  'device-registered',
  'device-revoked',
  'device-late-records',
  'device-refused-records',
  'audit-view',
  'audit-log-view',
  'geography-change',
  'equipment-resolved',
  'task-change',
  'sos-ack',
  'taxonomy-change',
  'pin-failure',
  'pin-lockout',
  'recovery-key',
  'recovery-key-denied',
  'lock-policy-change',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** The events that record something refused. */
const DENIED: ReadonlySet<AuditKind> = new Set(['login-failed', 'lockout', 'device-refused-records', 'pin-failure', 'pin-lockout', 'recovery-key-denied']);

/** The outcome column of the audit log, from the kind of event. */
export function auditOutcome(kind: AuditKind): 'ok' | 'denied' {
  return DENIED.has(kind) ? 'denied' : 'ok';
}

/** One line of the audit log. */
export interface AuditEventView {
  id: string;
  at: string;
  kind: AuditKind;
  outcome: 'ok' | 'denied';
  userId: string | null;
  badge: string | null;
  name: string | null;
  deviceId: string | null;
  ip: string | null;
  detail: string | null;
}

/** Query of `GET /api/admin/audit` (and its `.csv`). */
export const AuditQuerySchema = v.strictObject({
  from: v.optional(v.pipe(v.string(), v.isoTimestamp('from must be an ISO time'))),
  to: v.optional(v.pipe(v.string(), v.isoTimestamp('to must be an ISO time'))),
  kind: v.optional(v.picklist(AUDIT_KINDS, 'kind is not an audit event')),
  badge: v.optional(v.pipe(v.string(), v.trim(), v.toUpperCase(), v.maxLength(16, 'badge is at most 16 characters'))),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,5}$/, 'limit must be a whole number'), v.transform(Number), v.minValue(1), v.maxValue(10000, 'limit is at most 10000')),
    '500',
  ),
});

export interface AuditResponse {
  events: AuditEventView[];
}
