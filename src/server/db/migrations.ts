import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { isPostgres } from './dialect.js';

// One set of migrations for SQLite and PostgreSQL: only portable column types
// (text, integer, double precision) and no dialect-specific defaults.

const migrations: Record<string, Migration> = {
  '0001-identity-and-geography': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('units')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('squads')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('badge', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
        .addColumn('squad_id', 'text', (c) => c.references('squads.id'))
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('badge', 'text')
        .addColumn('ip', 'text')
        .addColumn('detail', 'text')
        .execute();
      await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
      await db.schema
        .createTable('zones')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('squad_id', 'text', (c) => c.notNull().references('squads.id'))
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('geometry', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('checkpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('zone_id', 'text', (c) => c.notNull().references('zones.id'))
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('shape', 'text', (c) => c.notNull())
        .addColumn('min_dwell_s', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('control_points')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002-devices-records-sync': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('officer_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('public_key_jwk', 'text', (c) => c.notNull())
        .addColumn('label', 'text')
        .addColumn('registered_at', 'text', (c) => c.notNull())
        .addColumn('head_seq', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('head_hash', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createTable('records')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
        .addColumn('officer_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('record', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('records_device_seq', ['device_id', 'seq'])
        .execute();
      await db.schema.createIndex('records_officer_kind_at').on('records').columns(['officer_id', 'kind', 'at']).execute();
      await db.schema
        .createTable('sync_counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'integer', (c) => c.notNull())
        .execute();
      await db
        .insertInto('sync_counters' as never)
        .values({ name: 'changes', value: 0 } as never)
        .execute();
      for (const table of ['zones', 'checkpoints', 'control_points', 'users']) {
        await db.schema
          .alterTable(table)
          .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.createIndex(`${table}_version`).on(table).column('version').execute();
      }
    },
  },
  '0003-plans-and-tombstones': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('plans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('squad_id', 'text', (c) => c.notNull().references('squads.id'))
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('checkpoint_ids', 'text', (c) => c.notNull())
        .addColumn('rule', 'text', (c) => c.notNull())
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('plans_version').on('plans').column('version').execute();
      // A deleted checkpoint stays as a tombstone so devices learn of the deletion through pull.
      await db.schema
        .alterTable('checkpoints')
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('records_kind_at').on('records').columns(['kind', 'at']).execute();
    },
  },
  '0004-login-guards': {
    async up(db: Kysely<unknown>) {
      // The lock moves from the user row to a guard keyed by badge, so unknown badges are counted
      // (and answered) exactly like real ones, and client addresses get guards of their own.
      await db.schema
        .createTable('login_guards')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('window_started_at', 'text', (c) => c.notNull())
        .addColumn('locked_until', 'text')
        .execute();
      await db.schema.alterTable('users').dropColumn('failed_logins').execute();
      await db.schema.alterTable('users').dropColumn('locked_until').execute();
    },
  },
  '0005-derived-positions-and-shifts': {
    async up(db: Kysely<unknown>) {
      const postgres = isPostgres(db);
      // The primary key holds fix_at because PostgreSQL wants the partition key in every unique index.
      await db.schema
        .createTable('positions')
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('shift_id', 'text', (c) => c.notNull())
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('fix_at', 'text', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('accuracy', 'double precision', (c) => c.notNull())
        .addColumn('speed', 'double precision')
        .addColumn('heading', 'double precision')
        .addPrimaryKeyConstraint('positions_pk', ['record_id', 'fix_at'])
        .$call((table) => (postgres ? table.modifyEnd(sql`partition by range (fix_at)`) : table))
        .execute();
      // Monthly partitions are made on demand (records/position-partitions.ts); the rest lands here.
      if (postgres) await sql`create table positions_default partition of positions default`.execute(db);
      // An officer's track between two times; a zone's positions (a bounding box) between two times.
      await db.schema.createIndex('positions_officer_fix').on('positions').columns(['officer_id', 'fix_at']).execute();
      await db.schema.createIndex('positions_fix_lat_lon').on('positions').columns(['fix_at', 'lat', 'lon']).execute();

      await db.schema
        .createTable('shifts')
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('shift_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text')
        .addColumn('start_record_id', 'text')
        .addColumn('started_at', 'text')
        .addColumn('planned_end_at', 'text')
        .addColumn('end_record_id', 'text')
        .addColumn('ended_at', 'text')
        .addPrimaryKeyConstraint('shifts_pk', ['officer_id', 'shift_id'])
        .execute();
      await db.schema.createIndex('shifts_officer_started').on('shifts').columns(['officer_id', 'started_at']).execute();
      // Open shifts are few beside every shift ever made: a partial index holds only them.
      await db.schema.createIndex('shifts_open').on('shifts').column('officer_id').where(sql.ref('end_record_id'), 'is', null).execute();

      // The records already stored are derived once every migration has run (openDatabase), by
      // the rebuild code of that day: code called from here would have to match this schema forever.
      await db.schema
        .createTable('maintenance')
        .addColumn('task', 'text', (c) => c.primaryKey())
        .execute();
      await db
        .insertInto('maintenance' as never)
        .values({ task: 'rebuild-derived' } as never)
        .execute();
    },
  },
  '0006-unit-boundaries': {
    async up(db: Kysely<unknown>) {
      // The named outlines a unit's maps draw (its district, towns, streets): a JSON array of
      // BoundarySchema (src/domain/checkpoints.ts), checked when read.
      await db.schema
        .alterTable('units')
        .addColumn('boundaries', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
    },
  },
  '0007-equipment-losses': {
    async up(db: Kysely<unknown>) {
      // Derived from shift.end records: a firearm or ammunition an officer did not return. Records
      // stored before shift.end carried `missing` name no losses, so nothing needs rebuilding.
      await db.schema
        .createTable('equipment_losses')
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('shift_id', 'text', (c) => c.notNull())
        .addColumn('item', 'text', (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('item_returned', 'integer', (c) => c.notNull())
        .addColumn('rounds', 'integer')
        .addColumn('reason', 'text', (c) => c.notNull())
        .addColumn('end_record_id', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('equipment_losses_pk', ['officer_id', 'shift_id', 'item', 'serial'])
        .execute();
      // Not derived: a leader's or supervisor's word that a loss is dealt with. Never rebuilt.
      await db.schema
        .createTable('equipment_resolutions')
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('shift_id', 'text', (c) => c.notNull())
        .addColumn('item', 'text', (c) => c.notNull())
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('resolved_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('resolved_at', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('equipment_resolutions_pk', ['officer_id', 'shift_id', 'item', 'serial'])
        .execute();
    },
  },
  '0008-live-events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('live_events')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('squad_id', 'text')
        .addColumn('officer_id', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('live_events_at').on('live_events').column('at').execute();
      // The newest id pruned: a reconnect from before it cannot be replayed and must pull instead.
      await db
        .insertInto('sync_counters' as never)
        .values({ name: 'live-pruned', value: 0 } as never)
        .execute();
    },
  },
  '0009-tasks-and-lockdowns': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
        .addColumn('squad_id', 'text', (c) => c.notNull().references('squads.id'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('location', 'text')
        .addColumn('due_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('assignee_id', 'text', (c) => c.references('users.id'))
        .addColumn('assignee_shift_id', 'text')
        .addColumn('holder_id', 'text', (c) => c.references('users.id'))
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('state_at', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('lockdown_id', 'text')
        .addColumn('control_point_id', 'text')
        .execute();
      await db.schema.createIndex('tasks_lockdown').on('tasks').column('lockdown_id').execute();
      await db.schema
        .createTable('lockdowns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
        .addColumn('squad_id', 'text')
        .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('radius_m', 'double precision', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('ended_at', 'text')
        .addColumn('ended_by', 'text')
        .execute();
      await db.schema.createIndex('tasks_squad_created').on('tasks').columns(['squad_id', 'created_at']).execute();
      await db.schema.createIndex('tasks_version').on('tasks').column('version').execute();
      await db.schema
        .createTable('task_watchers')
        .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
        .addColumn('officer_id', 'text', (c) => c.notNull().references('users.id'))
        .addPrimaryKeyConstraint('task_watchers_pk', ['officer_id', 'task_id'])
        .execute();
      await db.schema
        .createTable('task_updates')
        .addColumn('record_id', 'text', (c) => c.primaryKey())
        .addColumn('task_id', 'text', (c) => c.notNull())
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('note', 'text')
        .execute();
      await db.schema.createIndex('task_updates_task').on('task_updates').columns(['task_id', 'received_at']).execute();
    },
  },
  '0010-control-point-edits': {
    async up(db: Kysely<unknown>) {
      // A deleted control point stays as a tombstone so devices learn of the deletion through pull.
      await db.schema
        .alterTable('control_points')
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('control_points')
        .addColumn('approximate', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // Until now nobody could write a control point but the demo seed, whose positions are read
      // off maps, not surveyed: mark them, and bump their version so devices pull the flag.
      const changed = await sql<{ n: number | string }>`select count(*) as n from control_points`.execute(db);
      const count = Number(changed.rows[0]?.n ?? 0);
      if (count > 0) {
        await sql`update sync_counters set value = value + 1 where name = 'changes'`.execute(db);
        await sql`update control_points set approximate = 1, version = (select value from sync_counters where name = 'changes')`.execute(db);
      }
    },
  },
  '0011-coverage-cells': {
    async up(db: Kysely<unknown>) {
      // Derived from position and tracking records (records/coverage.ts): per shift, per H3 cell
      // and per ten-minute bucket, the first and last time the route passed. Buckets let any
      // window of time be answered from here; rebuilt from records like every derived table.
      await db.schema
        .createTable('coverage_cells')
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('shift_id', 'text', (c) => c.notNull())
        .addColumn('bucket', 'text', (c) => c.notNull())
        .addColumn('cell', 'text', (c) => c.notNull())
        .addColumn('first_at', 'text', (c) => c.notNull())
        .addColumn('last_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('coverage_cells_pk', ['officer_id', 'shift_id', 'bucket', 'cell'])
        .execute();
      // A window that ends before a shift's last pass: that shift's buckets in the window.
      await db.schema.createIndex('coverage_cells_officer_bucket').on('coverage_cells').columns(['officer_id', 'bucket', 'cell', 'last_at']).execute();
      // The same per shift and cell over the whole shift, kept from coverage_cells: a window
      // reaching to a shift's end (the leader's "last hours") is answered from these rows alone.
      await db.schema
        .createTable('coverage_shift_cells')
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('shift_id', 'text', (c) => c.notNull())
        .addColumn('cell', 'text', (c) => c.notNull())
        .addColumn('first_at', 'text', (c) => c.notNull())
        .addColumn('last_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('coverage_shift_cells_pk', ['officer_id', 'shift_id', 'cell'])
        .execute();
      await db.schema
        .createIndex('coverage_shift_cells_officer_last')
        .on('coverage_shift_cells')
        .columns(['officer_id', 'last_at', 'first_at', 'cell', 'shift_id'])
        .execute();
      // The positions and tracking records already stored are derived by the rebuild (see 0005).
    },
  },
  '0012-live-squad-sos': {
    async up(db: Kysely<unknown>) {
      // Derived: each officer's newest fix and tracking state by device order, so the live squad
      // never scans positions. Rebuilt from records like the other derived tables (heard_at, the
      // server's time of the officer's last push, comes back with their next push).
      await db.schema
        .createTable('officer_live')
        .addColumn('officer_id', 'text', (c) => c.primaryKey())
        .addColumn('pos_record_id', 'text')
        .addColumn('pos_device_id', 'text')
        .addColumn('pos_seq', 'integer')
        .addColumn('shift_id', 'text')
        .addColumn('fix_at', 'text')
        .addColumn('lat', 'double precision')
        .addColumn('lon', 'double precision')
        .addColumn('accuracy', 'double precision')
        .addColumn('speed', 'double precision')
        .addColumn('heading', 'double precision')
        .addColumn('trk_record_id', 'text')
        .addColumn('trk_device_id', 'text')
        .addColumn('trk_seq', 'integer')
        .addColumn('trk_state', 'text')
        .addColumn('trk_reason', 'text')
        .addColumn('trk_at', 'text')
        .addColumn('heard_at', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      // Raise and cancel are derived from `sos` records; the acknowledgement is a leader's or
      // supervisor's act, kept here and never rebuilt away.
      await db.schema
        .createTable('sos_alerts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('shift_id', 'text')
        .addColumn('raise_record_id', 'text')
        .addColumn('raised_at', 'text')
        .addColumn('lat', 'double precision')
        .addColumn('lon', 'double precision')
        .addColumn('accuracy', 'double precision')
        .addColumn('fix_at', 'text')
        .addColumn('cancel_record_id', 'text')
        .addColumn('cancelled_at', 'text')
        .addColumn('acked_by', 'text', (c) => c.references('users.id'))
        .addColumn('acked_at', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('sos_alerts_officer').on('sos_alerts').columns(['officer_id', 'raised_at']).execute();
      // Records already stored (tracking, positions) fill officer_live once every migration has run.
      await db
        .insertInto('maintenance' as never)
        .values({ task: 'rebuild-derived' } as never)
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
  },
  '0013-task-arrival-evidence': {
    async up(db: Kysely<unknown>) {
      // How the officer said it (a tap, or arrival detected by the device's geofence) and, for an
      // arrival, how well the stored track backs it: the board shows the difference.
      await db.schema
        .alterTable('task_updates')
        .addColumn('method', 'text', (c) => c.notNull().defaultTo('tap'))
        .execute();
      await db.schema.alterTable('task_updates').addColumn('arrival', 'text').execute();
      // The order updates were judged in (the version each one gave its task): record ids come
      // from the device's clocks (the page's and its worker's) and need not sort that way.
      await db.schema
        .alterTable('task_updates')
        .addColumn('judged', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  },
  '0014-native-trackers': {
    async up(db: Kysely<unknown>) {
      // A native tracker app paired with an officer: only the token's SHA-256 is kept.
      await db.schema
        .createTable('native_trackers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('officer_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema.createIndex('native_trackers_officer').on('native_trackers').column('officer_id').execute();
      // Unsigned fixes, kept apart from the signed positions; one per tracker and fix time, so an
      // app that resends after a lost answer stores nothing twice.
      await db.schema
        .createTable('native_positions')
        .addColumn('tracker_id', 'text', (c) => c.notNull().references('native_trackers.id'))
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('protocol', 'text', (c) => c.notNull())
        .addColumn('fix_at', 'text', (c) => c.notNull())
        .addColumn('lat', 'double precision', (c) => c.notNull())
        .addColumn('lon', 'double precision', (c) => c.notNull())
        .addColumn('accuracy', 'double precision')
        .addColumn('speed', 'double precision')
        .addColumn('heading', 'double precision')
        .addColumn('altitude', 'double precision')
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('native_positions_pk', ['tracker_id', 'fix_at'])
        .execute();
      await db.schema.createIndex('native_positions_officer_time').on('native_positions').columns(['officer_id', 'fix_at']).execute();
    },
  },
  '0015-route-views': {
    async up(db: Kysely<unknown>) {
      // Who looked at whose route, when, and which window: the audit is itself audited.
      await db.schema
        .createTable('route_views')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('viewer_id', 'text', (c) => c.notNull())
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('what', 'text', (c) => c.notNull())
        .addColumn('window_from', 'text', (c) => c.notNull())
        .addColumn('window_to', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('route_views_officer').on('route_views').columns(['officer_id', 'at']).execute();
      await db.schema.createIndex('route_views_unit').on('route_views').columns(['unit_id', 'at']).execute();
    },
  },
  '0016-officer-live-native': {
    async up(db: Kysely<unknown>) {
      // The newest fix from a paired native tracker, beside the signed one and never mixed with it:
      // the live squad shows it when it is the later of the two, marked as unsigned.
      for (const column of ['native_lat', 'native_lon', 'native_accuracy']) {
        await db.schema.alterTable('officer_live').addColumn(column, 'double precision').execute();
      }
      await db.schema.alterTable('officer_live').addColumn('native_fix_at', 'text').execute();
    },
  },
  '0017-incidents': {
    async up(db: Kysely<unknown>) {
      // Incidents (issue 15), derived from incident.report and incident.update records at ingest
      // and rebuildable from them: one row per incident as it stands now, its timeline, and the
      // photos its records name (by hash), which decide who may fetch a photo.
      await db.schema
        .createTable('incidents')
        .addColumn('incident_id', 'text', (c) => c.primaryKey())
        .addColumn('report_record_id', 'text', (c) => c.notNull())
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('unit_id', 'text', (c) => c.notNull())
        .addColumn('squad_id', 'text')
        .addColumn('category', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('reported_at', 'text', (c) => c.notNull())
        .addColumn('lat', 'double precision')
        .addColumn('lon', 'double precision')
        .addColumn('address', 'text')
        .addColumn('reported_injured', 'integer', (c) => c.notNull())
        .addColumn('reported_dead', 'integer', (c) => c.notNull())
        .addColumn('injured', 'integer', (c) => c.notNull())
        .addColumn('dead', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_at', 'text', (c) => c.notNull())
        .addColumn('handed_to', 'text')
        .addColumn('demo', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('incidents_unit_time').on('incidents').columns(['unit_id', 'occurred_at']).execute();
      await db.schema.createIndex('incidents_squad_time').on('incidents').columns(['squad_id', 'occurred_at']).execute();
      await db.schema.createIndex('incidents_officer_time').on('incidents').columns(['officer_id', 'occurred_at']).execute();
      await db.schema
        .createTable('incident_updates')
        .addColumn('record_id', 'text', (c) => c.primaryKey())
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('state', 'text')
        .addColumn('handed_to', 'text')
        .addColumn('note', 'text')
        .addColumn('injured', 'integer')
        .addColumn('dead', 'integer')
        .execute();
      await db.schema.createIndex('incident_updates_incident').on('incident_updates').columns(['incident_id', 'at']).execute();
      await db.schema
        .createTable('incident_photos')
        .addColumn('incident_id', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('record_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_photos_pk', ['incident_id', 'sha256', 'record_id'])
        .execute();
      await db.schema.createIndex('incident_photos_sha256').on('incident_photos').columns(['sha256']).execute();
    },
  },
  '0018-blobs': {
    async up(db: Kysely<unknown>) {
      // Photos' bytes live in the blob store (a folder under DATA_DIR by default); these tables say
      // which blobs are held and complete, who uploaded each (the uploader may fetch it until a
      // record names it), and the chunks of uploads still under way, kept in the database so a
      // resumed upload may land on any server process.
      const bytes = isPostgres(db) ? 'bytea' : 'blob';
      await db.schema
        .createTable('blobs')
        .addColumn('sha256', 'text', (c) => c.primaryKey())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('stored_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('blob_uploaders')
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('blob_uploaders_pk', ['sha256', 'user_id'])
        .execute();
      await db.schema
        .createTable('blob_chunks')
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('start', 'integer', (c) => c.notNull())
        .addColumn('upto', 'integer', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('bytes', sql.raw(bytes), (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('blob_chunks_pk', ['user_id', 'sha256', 'start'])
        .execute();
    },
  },
  '0019-areas': {
    async up(db: Kysely<unknown>) {
      // The areas the safety index is published for (issue 15): towns and streets, and the
      // residential communities inside them, with their populations. Not the squads' beats
      // (zones): the civil map, owned by the unit and imported by its admin.
      await db.schema
        .createTable('areas')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
        .addColumn('level', 'text', (c) => c.notNull())
        .addColumn('parent_id', 'text', (c) => c.references('areas.id'))
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('population', 'integer', (c) => c.notNull())
        .addColumn('geometry', 'text', (c) => c.notNull())
        .addColumn('approximate', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('areas_unit').on('areas').columns(['unit_id', 'level']).execute();
      // Everything the index reads of an incident, in the index: a month of 100,000 incidents is
      // read from the index alone, not row by row from the wide incidents table.
      await db.schema
        .createIndex('incidents_index_read')
        .on('incidents')
        .columns(['unit_id', 'occurred_at', 'category', 'lat', 'lon', 'dead', 'demo'])
        .execute();
    },
  },
  '0022-incident-areas': {
    async up(db: Kysely<unknown>) {
      // Where each incident counts in the safety index, worked out where it is stored rather than
      // for every incident on every read: its district month, and the town or street and the
      // community its location lies in (point in polygon against the unit's areas; null in none).
      // Re-worked for the whole unit when its areas are imported. The month's counts are then
      // grouped by the database, from this index alone.
      for (const column of ['district_month', 'town_id', 'community_id']) await db.schema.alterTable('incidents').addColumn(column, 'text').execute();
      await db.schema.dropIndex('incidents_index_read').execute();
      await db.schema
        .createIndex('incidents_index_counts')
        .on('incidents')
        .columns(['unit_id', 'district_month', 'category', 'town_id', 'community_id', 'demo', 'lat', 'dead'])
        .execute();
      // A unit's own incident categories, and which categories (its own or built in) it hides
      // from new reports; delivered to devices by pull, hence the version.
      await db.schema
        .createTable('incident_categories')
        .addColumn('unit_id', 'text', (c) => c.notNull().references('units.id'))
        .addColumn('code', 'text', (c) => c.notNull())
        .addColumn('name_zh', 'text', (c) => c.notNull())
        .addColumn('name_en', 'text', (c) => c.notNull())
        .addColumn('index_group', 'text', (c) => c.notNull())
        .addColumn('preventable', 'integer', (c) => c.notNull())
        .addColumn('hidden', 'integer', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('incident_categories_pk', ['unit_id', 'code'])
        .execute();
      await db.schema.createIndex('incident_categories_version').on('incident_categories').columns(['unit_id', 'version']).execute();
      // Whether the unit records people's identity numbers in incidents: its admin's choice; null
      // until made, when the server's INCIDENT_ID_NUMBERS decides. Versioned for pull.
      await db.schema.alterTable('units').addColumn('incident_id_numbers', 'integer').execute();
      await db.schema.alterTable('units').addColumn('incident_settings_version', 'integer').execute();
      // Incidents already stored get their places once every migration has run.
      await db
        .insertInto('maintenance' as never)
        .values({ task: 'place-incidents' } as never)
        .onConflict((oc) => oc.doNothing())
        .execute();
    },
  },
  '0023-shift-verdicts': {
    async up(db: Kysely<unknown>) {
      // Each shift's audit verdict as the route audit computes it (route-analysis.ts windowVerdict),
      // cached so the shift list can be filtered by verdict without re-verifying a week of shifts
      // on every look. Derived and disposable: ingest deletes the rows a new record may change,
      // and a row counts only while it matches the shift's window (records/shift-verdicts.ts).
      await db.schema
        .createTable('shift_verdicts')
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('shift_id', 'text', (c) => c.notNull())
        .addColumn('window_from', 'text', (c) => c.notNull())
        .addColumn('window_to', 'text', (c) => c.notNull())
        .addColumn('is_open', 'integer', (c) => c.notNull())
        .addColumn('verdict', 'text')
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('computed_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('shift_verdicts_pk', ['officer_id', 'shift_id'])
        .execute();
    },
  },
  '0024-accounts': {
    async up(db: Kysely<unknown>) {
      // Accounts an admin manages (issue 16): a disabled account signs in no more, a one-time
      // password must be changed first, and accounts a patrol simulator made are marked so
      // reports can leave them out. The unit sets its password rules (JSON, defaults filled in
      // by src/domain/password-rules.ts).
      await db.schema.alterTable('users').addColumn('disabled_at', 'text').execute();
      await db.schema
        .alterTable('users')
        .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('users')
        .addColumn('simulated', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('units')
        .addColumn('password_rules', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();
      // What a device last told of itself, and its revocation: records it signs after revoked_at are refused.
      await db.schema.alterTable('devices').addColumn('last_seen_at', 'text').execute();
      await db.schema.alterTable('devices').addColumn('last_sync_at', 'text').execute();
      await db.schema.alterTable('devices').addColumn('pending_count', 'integer').execute();
      await db.schema.alterTable('devices').addColumn('revoked_at', 'text').execute();
      await db.schema.alterTable('devices').addColumn('revoked_by', 'text').execute();
      await db.schema.alterTable('audit_events').addColumn('device_id', 'text').execute();
      await db.schema.createIndex('audit_events_kind_at').on('audit_events').columns(['kind', 'at']).execute();
      // The audit log is append-only in the database itself, not only by the code's good manners.
      if (isPostgres(db)) {
        await sql`create function audit_events_append_only() returns trigger language plpgsql as $$
          begin raise exception 'audit_events is append-only'; end $$`.execute(db);
        await sql`create trigger audit_events_no_change before update or delete on audit_events
          for each row execute function audit_events_append_only()`.execute(db);
      } else {
        await sql`create trigger audit_events_no_update before update on audit_events
          begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
        await sql`create trigger audit_events_no_delete before delete on audit_events
          begin select raise(abort, 'audit_events is append-only'); end`.execute(db);
      }
    },
  },
  '0025-device-keys': {
    async up(db: Kysely<unknown>) {
      // A lost handheld (issue 16): each device's recovery key, which wraps the officer's data
      // key there and is released only to a password sign-in proven to come from that device;
      // the one-time nonces that proof signs; and each unit's lock policy.
      await db.schema
        .createTable('device_keys')
        .addColumn('device_id', 'text', (c) => c.primaryKey().references('devices.id'))
        .addColumn('officer_id', 'text', (c) => c.notNull())
        .addColumn('recovery_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('released_at', 'text')
        .execute();
      await db.schema
        .createTable('device_challenges')
        .addColumn('nonce', 'text', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('lock_policies')
        .addColumn('unit_id', 'text', (c) => c.primaryKey().references('units.id'))
        .addColumn('idle_minutes', 'integer', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('resign_hours', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0026-zone-population': {
    async up(db: Kysely<unknown>) {
      // Zones the admin edits (issue 16): the population living in each (null while unknown); a
      // deleted zone stays as a tombstone, like a checkpoint, so devices hear of it through pull;
      // and a zone moved to another squad leaves a departure behind, so the squad it left (whose
      // pull no longer reaches the row) hears it is gone.
      await db.schema.alterTable('zones').addColumn('population', 'integer').execute();
      await db.schema
        .alterTable('zones')
        .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('zone_departures')
        .addColumn('zone_id', 'text', (c) => c.notNull().references('zones.id'))
        .addColumn('squad_id', 'text', (c) => c.notNull().references('squads.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('zone_departures_pk', ['zone_id', 'squad_id'])
        .execute();
      await db.schema.createIndex('zone_departures_squad_version').on('zone_departures').columns(['squad_id', 'version']).execute();
    },
  },
  '0027-drop-records-kind-at': {
    async up(db: Kysely<unknown>) {
      // Every query of records names the officer, the device or the id (records_officer_kind_at,
      // records_device_seq, the primary key serve them); none asks by kind and time alone any
      // more, and this index was one more B-tree written for every record pushed.
      await db.schema.dropIndex('records_kind_at').execute();
    },
  },
  '0028-records-device-owner-by-statement': {
    async up(db: Kysely<unknown>) {
      // Every stored record names a device of its own officer. PostgreSQL checked the two foreign
      // keys row by row (a trigger query per key per record: a third to a half of the cost of
      // storing its row, measured); one check per statement over its new rows holds the same
      // rule, and the stronger one that the device is that officer's, for one join per batch. SQLite's
      // foreign keys are B-tree lookups in the process and stay as they are: a row trigger for the
      // pairing there cost more than the insert itself (measured), and ingest checks it anyway.
      if (isPostgres(db)) {
        await sql`alter table records drop constraint records_device_id_fkey, drop constraint records_officer_id_fkey`.execute(db);
        await sql`create function records_device_owner() returns trigger language plpgsql as $$
          begin
            if exists (select 1 from new_records r where not exists
                (select 1 from devices d where d.id = r.device_id and d.officer_id = r.officer_id)) then
              raise exception using errcode = 'foreign_key_violation', message = 'a record must name a device of the record''s officer';
            end if;
            return null;
          end $$`.execute(db);
        // A trigger with a transition table takes one event, so insert and update have one each.
        for (const event of ['insert', 'update'])
          await sql`create trigger ${sql.raw(`records_device_owner_${event}`)} after ${sql.raw(event)} on records
            referencing new table as new_records for each statement execute function records_device_owner()`.execute(db);
        // What the dropped key also did: a device with records stays (devices are revoked, never deleted).
        await sql`create function devices_keep_recorded() returns trigger language plpgsql as $$
          begin
            if exists (select 1 from records where device_id = old.id) then
              raise exception using errcode = 'foreign_key_violation', message = 'a device with stored records cannot be deleted';
            end if;
            return old;
          end $$`.execute(db);
        await sql`create trigger devices_keep_recorded before delete on devices for each row execute function devices_keep_recorded()`.execute(db);
      }
    },
  },
};

/** Feeds the in-code migrations to Kysely's Migrator (no files to find at run time). */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
