import type { Generated } from 'kysely';
import type { AuditKind } from '../../domain/protocol/accounts.js';
import type { Role } from '../../domain/roles.js';

// Times are ISO 8601 strings from Date#toISOString (fixed width, UTC), which sort and
// compare correctly as text on both SQLite and PostgreSQL.

interface UnitTable {
  id: string;
  name_zh: string;
  name_en: string;
  /** JSON array of BoundarySchema (src/domain/checkpoints.ts). */
  boundaries: Generated<string>;
  /** JSON of PasswordRules (src/domain/password-rules.ts); `{}` means the defaults. */
  password_rules: Generated<string>;
  /** 1 when incidents record people's identity numbers, 0 when not; null until the admin chooses (INCIDENT_ID_NUMBERS decides). Migration 0022. */
  incident_id_numbers: Generated<number | null>;
  /** The pull version of the admin's last choice of incident settings; null before any. */
  incident_settings_version: Generated<number | null>;
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
  /** Set when an admin disabled the account: no session, no sign-in. */
  disabled_at: Generated<string | null>;
  /** 1 after a one-time password: the user must choose their own before anything else. */
  must_change_password: Generated<number>;
  /** 1 for accounts a patrol simulator made: left out of reports. */
  simulated: Generated<number>;
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

interface AuditEventTable {
  id: string;
  at: string;
  kind: AuditKind;
  user_id: string | null;
  badge: string | null;
  ip: string | null;
  detail: string | null;
  device_id: Generated<string | null>;
}

export interface ZoneTable {
  /** Value of the `changes` counter when last written: what pull cursors compare against. */
  version: Generated<number>;
  id: string;
  squad_id: string;
  name_zh: string;
  name_en: string;
  /** GeoJSON Polygon, WGS-84. */
  geometry: string;
  updated_at: string;
  /** People living in the zone; null while unknown. Migration 0026. */
  population: Generated<number | null>;
  /** 1 once deleted: kept so pull can tell devices (checkpoint tombstones still name it). */
  deleted: Generated<number>;
}

/** A zone that moved to another squad, as the squad it left must hear it through pull: a deletion there. */
interface ZoneDepartureTable {
  zone_id: string;
  /** The squad the zone left. */
  squad_id: string;
  /** The pull version of the move. */
  version: number;
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

export interface ControlPointTable {
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
  /** 1 once deleted: kept so pull can tell devices. */
  deleted: Generated<number>;
  /** 1 when the position was read off a map, not surveyed. */
  approximate: Generated<number>;
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
  last_seen_at: Generated<string | null>;
  last_sync_at: Generated<string | null>;
  /** Outbox entries the device said it still held, at last_seen_at. */
  pending_count: Generated<number | null>;
  /** When an admin marked it lost: records it signs after this are refused. */
  revoked_at: Generated<string | null>;
  revoked_by: Generated<string | null>;
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

/**
 * A position record's fix, derived from `records` at ingest (and by rebuild-derived): what
 * tracks, check-in verification and coverage read. On PostgreSQL partitioned by month of fix_at.
 */
export interface PositionTable {
  record_id: string;
  device_id: string;
  officer_id: string;
  shift_id: string;
  seq: number;
  /** The fix time, normalized through Date#toISOString. */
  fix_at: string;
  lat: number;
  lon: number;
  accuracy: number;
  speed: number | null;
  heading: number | null;
}

/**
 * A shift as its officer's own records make it, derived from shift.start and shift.end records.
 * Keyed by (officer_id, shift_id): another officer's record naming the same shift id is theirs.
 * A row may hold only an end until its start arrives (records come in any order).
 */
export interface ShiftTable {
  officer_id: string;
  shift_id: string;
  /** The device that started it. */
  device_id: string | null;
  start_record_id: string | null;
  started_at: string | null;
  planned_end_at: string | null;
  end_record_id: string | null;
  ended_at: string | null;
}

/**
 * A firearm or ammunition not returned, derived from the shift.end record that counts for its
 * shift (the earliest, as for shifts). `serial` is '' when the item had none.
 */
export interface EquipmentLossTable {
  officer_id: string;
  shift_id: string;
  item: string;
  serial: string;
  /** 1 when the item came back and only rounds are short. */
  item_returned: number;
  /** Rounds not returned; null when the item itself is missing and carried none. */
  rounds: number | null;
  reason: string;
  end_record_id: string;
  ended_at: string;
}

/**
 * Where a shift's route passed, derived from its position and tracking records (records/coverage.ts):
 * per H3 cell and per bucket of COVERAGE_BUCKET_MS (bucket = its start), the first and last pass.
 */
export interface CoverageCellTable {
  officer_id: string;
  shift_id: string;
  bucket: string;
  /** The H3 index, hex, at the configured resolution. */
  cell: string;
  first_at: string;
  last_at: string;
}

/** coverage_cells summed over the whole shift: the first and last pass of each cell (records/coverage.ts). */
interface CoverageShiftCellTable {
  officer_id: string;
  shift_id: string;
  cell: string;
  first_at: string;
  last_at: string;
}

/** Who marked a loss resolved, when, and what they said; keyed like the loss. */
interface EquipmentResolutionTable {
  officer_id: string;
  shift_id: string;
  item: string;
  serial: string;
  resolved_by: string;
  resolved_at: string;
  note: string;
}

/**
 * Work a migration asks for, done by openDatabase once every migration has run: a migration that
 * changes a derived table inserts 'rebuild-derived', and today's rebuild code fills it.
 */
interface MaintenanceTable {
  /** `place-incidents`: work out every incident's month and areas again (migration 0022). */
  task: 'rebuild-derived' | 'place-incidents';
}

/** One counter row per name; pull cursors are values of `changes`. */
interface SyncCounterTable {
  name: string;
  value: number;
}

/**
 * What the live channel (GET /api/live) sends, kept for an hour so a reconnect resumes from its
 * Last-Event-ID. The id is a value of the `changes` counter, so events commit in id order.
 */
export interface LiveEventTable {
  id: number;
  at: string;
  kind: string;
  unit_id: string;
  /** The squad it concerns; null for the whole unit. */
  squad_id: string | null;
  /** The officer it concerns or is addressed to; null for everyone in its squad or unit. */
  officer_id: string | null;
  payload: string;
}

/** A task as it stands now; its history is in `task_updates` and the audit log. */
export interface TaskTable {
  id: string;
  unit_id: string;
  squad_id: string;
  kind: string;
  title: string;
  details: string;
  priority: string;
  /** A CheckpointShape as JSON, or null. */
  location: string | null;
  due_at: string | null;
  created_at: string;
  created_by: string;
  /** The officer it is given to; null for a squad task. */
  assignee_id: string | null;
  /** The shift it was given to, when it was given to a shift. */
  assignee_shift_id: string | null;
  /** Who works it: the assignee, or the first to accept a squad task. */
  holder_id: string | null;
  state: string;
  state_at: string;
  revision: number;
  /** Value of the `changes` counter when it last changed (pull). */
  version: number;
  /** A lockdown's order to man a control point. */
  lockdown_id: string | null;
  control_point_id: string | null;
}

/** A rapid lockdown (快速封控): where, how wide, by whom; its points are manned through tasks. */
interface LockdownTable {
  id: string;
  unit_id: string;
  /** The leader's squad; null when a supervisor ordered it for the unit. */
  squad_id: string | null;
  created_by: string;
  created_at: string;
  lon: number;
  lat: number;
  radius_m: number;
  note: string;
  ended_at: string | null;
  ended_by: string | null;
}

/** Officers who were ever given a task: they keep hearing of it (reassigned, cancelled) through pull. */
interface TaskWatcherTable {
  task_id: string;
  officer_id: string;
}

/** Each `task.update` record as judged when it arrived (its outcome depends on what came before). */
interface TaskUpdateTable {
  record_id: string;
  task_id: string;
  officer_id: string;
  state: string;
  at: string;
  received_at: string;
  outcome: string;
  reason: string | null;
  note: string | null;
  /** `tap`, or `geofence` when the device detected arrival from its fixes. */
  method: string;
  /** A geofence arrival's check against the stored track (a CheckinVerdict); null for a tap. */
  arrival: string | null;
  /** The task version this update's judgement made: the order updates were judged in. */
  judged: number;
}

export interface NativeTrackerTable {
  id: string;
  officer_id: string;
  label: string;
  /** SHA-256 (hex) of the token the app authenticates with; the token itself is never stored. */
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A fix from a paired native tracker app: unsigned, never mixed with `positions`. */
interface NativePositionTable {
  tracker_id: string;
  officer_id: string;
  protocol: string;
  fix_at: string;
  lat: number;
  lon: number;
  accuracy: number | null;
  speed: number | null;
  heading: number | null;
  altitude: number | null;
  received_at: string;
}

/** One look at an officer's route (`track` or `native`): who, when, which window. */
/**
 * A shift's cached audit verdict (records/shift-verdicts.ts): computed over [window_from,
 * window_to], the shift's window when it was computed (`is_open` 1 while the shift had no end,
 * window_to then the time of computing). `verdict` is null while being computed, and stays null
 * when the shift is too long to verify in one reading; `token` names the computation that may fill it.
 */
interface ShiftVerdictTable {
  officer_id: string;
  shift_id: string;
  window_from: string;
  window_to: string;
  is_open: number;
  verdict: string | null;
  token: string;
  computed_at: string;
}

interface RouteViewTable {
  id: string;
  at: string;
  viewer_id: string;
  officer_id: string;
  unit_id: string;
  what: string;
  window_from: string;
  window_to: string;
}

/**
 * An officer's newest fix and tracking state by device order (seq on one device, fix time across
 * devices), derived at ingest: what the live squad reads instead of scanning positions.
 */
export interface OfficerLiveTable {
  officer_id: string;
  pos_record_id: string | null;
  pos_device_id: string | null;
  pos_seq: number | null;
  shift_id: string | null;
  fix_at: string | null;
  lat: number | null;
  lon: number | null;
  accuracy: number | null;
  speed: number | null;
  heading: number | null;
  trk_record_id: string | null;
  trk_device_id: string | null;
  trk_seq: number | null;
  trk_state: string | null;
  trk_reason: string | null;
  trk_at: string | null;
  /** Server time of the officer's last push: when they were last heard from. */
  heard_at: string | null;
  /** The live event id of its last change: a client keeps the higher of two copies. */
  version: Generated<number>;
  /** The newest fix from a paired native tracker app (unsigned), by fix time. */
  native_fix_at: string | null;
  native_lat: number | null;
  native_lon: number | null;
  native_accuracy: number | null;
}

/** An SOS: raised and cancelled by `sos` records (derived), acknowledged by a leader or supervisor (not). */
export interface SosAlertTable {
  /** The alert id the device chose (the records' body.alertId). */
  id: string;
  officer_id: string;
  shift_id: string | null;
  raise_record_id: string | null;
  raised_at: string | null;
  lat: number | null;
  lon: number | null;
  accuracy: number | null;
  fix_at: string | null;
  cancel_record_id: string | null;
  cancelled_at: string | null;
  acked_by: string | null;
  acked_at: string | null;
  /** The live event id of its last change. */
  version: Generated<number>;
}

/** An incident as it stands now (derived from its report and updates; see records/incidents.ts). */
export interface IncidentTable {
  incident_id: string;
  report_record_id: string;
  /** Who reported it, and their unit and squad when it was stored. */
  officer_id: string;
  unit_id: string;
  squad_id: string | null;
  category: string;
  occurred_at: string;
  /** The report record's device time. */
  reported_at: string;
  /** Null for an incident located by a typed address only. */
  lat: number | null;
  lon: number | null;
  address: string | null;
  reported_injured: number;
  reported_dead: number;
  /** The latest counts an update gave, else the report's. */
  injured: number;
  dead: number;
  status: string;
  /** Device time of the record that set the status (the report's for `reported`). */
  status_at: string;
  handed_to: string | null;
  /** 1 for the demo's seeded past incidents: published nowhere as real. */
  demo: number;
  /** Where the safety index counts it (migration 0022): the month of occurred_at in district time, */
  district_month: string | null;
  /** and the unit's town or street and community its location lies in (null: in none, or no location). */
  town_id: string | null;
  community_id: string | null;
}

/** One incident.update: the incident's timeline, notes appended, never overwritten. */
interface IncidentUpdateTable {
  record_id: string;
  incident_id: string;
  officer_id: string;
  at: string;
  state: string | null;
  handed_to: string | null;
  note: string | null;
  injured: number | null;
  dead: number | null;
}

/** A photo (by hash) an incident's report or update names: who may see the incident may fetch it. */
interface IncidentPhotoTable {
  incident_id: string;
  sha256: string;
  record_id: string;
}

/** A blob held complete in the blob store (issue 15), by the SHA-256 of its bytes. */
interface BlobTable {
  sha256: string;
  size: number;
  /** What it is served as, read from its first bytes. */
  type: string;
  stored_at: string;
}

/** Who uploaded a blob: they may fetch it until a record names it (then the incident's scope decides). */
interface BlobUploaderTable {
  sha256: string;
  user_id: string;
  at: string;
}

/** A received piece of an upload still under way (`Content-Range` chunks), per uploader. */
interface BlobChunkTable {
  user_id: string;
  sha256: string;
  start: number;
  /** One past the chunk's last byte. */
  upto: number;
  /** The whole blob's length, as the chunk's Content-Range said. */
  total: number;
  bytes: Buffer;
  at: string;
}

/** A town or street, or a residential community in one: what the safety index is published for (migration 0019). */
export interface AreaTable {
  id: string;
  unit_id: string;
  level: 'town' | 'community';
  /** The town or street a community lies in; null for a town or street. */
  parent_id: string | null;
  name_zh: string;
  name_en: string;
  population: number;
  /** GeoJSON Polygon or MultiPolygon, WGS-84. */
  geometry: string;
  /** 1 when boundary or population is an estimate (the demo's). */
  approximate: number;
  updated_at: string;
}

/** A unit's own incident category, or a built-in one the unit hides (migration 0022). */
export interface IncidentCategoryTable {
  unit_id: string;
  code: string;
  name_zh: string;
  name_en: string;
  /** The safety index group it counts in: criminal-order, fire, traffic or other. */
  index_group: string;
  /** 1 when counted per community as a preventable kind. */
  preventable: number;
  /** 1 when new reports may no longer choose it (reports already made still count). */
  hidden: number;
  version: number;
  updated_at: string;
}

export interface Tables {
  units: UnitTable;
  squads: SquadTable;
  users: UserTable;
  sessions: SessionTable;
  login_guards: LoginGuardTable;
  audit_events: AuditEventTable;
  zones: ZoneTable;
  zone_departures: ZoneDepartureTable;
  checkpoints: CheckpointTable;
  plans: PlanTable;
  control_points: ControlPointTable;
  devices: DeviceTable;
  records: RecordTable;
  sync_counters: SyncCounterTable;
  positions: PositionTable;
  shifts: ShiftTable;
  maintenance: MaintenanceTable;
  equipment_losses: EquipmentLossTable;
  equipment_resolutions: EquipmentResolutionTable;
  live_events: LiveEventTable;
  tasks: TaskTable;
  task_watchers: TaskWatcherTable;
  task_updates: TaskUpdateTable;
  lockdowns: LockdownTable;
  native_trackers: NativeTrackerTable;
  native_positions: NativePositionTable;
  route_views: RouteViewTable;
  coverage_cells: CoverageCellTable;
  coverage_shift_cells: CoverageShiftCellTable;
  officer_live: OfficerLiveTable;
  sos_alerts: SosAlertTable;
  incidents: IncidentTable;
  incident_updates: IncidentUpdateTable;
  incident_photos: IncidentPhotoTable;
  blobs: BlobTable;
  blob_uploaders: BlobUploaderTable;
  blob_chunks: BlobChunkTable;
  areas: AreaTable;
  incident_categories: IncidentCategoryTable;
  shift_verdicts: ShiftVerdictTable;
  device_keys: DeviceKeyTable;
  device_challenges: DeviceChallengeTable;
  lock_policies: LockPolicyTable;
}

/** A device's recovery key (base64url, 32 bytes): wraps the officer's data key on that device. */
interface DeviceKeyTable {
  device_id: string;
  officer_id: string;
  recovery_key: string;
  created_at: string;
  /** The last time a password sign-in on the device had it. */
  released_at: string | null;
}

/** A nonce the device signs to prove which device asks for its recovery key; used once. */
interface DeviceChallengeTable {
  nonce: string;
  device_id: string;
  user_id: string;
  expires_at: string;
}

/** A unit's lock policy; a unit without a row has DEFAULT_LOCK_POLICY. */
interface LockPolicyTable {
  unit_id: string;
  idle_minutes: number;
  secret: 'pin' | 'passphrase';
  resign_hours: number;
  updated_at: string;
  updated_by: string;
}
