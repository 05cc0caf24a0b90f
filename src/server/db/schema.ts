import type { Generated } from 'kysely';
import type { Role } from '../../domain/roles.js';

// Times are ISO 8601 strings from Date#toISOString (fixed width, UTC), which sort and
// compare correctly as text on both SQLite and PostgreSQL.

interface UnitTable {
  id: string;
  name_zh: string;
  name_en: string;
}

interface SquadTable {
  id: string;
  unit_id: string;
  code: string;
  name_zh: string;
  name_en: string;
}

interface UserTable {
  id: string;
  badge: string;
  name: string;
  role: Role;
  unit_id: string;
  squad_id: string | null;
  password_hash: string;
  created_at: string;
  /** Value of the `changes` counter when the roster entry last changed. */
  version: Generated<number>;
}

interface SessionTable {
  /** SHA-256 of the cookie token: a stolen database cannot be replayed as sessions. */
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

/** Sign-in throttling state, one row per badge (`badge:…`) or client address (`address:…`). */
interface LoginGuardTable {
  key: string;
  /** Guess slots taken (badge) or failures in the window (address). */
  attempts: number;
  window_started_at: string;
  locked_until: string | null;
}

export type AuditKind = 'login' | 'login-failed' | 'lockout' | 'logout' | 'geography-change';

interface AuditEventTable {
  id: string;
  at: string;
  kind: AuditKind;
  user_id: string | null;
  badge: string | null;
  ip: string | null;
  detail: string | null;
}

interface ZoneTable {
  /** Value of the `changes` counter when last written: what pull cursors compare against. */
  version: Generated<number>;
  id: string;
  squad_id: string;
  name_zh: string;
  name_en: string;
  /** GeoJSON Polygon, WGS-84. */
  geometry: string;
  updated_at: string;
}

export interface CheckpointTable {
  /** Value of the `changes` counter when last written: what pull cursors compare against. */
  version: Generated<number>;
  id: string;
  zone_id: string;
  name_zh: string;
  name_en: string;
  type: string;
  /** JSON of the domain CheckpointShape (circle or polygon, WGS-84). */
  shape: string;
  min_dwell_s: number;
  updated_at: string;
  /** 1 once deleted: kept so pull can tell devices. */
  deleted: Generated<number>;
}

export interface PlanTable {
  /** Value of the `changes` counter when last written: what pull cursors compare against. */
  version: Generated<number>;
  id: string;
  squad_id: string;
  name_zh: string;
  name_en: string;
  /** JSON array of checkpoint ids. */
  checkpoint_ids: string;
  /** JSON of the domain PlanRule. */
  rule: string;
  deleted: Generated<number>;
  updated_at: string;
}

interface ControlPointTable {
  /** Value of the `changes` counter when last written: what pull cursors compare against. */
  version: Generated<number>;
  id: string;
  unit_id: string;
  name_zh: string;
  name_en: string;
  kind: string;
  lon: number;
  lat: number;
  updated_at: string;
}

interface DeviceTable {
  id: string;
  officer_id: string;
  /** JSON of the public JWK. */
  public_key_jwk: string;
  label: string | null;
  registered_at: string;
  /** The chain head: highest stored seq and its hash. */
  head_seq: number;
  head_hash: string;
}

export interface RecordTable {
  id: string;
  device_id: string;
  officer_id: string;
  seq: number;
  kind: string;
  at: string;
  hash: string;
  /** The record exactly as the device sent it (JSON). */
  record: string;
  received_at: string;
}

/** One counter row per name; pull cursors are values of `changes`. */
interface SyncCounterTable {
  name: string;
  value: number;
}

export interface Tables {
  units: UnitTable;
  squads: SquadTable;
  users: UserTable;
  sessions: SessionTable;
  login_guards: LoginGuardTable;
  audit_events: AuditEventTable;
  zones: ZoneTable;
  checkpoints: CheckpointTable;
  plans: PlanTable;
  control_points: ControlPointTable;
  devices: DeviceTable;
  records: RecordTable;
  sync_counters: SyncCounterTable;
}
